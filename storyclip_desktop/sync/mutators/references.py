"""Characters and reference images. Two installations may each add 민지 offline: the
server keeps one 민지 (the first to arrive) and files the other's references under it;
labels (C1, C2) are drawn again where another character took them meanwhile."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ...domain import naming
from ...domain import validation as v
from ...services.assets import _check_url as check_url
from ...services.references import REFERENCE, next_label_number
from ...store.characters_model import Character
from ...store.models import Asset
from ..changes import Change, Refused
from .common import Applied, require_project
from .side import Side


def _by_name(s: Session, project_id: int, name: str) -> Character | None:
    return s.scalars(
        select(Character)
        .where(Character.project_id == project_id, func.lower(Character.name) == name.lower())
        .order_by(Character.id)
        .limit(1)
    ).first()


def _find(s: Session, ch: Change) -> Character | None:
    p = ch.payload
    cid = p.get("character_id") or p.get("id")
    if cid is not None:
        c = s.get(Character, cid)
        if c is not None and c.project_id == ch.project_id:
            return c
    name = p.get("character") or p.get("name")
    return _by_name(s, ch.project_id, str(name)) if name else None


def add_character(s: Session, side: Side, ch: Change) -> Applied:
    p = ch.payload
    require_project(s, ch)
    name = v.character_name(p["name"])
    if s.get(Character, p["id"]) is not None:
        if side.server:
            raise Refused(f"character {name} already exists on the team server")
        return Applied()
    same = _by_name(s, ch.project_id, name)
    if same is not None:
        return Applied(
            f"{name} was added elsewhere too; your references go to that {name}",
            {"character_id": same.id, "label": same.label},
        )
    label = str(p.get("label") or "")
    taken = set(s.scalars(select(Character.label).where(Character.project_id == ch.project_id)))
    used = set(
        x.rsplit("-", 1)[-1]
        for x in s.scalars(
            select(Asset.parents_id).where(Asset.project_id == ch.project_id, Asset.type == REFERENCE).distinct()
        )
    )
    if not label or label in taken or label in used:
        label = naming.character_label(next_label_number(s, ch.project_id))
    s.add(Character(id=p["id"], project_id=ch.project_id, user_id=side.user_id, label=label, name=name))
    s.flush()
    return Applied(None, {"character_id": p["id"], "label": label})


def remove_character(s: Session, side: Side, ch: Change) -> Applied:
    require_project(s, ch)
    c = _find(s, ch)
    if c is not None:
        s.delete(c)
        s.flush()
    return Applied()  # removed elsewhere too: both wanted it gone


def add_reference(s: Session, side: Side, ch: Change) -> Applied:
    p = ch.payload
    url = p["storage_url"]
    check_url(url)
    asset_id = p.get("asset_id") or side.new_id()
    if s.get(Asset, asset_id) is not None:
        if side.server:
            raise Refused(f"reference {asset_id} already exists on the team server")
        return Applied()
    require_project(s, ch)
    if p.get("style"):
        parents = naming.style_parents_id(ch.project_id)
    else:
        c = _find(s, ch)
        if c is None:
            raise Refused(
                f"character {p.get('character') or '?'} was removed by someone else; "
                "your reference image was not added"
            )
        parents = naming.character_parents_id(ch.project_id, c.label)
    version = side.next_version(s, parents, REFERENCE)
    s.add(
        Asset(
            id=asset_id, parents_id=parents, version=version, user_id=side.user_id, type=REFERENCE,
            storage_url=url, metadata_=dict(p.get("metadata") or {}), project_id=ch.project_id,
        )
    )
    s.flush()
    return Applied(None, {"version": version, "asset_id": asset_id})
