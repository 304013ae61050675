"""ORM rows to the plain views the window and CLI see."""

from __future__ import annotations

from dataclasses import fields
from functools import cache
from typing import Any, TypeVar

from ..store.models import Asset, Scene, VideoPreference
from .views import AssetVersion, Preferences, SceneView

V = TypeVar("V")


@cache
def _field_names(view: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(view))


def from_row(view: type[V], row: object, **computed: Any) -> V:
    """The view (a dataclass) of one row: every field not in `computed` is the row's
    attribute of the same name, so a column added to both needs no change here."""
    copied = {n: getattr(row, n) for n in _field_names(view) if n not in computed}
    return view(**copied, **computed)


def scene_view(s: Scene, rejection: str | None = None) -> SceneView:
    return from_row(
        SceneView,
        s,
        scene_json=dict(s.scene_json or {}),
        no_subject=bool(s.no_subject),
        rejection=rejection,
    )


def preferences_view(p: VideoPreference) -> Preferences:
    return from_row(Preferences, p)


def asset_view(a: Asset) -> AssetVersion:
    # `metadata` is reserved on a declarative model: the column's attribute is metadata_.
    return from_row(AssetVersion, a, metadata=dict(a.metadata_ or {}))
