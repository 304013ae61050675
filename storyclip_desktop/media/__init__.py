"""Media on disk: the content-addressed library, thumbnails and probing."""

from __future__ import annotations

from .library import MediaLibrary, default_media_root
from .probe import MediaInfo, duration_seconds, probe
from .thumbnails import ensure_thumbnail

__all__ = [
    "MediaInfo",
    "MediaLibrary",
    "default_media_root",
    "duration_seconds",
    "ensure_thumbnail",
    "probe",
]
