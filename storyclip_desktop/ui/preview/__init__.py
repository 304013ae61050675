"""The preview pane: a scene's picture or clip at the project's frame ratio, its
versions (use one, compare two) and the project's narration."""

from __future__ import annotations

from .compare import CompareView
from .media_view import MediaView
from .pane import PreviewPane
from .versions import VersionListModel, VersionStrip

__all__ = ["CompareView", "MediaView", "PreviewPane", "VersionListModel", "VersionStrip"]
