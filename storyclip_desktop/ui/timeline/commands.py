"""One drop or keyboard move = one undoable command, on the window's one write path
(ui/commands.ServiceCommand through ui/ops).

Redo says what the editor meant ("these scenes after S4"), so a redo after someone
else's move still lands next to S4; undo puts back the order the store held before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from ..commands import CommandContext, ServiceCommand
from ..ops import Changes

if TYPE_CHECKING:
    from ...services.views import MoveResult


class OrderTarget(Protocol):
    """What the command updates after a write: the timeline model."""

    def apply_move(self, result: MoveResult) -> None: ...


def describe(scene_ids: list[str], anchor: str | None) -> str:
    what = scene_ids[0] if len(scene_ids) == 1 else f"{len(scene_ids)} scenes"
    where = f"after {anchor}" if anchor else "to the front"
    return f"Move {what} {where}"


class MoveScenesCommand(ServiceCommand):
    def __init__(self, ctx: CommandContext, target: OrderTarget, project_id: int,
                 scene_ids: list[str], anchor: str | None, previous_order: list[int]) -> None:
        super().__init__(ctx, describe(scene_ids, anchor))
        self.target = target
        self.project_id = project_id
        self.scene_ids = list(scene_ids)
        self.anchor = anchor
        self.previous_order = list(previous_order)

    def apply(self) -> MoveResult:
        result = self.ctx.services.ordering.move_after(self.project_id, self.scene_ids, self.anchor)
        # Undo restores what the store held just before this move, which differs from
        # what the view showed if another workstation moved scenes meanwhile.
        if result.written:
            self.previous_order = list(result.previous)
        return result

    def revert(self) -> MoveResult:
        return self.ctx.services.ordering.restore(self.project_id, self.previous_order)

    def changes(self) -> Changes:
        return Changes(self.project_id, order=True)

    def landed(self, result: object) -> None:
        self.target.apply_move(result)  # type: ignore[arg-type]

    def worth_pushing(self, result: object) -> bool:
        return bool(result.written)  # type: ignore[attr-defined] - nothing moved: no undo entry
