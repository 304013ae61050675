"""Where generated files go: the content-addressed media library, named in asset rows by a
portable `media:` URL (relative to the library root), so the same row works on every
machine that has the file. These helpers block (disk, Pillow, ffmpeg): the engine runs
them on its media threads."""

from __future__ import annotations

import logging
from pathlib import Path

from ..media.library import MediaLibrary, local_file
from ..media.thumbnails import ensure_thumbnail

log = logging.getLogger(__name__)
SCHEME = "media:"
AUDIO_SUFFIX = {"audio/mpeg": ".mp3", "audio/wav": ".wav", "audio/x-wav": ".wav"}


def media_url(library: MediaLibrary, path: Path) -> str:
    return SCHEME + Path(path).resolve().relative_to(library.root.resolve()).as_posix()


def resolve(library: MediaLibrary, url: str) -> Path:
    """The local file of a storage URL; ValueError for one that is not on this machine."""
    return local_file(library.root, url)


def read_media(library: MediaLibrary, url: str) -> bytes:
    return resolve(library, url).read_bytes()


def thumbnail(library: MediaLibrary, path: Path) -> Path | None:
    """Made once per file; a file ffmpeg or Pillow cannot read still becomes a version."""
    try:
        return ensure_thumbnail(path, library.root)
    except Exception as exc:
        log.warning("no thumbnail for %s (%s)", Path(path).name, type(exc).__name__)
        return None
