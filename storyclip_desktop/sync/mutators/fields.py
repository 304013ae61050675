"""Merging scene fields by intent. Each change carries only the fields it set and what
its author saw before, so different fields of one scene all survive. When the same
field was changed by someone else meanwhile, the later write (by the time it was made,
which the change id encodes) wins and the other text is kept in scene_history."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ...domain import validation as v
from ...domain.ids import id_time_ms
from ...services.scenes import SceneService
from ...store.models import Scene
from ..changes import Change
from .side import Side, epoch_ms


def merge(s: Session, side: Side, ch: Change, scene: Scene, fields: dict, before: dict) -> str | None:
    """Apply `fields` (None removes a key) to the scene's JSON; returns a notice when
    some of this change's text lost to a later edit.

    The caller's right to edit was checked before this runs (mutators.apply), so a
    reviewer never gets here on the server. History rows are written last, after the
    merged scene passed validation: a change that fails writes no history."""
    current = dict(scene.scene_json or {})
    merged = dict(current)
    lost: list[str] = []
    kept: list[dict] = []
    for key, value in fields.items():
        now = current.get(key)
        if side.server:
            prev = side.field_stamp(s, scene.id, key, ch.id)
            concurrent = key in before and before[key] != now and now != value
            if concurrent:
                if _is_later(ch.id, prev, scene):
                    kept.append({"field": key, "value": now, "winner": value, "user_id": None})
                else:
                    kept.append({"field": key, "value": value, "winner": now, "user_id": side.user_id})
                    lost.append(key)
                    continue
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    v.scene_json(merged)
    if merged != current:
        # Same status rule as the editor's own edit (a changed prompt is reviewed again).
        SceneService._apply_json(scene, merged)
    for row in kept:
        side.keep_history(s, scene_pk=scene.id, change_id=ch.id, **row)
    if lost:
        return (
            f"{scene.scene_id}: {', '.join(lost)} was changed later by someone else; "
            "your text was kept in the scene history"
        )
    return None


def _is_later(change_id: int, prev_stamp: int | None, scene: Scene) -> bool:
    mine = id_time_ms(change_id)
    if prev_stamp is None:
        # Last written outside sync (directly on the shared store): its time is the
        # scene's updated_at, the best this side can know.
        return mine >= epoch_ms(scene.updated_at)
    theirs = id_time_ms(prev_stamp)
    return mine > theirs or (mine == theirs and change_id > prev_stamp)


def diff(before: dict, after: dict) -> dict:
    """The fields a whole-JSON replacement changed, as an edit (None = removed)."""
    keys = set(before) | set(after)
    return {k: after.get(k) for k in keys if before.get(k) != after.get(k)}
