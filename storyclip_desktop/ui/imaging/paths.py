"""Asset storage URLs to local files."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlparse

MEDIA_SCHEME = "media:"


def local_path(storage_url: str | None) -> Path | None:
    """The file behind a `file://` URL, a `media:` URL (the job engine's files, relative
    to the media library) or a plain path; None for remote URLs, which the media layer
    must download before anything can show them."""
    if not storage_url:
        return None
    if storage_url.startswith(MEDIA_SCHEME):
        from ...media.library import default_media_root

        rel = PurePosixPath(storage_url[len(MEDIA_SCHEME):])
        if rel.is_absolute() or ".." in rel.parts or not rel.parts:
            return None
        return default_media_root().joinpath(*rel.parts)
    if storage_url.startswith("file:"):
        parsed = urlparse(storage_url)
        # file:///abs/path and file://localhost/abs/path both name a local file.
        if parsed.netloc not in ("", "localhost"):
            return None
        return Path(unquote(parsed.path))
    if "://" in storage_url:
        return None
    return Path(storage_url).expanduser()
