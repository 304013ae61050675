"""A content-addressed media folder: every file is named by the sha256 of its bytes.

Files are written to `root/.tmp` first and renamed into `root/ab/cd/<sha256><suffix>`
only when complete, so a crash never leaves a half-written file under a real name and
the same content stored twice is kept once. `.tmp` is inside `root` so the rename is on
one filesystem and therefore atomic.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
import shutil
import tempfile
import time
from collections.abc import AsyncIterable
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

import platformdirs

ENV_ROOT = "STORYCLIP_MEDIA_DIR"
MEDIA_SCHEME = "media:"
_CHUNK = 1 << 20
_SUFFIX = re.compile(r"^\.[a-z0-9]{1,8}$")


def default_media_root() -> Path:
    """`$STORYCLIP_MEDIA_DIR`, else the per-user data folder's `StoryClip/media`."""
    override = os.environ.get(ENV_ROOT, "").strip()
    if override:
        return Path(override).expanduser()
    return platformdirs.user_data_path("StoryClip", appauthor=False) / "media"


def _norm_suffix(suffix: str) -> str:
    suffix = suffix.lower()
    if suffix and not suffix.startswith("."):
        suffix = "." + suffix
    # The suffix becomes part of a path: refuse anything that could escape the folder.
    if suffix and not _SUFFIX.match(suffix):
        raise ValueError(f"unsupported media suffix {suffix!r}")
    return suffix


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    return h.hexdigest()


def local_file(root: Path, url: str) -> Path:
    """The local file of a storage URL (`media:` relative to the library root, or
    `file://`); ValueError for one that is not on this machine."""
    if url.startswith(MEDIA_SCHEME):
        rel = Path(url[len(MEDIA_SCHEME):])
        if rel.is_absolute() or ".." in rel.parts:
            raise ValueError(f"not a media library URL: {url}")
        return Path(root) / rel
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return Path(url2pathname(parsed.path))
    raise ValueError(f"not a file on this machine: {url}")


class MediaLibrary:
    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root) if root is not None else default_media_root()
        self.tmp_dir = self.root / ".tmp"
        self.tmp_dir.mkdir(parents=True, exist_ok=True)

    def path_for(self, sha256: str, suffix: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / f"{sha256}{_norm_suffix(suffix)}"

    def temp_path(self, suffix: str = "") -> Path:
        """A new empty file in `root/.tmp`; hand it to `store_file` once written."""
        fd, name = tempfile.mkstemp(suffix=_norm_suffix(suffix), dir=self.tmp_dir)
        os.close(fd)
        return Path(name)

    def store_file(self, tmp_path: Path, suffix: str) -> Path:
        """Move a finished file into the library (it is consumed) and return its path."""
        tmp_path = Path(tmp_path)
        if tmp_path.parent.resolve() != self.tmp_dir.resolve():
            # Elsewhere may be another filesystem: copy next to the library first.
            staged = self.temp_path(suffix)
            try:
                shutil.copyfile(tmp_path, staged)
            except BaseException:
                staged.unlink(missing_ok=True)
                raise
            tmp_path.unlink(missing_ok=True)
            tmp_path = staged
        try:
            with open(tmp_path, "r+b") as f:
                _flush(f)  # the writer may not have: make the bytes durable before naming them
            return self._place(tmp_path, sha256_file(tmp_path), suffix)
        finally:
            tmp_path.unlink(missing_ok=True)

    def store_bytes(self, data: bytes, suffix: str) -> Path:
        sha = hashlib.sha256(data).hexdigest()
        dest = self.path_for(sha, suffix)
        if _is_complete(dest, len(data)):
            return dest
        tmp = self.temp_path(suffix)
        try:
            with open(tmp, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            return self._place(tmp, sha, suffix)
        finally:
            tmp.unlink(missing_ok=True)

    async def store_stream(self, chunks: AsyncIterable[bytes], suffix: str) -> Path:
        """Store a download as it arrives; nothing is left in `.tmp` if it fails."""
        tmp = self.temp_path(suffix)
        h = hashlib.sha256()
        try:
            with open(tmp, "wb") as f:
                async for chunk in chunks:
                    h.update(chunk)
                    await asyncio.to_thread(f.write, chunk)
                await asyncio.to_thread(_flush, f)
            return await asyncio.to_thread(self._place, tmp, h.hexdigest(), suffix)
        finally:
            tmp.unlink(missing_ok=True)

    def sweep_temp(self, older_than_s: float = 3600.0) -> int:
        """Remove temp files a crashed run left behind; returns how many."""
        cutoff = time.time() - older_than_s
        removed = 0
        for p in self.tmp_dir.iterdir():
            with contextlib.suppress(OSError):
                if p.is_file() and p.stat().st_mtime < cutoff:
                    p.unlink()
                    removed += 1
        return removed

    def _place(self, tmp: Path, sha256: str, suffix: str) -> Path:
        dest = self.path_for(sha256, suffix)
        if _is_complete(dest, tmp.stat().st_size):
            return dest  # same bytes already stored; the caller removes tmp
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, dest)
        return dest


def _flush(f) -> None:  # noqa: ANN001 - a binary file object
    f.flush()
    os.fsync(f.fileno())


def _is_complete(dest: Path, size: int) -> bool:
    # Size guards against a truncated file from a crash before fsync reached the disk.
    try:
        return dest.stat().st_size == size
    except FileNotFoundError:
        return False
