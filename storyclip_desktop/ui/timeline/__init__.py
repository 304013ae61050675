"""The scene timeline: a horizontal strip of cards, reordered by drag and drop or
Ctrl+Left/Right, each move one undoable command."""

from __future__ import annotations

from .commands import MoveScenesCommand
from .delegate import SceneCardDelegate
from .mime import MIME_TYPE
from .model import SceneListModel
from .view import TimelineView
from .widget import TimelineWidget

__all__ = [
    "MIME_TYPE",
    "MoveScenesCommand",
    "SceneCardDelegate",
    "SceneListModel",
    "TimelineView",
    "TimelineWidget",
]
