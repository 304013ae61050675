"""Project-level changes: create, edit, delete, duplicate, preferences."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ...domain import validation as v
from ...domain.status import SceneStatus
from ...store.models import Project, Scene, VideoPreference
from ..changes import Change, Refused
from .common import Applied, require_project
from .side import Side

PROJECT_FIELDS = v.PROJECT_FIELDS
PREFERENCE_FIELDS = v.PREFERENCE_FIELDS


def _new_project(s: Session, side: Side, ch: Change) -> bool:
    """Insert the project row; False when a local replay finds it already there."""
    p = ch.payload
    if s.get(Project, ch.project_id) is not None:
        if side.server:
            raise Refused(f"project {ch.project_id} already exists on the team server")
        return False
    s.add(
        Project(
            id=ch.project_id,
            user_id=side.user_id,
            title=v.title(p["title"]),
            description=v.description(p.get("description")),
            script=v.script(p.get("script")),
        )
    )
    s.flush()
    return True


def create_project(s: Session, side: Side, ch: Change) -> Applied:
    if _new_project(s, side, ch):
        s.add(VideoPreference(id=ch.payload.get("pref_id") or side.new_id(), project_id=ch.project_id))
    return Applied()


def duplicate_project(s: Session, side: Side, ch: Change) -> Applied:
    p = ch.payload
    if not _new_project(s, side, ch):
        return Applied()
    prefs = _clean(PREFERENCE_FIELDS, p.get("preferences") or {}, "video preference")
    s.add(VideoPreference(id=p.get("pref_id") or side.new_id(), project_id=ch.project_id, **prefs))
    for item in p.get("scenes") or []:
        s.add(_scene_copy(item, ch.project_id, side.user_id))
    return Applied()


def _scene_copy(item: Any, project_id: int, user_id: int) -> Scene:
    if not isinstance(item, dict) or not isinstance(item.get("id"), int) or not isinstance(item.get("order"), int):
        raise Refused("duplicate_project: a scene of the copy is malformed")
    status = item.get("status") or SceneStatus.INIT.value
    if status not in {x.value for x in SceneStatus}:
        raise Refused(f"duplicate_project: unknown scene status {status!r}")
    return Scene(
        id=item["id"],
        project_id=project_id,
        user_id=user_id,
        status=status,
        scene_id=v.scene_id(item.get("scene_id")),
        scene_json=v.scene_json(item.get("scene_json") or {}),
        order=item["order"],
        no_subject=bool(item.get("no_subject")),
    )


def edit_project(s: Session, side: Side, ch: Change) -> Applied:
    project = require_project(s, ch)
    for k, val in _clean(PROJECT_FIELDS, ch.payload["fields"], "project field").items():
        setattr(project, k, val)
    return Applied()


def delete_project(s: Session, side: Side, ch: Change) -> Applied:
    # Already gone is fine: both people wanted it gone. The foreign keys cascade.
    s.execute(delete(Project).where(Project.id == ch.project_id))
    return Applied()


def edit_preferences(s: Session, side: Side, ch: Change) -> Applied:
    require_project(s, ch)
    row = s.scalars(select(VideoPreference).where(VideoPreference.project_id == ch.project_id)).first()
    if row is None:
        raise Refused(f"project {ch.project_id} has no video preferences")
    for k, val in _clean(PREFERENCE_FIELDS, ch.payload["fields"], "video preference").items():
        setattr(row, k, val)
    return Applied()


def _clean(validators: dict, fields: dict, what: str) -> dict:
    unknown = sorted(set(fields) - set(validators))
    if unknown:
        raise v.ValidationError(unknown[0], f"is not a {what}")
    return {k: validators[k](val) for k, val in fields.items()}
