"""Lookups and writes the mutators share: find the project or scene a change names
(by pk; the label is only for messages and for changes recorded before pks were),
keep scene order dense, and pick a free scene label."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ...domain import naming
from ...store.models import Asset, Project, Scene
from ..changes import Change, Refused


@dataclass
class Applied:
    notice: str | None = None
    result: dict[str, Any] = field(default_factory=dict)


def require_project(s: Session, ch: Change) -> Project:
    project = s.get(Project, ch.project_id)
    if project is None:
        raise Refused(f"project {ch.project_id} was deleted or is no longer shared with you")
    return project


def find_scene(s: Session, ch: Change, pk_key: str = "scene_pk", label_key: str = "scene_id") -> Scene | None:
    pk = ch.payload.get(pk_key)
    if pk is not None:
        scene = s.get(Scene, pk)
        return scene if scene is not None and scene.project_id == ch.project_id else None
    label = ch.payload.get(label_key)
    if label is None:
        return None
    return s.scalars(
        select(Scene).where(Scene.project_id == ch.project_id, Scene.scene_id == label)
    ).one_or_none()


def require_scene(s: Session, ch: Change, what: str) -> Scene:
    scene = find_scene(s, ch)
    if scene is None:
        require_project(s, ch)  # the more telling message when the whole project went
        label = ch.payload.get("scene_id") or "?"
        raise Refused(f"scene {label} was deleted by someone else; your {what} was not applied")
    return scene


def scene_order(s: Session, project_id: int) -> list[int]:
    return list(
        s.scalars(select(Scene.id).where(Scene.project_id == project_id).order_by(Scene.order, Scene.id))
    )


def write_order(s: Session, project_id: int, new: list[int]) -> int:
    """Store `new` as positions 1..n, writing only rows whose position changes."""
    s.flush()
    stored = dict(s.execute(select(Scene.id, Scene.order).where(Scene.project_id == project_id)).all())
    changes = [{"id": pk, "order": pos} for pos, pk in enumerate(new, start=1) if stored.get(pk) != pos]
    if changes:
        s.execute(update(Scene), changes)
        s.expire_all()  # bulk UPDATE by pk does not refresh loaded objects
    return len(changes)


def taken_labels(s: Session, project_id: int) -> set[str]:
    """Labels in use, and labels whose assets still exist (never reused, so an old
    version is never attached to a new scene)."""
    labels = set(s.scalars(select(Scene.scene_id).where(Scene.project_id == project_id)))
    for parents in s.scalars(select(Asset.parents_id).where(Asset.project_id == project_id).distinct()):
        part = parents.rsplit("-", 1)[-1]
        if part.startswith("S") and part[1:].isdigit():
            labels.add(part)
    return labels


def pick_label(wanted: str, taken: set[str]) -> str:
    """The label the change asked for, or the next free one when another installation
    took it meanwhile (both added 'S7' offline)."""
    if wanted not in taken:
        return wanted
    return naming.scene_label(max((naming.label_number(x) for x in taken), default=0) + 1)
