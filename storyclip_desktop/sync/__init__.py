"""Offline-first sync between the local SQLite store and the team's PostgreSQL
(docs/sync.md): push queued intent-level changes, pull the change feed, rebase."""

from __future__ import annotations

from .engine import SyncEngine, SyncReport, SyncStatus
from .errors import Offline, SyncError
from .history import HistoryEntry, restore, scene_history
from .media import media_state
from .report import ReportedChange

__all__ = [
    "SyncEngine",
    "SyncReport",
    "SyncStatus",
    "SyncError",
    "Offline",
    "ReportedChange",
    "HistoryEntry",
    "scene_history",
    "restore",
    "media_state",
]
