"""The scene inspector on the right: fields, raw JSON, reviews."""

from __future__ import annotations

from .panel import SceneInspector

__all__ = ["SceneInspector"]
