"""Images decoded off the GUI thread, with a byte-bounded cache shared by the timeline
and the preview."""

from __future__ import annotations

from .cache import ImageCache
from .loader import COVER, FIT, ImageKey, ImageLoader
from .paths import local_path

__all__ = ["COVER", "FIT", "ImageCache", "ImageKey", "ImageLoader", "local_path"]
