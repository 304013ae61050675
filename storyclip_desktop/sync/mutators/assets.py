"""Asset versions. Numbers are a global invariant: the server draws them from its
counter, so two installations that both made "the next image" offline both keep
theirs under distinct numbers, and each scene points at the file its user chose."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...domain import naming
from ...domain import validation as v
from ...domain.catalog import ASSET_TYPES
from ...domain.status import SceneAction, SceneStatus, can, next_status, status_words
from ...services.assets import STORAGE_URL_MAX
from ...store.models import Asset
from ..changes import Change, Refused
from .common import Applied, require_project, require_scene
from .side import Side


def add_asset_version(s: Session, side: Side, ch: Change) -> Applied:
    p = ch.payload
    type_, url = p["type"], p["storage_url"]
    if type_ not in ASSET_TYPES:
        raise v.ValidationError("type", f"must be one of {', '.join(ASSET_TYPES)}")
    if not url or len(url) > STORAGE_URL_MAX:
        raise v.ValidationError("storage_url", f"must be 1..{STORAGE_URL_MAX} characters")
    asset_id = p.get("asset_id") or side.new_id()
    if s.get(Asset, asset_id) is not None:
        if side.server:
            raise Refused(f"asset {asset_id} already exists on the team server")
        return Applied()
    project = require_project(s, ch)
    scene = None
    if type_ == "narration":
        parents = naming.project_parents_id(ch.project_id)
    else:
        scene = require_scene(s, ch, f"{type_} v{p.get('version') or '?'}")
        parents = naming.scene_parents_id(ch.project_id, scene.scene_id)
    version = side.next_version(s, parents, type_)
    s.add(
        Asset(
            id=asset_id,
            parents_id=parents,
            version=version,
            user_id=side.user_id,
            type=type_,
            storage_url=url,
            metadata_=dict(p.get("metadata") or {}),
            project_id=ch.project_id,
        )
    )
    s.flush()
    notice = None
    if p.get("make_current", True):
        if scene is None:
            project.narration_version = version
        else:
            action = SceneAction.GENERATE_IMAGE if type_ == "image" else SceneAction.GENERATE_CLIP
            if can(scene.status, action):
                scene.status = next_status(scene.status, action).value
                if type_ == "image":
                    scene.image_version = version
                else:
                    scene.clip_version = version
            else:
                notice = (
                    f"{scene.scene_id} is now “{status_words(scene.status)}”, so {type_} v{version} was kept "
                    "but not made current"
                )
    s.flush()
    return Applied(notice, {"version": version, "asset_id": asset_id})


def choose_version(s: Session, side: Side, ch: Change) -> Applied:
    p = ch.payload
    type_ = p["type"]
    project = require_project(s, ch)
    asset = s.get(Asset, p["asset_id"]) if p.get("asset_id") else None
    if asset is None and not p.get("asset_id"):
        scene = require_scene(s, ch, "choice") if type_ != "narration" else None
        parents = (
            naming.project_parents_id(ch.project_id)
            if scene is None
            else naming.scene_parents_id(ch.project_id, scene.scene_id)
        )
        asset = s.scalars(
            select(Asset).where(Asset.parents_id == parents, Asset.type == type_, Asset.version == p["version"])
        ).one_or_none()
    if asset is None or asset.project_id != ch.project_id or asset.type != type_:
        raise Refused(f"{type_} v{p['version']} no longer exists; your choice was not applied")
    if type_ == "narration":
        project.narration_version = asset.version
        return Applied()
    scene = require_scene(s, ch, "choice")
    if asset.parents_id != naming.scene_parents_id(ch.project_id, scene.scene_id):
        raise Refused(f"{type_} v{asset.version} belongs to another scene; your choice was not applied")
    if type_ == "image":
        if scene.image_version != asset.version:
            scene.image_version = asset.version
            if can(scene.status, SceneAction.GENERATE_IMAGE):
                scene.status = next_status(scene.status, SceneAction.GENERATE_IMAGE).value
    else:
        scene.clip_version = asset.version
        if scene.status == SceneStatus.IMAGE_CONFIRMED.value:
            scene.status = SceneStatus.CLIP.value
    s.flush()
    return Applied()
