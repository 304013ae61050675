"""ORM rows to the plain views the window and CLI see."""

from __future__ import annotations

from ..store.models import Asset, Scene, VideoPreference
from .views import AssetVersion, Preferences, SceneView


def scene_view(s: Scene, rejection: str | None = None) -> SceneView:
    return SceneView(
        id=s.id,
        project_id=s.project_id,
        scene_id=s.scene_id,
        order=s.order,
        status=s.status,
        scene_json=dict(s.scene_json or {}),
        image_version=s.image_version,
        clip_version=s.clip_version,
        no_subject=bool(s.no_subject),
        updated_at=s.updated_at,
        rejection=rejection,
    )


def preferences_view(p: VideoPreference) -> Preferences:
    return Preferences(
        project_id=p.project_id,
        image_gen_model=p.image_gen_model,
        video_gen_model=p.video_gen_model,
        voice_gen_model=p.voice_gen_model,
        stability=p.stability,
        resolution=p.resolution,
        ratio=p.ratio,
        custom_style=p.custom_style,
        split_rule=p.split_rule,
    )


def asset_view(a: Asset) -> AssetVersion:
    return AssetVersion(
        id=a.id,
        parents_id=a.parents_id,
        type=a.type,
        version=a.version,
        storage_url=a.storage_url,
        metadata=dict(a.metadata_ or {}),
        created_at=a.created_at,
    )
