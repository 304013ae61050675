"""Reorder scenes. Writes only the rows whose `order` changes, in one transaction and
one UPDATE, with the project row locked so concurrent movers take turns."""

from __future__ import annotations

from sqlalchemy import case, select, update
from sqlalchemy.orm import Session

from ..domain import ordering
from ..store.models import Scene
from .base import ServiceBase
from .errors import NotFound
from .views import MoveResult


class OrderingService(ServiceBase):
    def move(self, project_id: int, scene_ids: list[str], to: int) -> MoveResult:
        """Move the scenes (by editor-facing scene_id) so the first lands at position
        `to` (1-based); the selection keeps its relative order."""
        return self._move(project_id, scene_ids, lambda ids, moving, _a: ordering.move(ids, moving, to))

    def move_after(self, project_id: int, scene_ids: list[str], anchor: str | None) -> MoveResult:
        """Drop the scenes just after `anchor` (None: at the front)."""
        return self._move(project_id, scene_ids, ordering.move_after, anchor=anchor)

    def restore(self, project_id: int, order: list[int]) -> MoveResult:
        """Put scenes back in a previous order (undo); `order` lists scene pks."""
        return self._move(project_id, [], lambda ids, _m, _a: _same_set(ids, order))

    def restore_in(self, s: Session, project_id: int, order: list[int]) -> MoveResult:
        """`restore` inside a transaction another use case holds (an imported edit writes
        its order and its spans as one change)."""
        return self._move_in(s, project_id, [], lambda ids, _m, _a: _same_set(ids, order))

    def _move(self, project_id, scene_ids, plan, *, anchor=None) -> MoveResult:  # noqa: ANN001
        with self._transaction() as s:
            return self._move_in(s, project_id, scene_ids, plan, anchor=anchor)

    def _move_in(self, s, project_id, scene_ids, plan, *, anchor=None) -> MoveResult:  # noqa: ANN001
        self._project(s, project_id, lock=True)
        rows = s.execute(
            select(Scene.id, Scene.scene_id, Scene.order)
            .where(Scene.project_id == project_id)
            .order_by(Scene.order, Scene.id)
        ).all()
        by_label = {r.scene_id: r.id for r in rows}
        moving = []
        for label in scene_ids:
            if label not in by_label:
                raise NotFound(f"project {project_id} has no scene {label}")
            moving.append(by_label[label])
        if anchor is not None and anchor not in by_label:
            raise NotFound(f"project {project_id} has no scene {anchor}")
        ids = [r.id for r in rows]
        new = plan(ids, moving, by_label.get(anchor) if anchor else None)
        stored = {r.id: r.order for r in rows}
        # Compare with what is stored, not with list positions, so a gap left by an
        # older client is healed by the next move instead of carried forward.
        changes = {pk: pos for pos, pk in enumerate(new, start=1) if stored[pk] != pos}
        written = 0
        if changes:
            result = s.execute(
                update(Scene)
                .where(Scene.id.in_(list(changes)))
                .values(order=case(changes, value=Scene.id)),
                execution_options={"synchronize_session": False},
            )
            written = result.rowcount
            # Pks travel beside labels: a label can change in sync (two offline
            # installations both adding "S7"), a pk never does.
            self._record(
                s, "move_scenes", project_id,
                scene_ids=scene_ids or [r.scene_id for r in rows if r.id in changes],
                after=_after_label(new, moving, rows) if moving else None,
                positions={str(k): v for k, v in changes.items()},
                moving_pks=moving,
                after_pk=_after_pk(new, moving) if moving else None,
                restore=None if moving else new,
            )
        return MoveResult(order=new, written=written, positions=changes, previous=ids)


def _same_set(ids: list[int], order: list[int]) -> list[int]:
    if sorted(ids) != sorted(order):
        raise ordering.OrderingError("the scenes changed since; cannot restore that order")
    return list(order)


def _after_label(new: list[int], moving: list[int], rows) -> str | None:  # noqa: ANN001
    label = {r.id: r.scene_id for r in rows}
    pk = _after_pk(new, moving)
    return label[pk] if pk is not None else None


def _after_pk(new: list[int], moving: list[int]) -> int | None:
    # The drop anchor is what precedes the moved block, whichever scene was picked
    # first: the block is laid out in its current relative order, not pick order.
    i = min(new.index(m) for m in moving)
    return new[i - 1] if i > 0 else None
