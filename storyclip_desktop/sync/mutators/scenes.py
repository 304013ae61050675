"""Scene changes: split, add, delete, edit, replace the JSON, move."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ...domain import ordering
from ...domain import validation as v
from ...domain.status import SceneStatus
from ...services.scenes import restored_review
from ...store.models import Scene, SceneReview
from ..changes import Change, Refused
from .common import (
    Applied,
    find_scene,
    pick_label,
    require_project,
    require_scene,
    scene_order,
    taken_labels,
    write_order,
)
from .fields import diff, merge
from .side import Side


def split_script(s: Session, side: Side, ch: Change) -> Applied:
    p = ch.payload
    require_project(s, ch)
    existing = s.scalar(select(func.count()).where(Scene.project_id == ch.project_id)) or 0
    if existing and not p.get("replace"):
        raise Refused(
            f"project {ch.project_id} already has {existing} scenes (added meanwhile); "
            "your split was not applied"
        )
    s.execute(delete(Scene).where(Scene.project_id == ch.project_id))
    s.expire_all()
    taken = taken_labels(s, ch.project_id)
    for i, item in enumerate(p["scenes"], start=1):
        if not isinstance(item, dict) or not isinstance(item.get("id"), int):
            raise Refused("split_script: a scene of the split is malformed")
        label = pick_label(v.scene_id(item.get("scene_id")), taken)
        taken.add(label)
        s.add(_scene(item["id"], ch.project_id, side.user_id, label, item.get("narration") or "", i))
    return Applied()


def _scene(pk: int, project_id: int, user_id: int, label: str, narration: object, order: int) -> Scene:
    return Scene(
        id=pk,
        project_id=project_id,
        user_id=user_id,
        status=SceneStatus.INIT.value,
        scene_id=label,
        scene_json=v.scene_json({"narration": narration}),
        order=order,
        no_subject=False,
    )


def add_scene(s: Session, side: Side, ch: Change) -> Applied:
    p = ch.payload
    require_project(s, ch)
    if s.get(Scene, p["id"]) is not None:
        if side.server:
            raise Refused(f"scene {p['scene_id']} already exists on the team server")
        return Applied()
    current = scene_order(s, ch.project_id)
    anchor = find_scene(s, ch, "after_pk", "after") if (p.get("after_pk") or p.get("after")) else None
    notice = None
    if anchor is not None:
        position = current.index(anchor.id) + 1
    else:
        position = len(current)
        if p.get("after"):
            notice = f"scene {p['after']} was deleted meanwhile; the new scene was added at the end"
    label = pick_label(p["scene_id"], taken_labels(s, ch.project_id))
    s.add(_scene(p["id"], ch.project_id, side.user_id, label, p.get("narration") or "", len(current) + 1))
    s.flush()
    write_order(s, ch.project_id, current[:position] + [p["id"]] + current[position:])
    if label != p["scene_id"]:
        notice = f"{p['scene_id']} was taken by a scene added elsewhere; yours is now {label}"
    return Applied(notice, {"scene_id": label})


def delete_scene(s: Session, side: Side, ch: Change) -> Applied:
    require_project(s, ch)
    scene = find_scene(s, ch)
    if scene is None:
        return Applied()  # deleted elsewhere too: both wanted it gone
    s.execute(delete(Scene).where(Scene.id == scene.id))
    s.expire_all()
    write_order(s, ch.project_id, scene_order(s, ch.project_id))
    return Applied()


def restore_scene(s: Session, side: Side, ch: Change) -> Applied:
    """Undo of a delete: the same scene (id, label, status, chosen versions, reviews)
    back after the scene it followed, or where it stood if that one went too."""
    p = ch.payload
    require_project(s, ch)
    existing = s.get(Scene, p["scene_pk"])
    if existing is not None:
        if side.server and existing.project_id != ch.project_id:
            raise Refused(f"scene {p['scene_id']} cannot be brought back: its id is taken")
        return Applied()  # already back (a resend)
    status = SceneStatus(p["status"]).value
    label = v.scene_id(p["scene_id"])
    taken = s.scalar(select(Scene.id).where(Scene.project_id == ch.project_id, Scene.scene_id == label))
    if taken is not None:
        raise Refused(f"{label} was given to another scene meanwhile; the deleted scene was not brought back")
    current = scene_order(s, ch.project_id)
    position = current.index(p["after_pk"]) + 1 if p.get("after_pk") in current else (
        0 if p.get("after_pk") is None else len(current)
    )
    scene = Scene(
        id=p["scene_pk"], project_id=ch.project_id, user_id=side.user_id, status=status, scene_id=label,
        scene_json=v.scene_json(dict(p["scene_json"])), image_version=p.get("image_version"),
        clip_version=p.get("clip_version"), order=len(current) + 1, no_subject=bool(p.get("no_subject")),
    )
    s.add(scene)
    s.flush()
    for r in p.get("reviews") or []:
        if not isinstance(r, dict) or not isinstance(r.get("id"), int):
            raise Refused("restore_scene: a review of the scene is malformed")
        if s.get(SceneReview, r["id"]) is None:
            s.add(restored_review({**r, "comment": v.comment(r.get("comment"))}, scene.id))
    s.flush()
    write_order(s, ch.project_id, current[:position] + [scene.id] + current[position:])
    return Applied()


def edit_scene(s: Session, side: Side, ch: Change) -> Applied:
    p = ch.payload
    scene = require_scene(s, ch, "edit")
    notice = merge(s, side, ch, scene, p["fields"], p.get("before") or {})
    if p.get("no_subject") is not None:
        scene.no_subject = bool(p["no_subject"])
    s.flush()
    return Applied(notice)


def replace_scene_json(s: Session, side: Side, ch: Change) -> Applied:
    p = ch.payload
    scene = require_scene(s, ch, "edit")
    before = p.get("before")
    if before is None:  # recorded before changes carried what their author saw
        before = dict(scene.scene_json or {})
    v.scene_json(p["scene_json"])
    notice = merge(s, side, ch, scene, diff(before, p["scene_json"]), before)
    s.flush()
    return Applied(notice)


def move_scenes(s: Session, side: Side, ch: Change) -> Applied:
    """Re-applied against the order as it is now: the moved scenes go right after their
    drop anchor, wherever other people's moves have put it."""
    p = ch.payload
    require_project(s, ch)
    current = scene_order(s, ch.project_id)
    present = set(current)
    if p.get("restore"):
        if sorted(present) != sorted(p["restore"]):
            raise Refused("the scenes changed since; that order could not be restored")
        write_order(s, ch.project_id, list(p["restore"]))
        return Applied()
    moving = _moving(s, ch)
    kept = [pk for pk in moving if pk in present]
    if not kept:
        raise Refused("the scenes you moved were deleted by someone else; the move was not applied")
    anchor = None
    if p.get("after_pk") is not None or p.get("after"):
        found = find_scene(s, ch, "after_pk", "after")
        if found is None:
            raise Refused(
                f"scene {p.get('after') or '?'} you dropped them after was deleted by someone else; "
                "the move was not applied"
            )
        anchor = found.id
    try:
        new = ordering.move_after(current, kept, anchor)
    except ordering.OrderingError as e:
        raise Refused(f"the move no longer fits the current order: {e}") from None
    write_order(s, ch.project_id, new)
    gone = len(moving) - len(kept)
    return Applied(f"{gone} of the scenes you moved were deleted meanwhile" if gone else None)


def _moving(s: Session, ch: Change) -> list[int]:
    p = ch.payload
    if p.get("moving_pks"):
        return [x for x in p["moving_pks"] if isinstance(x, int)]
    labels = [x for x in p["scene_ids"] if isinstance(x, str)]
    rows = s.execute(
        select(Scene.scene_id, Scene.id).where(Scene.project_id == ch.project_id, Scene.scene_id.in_(labels))
    ).all()
    by_label = dict(rows)
    return [by_label[x] for x in labels if x in by_label]
