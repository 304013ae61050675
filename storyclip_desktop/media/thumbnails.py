"""Small JPEG previews for the scene list, made once and kept in `root/.thumbs`.

Library files are named by their sha256, so the thumbnail name `<sha>_<size>.jpg` stays
valid for as long as the media does and never needs invalidating.
"""

from __future__ import annotations

import asyncio
import io
import os
import re
import subprocess
import tempfile
from pathlib import Path

import imageio_ffmpeg
from PIL import Image

from .library import sha256_file

DEFAULT_SIZE = 320
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".webp", ".bmp", ".gif"}
VIDEO_SUFFIXES = {".mp4", ".mov", ".m4v", ".webm", ".mkv"}
_SHA = re.compile(r"^[0-9a-f]{64}$")


def thumbnail_path(media: Path, root: Path, size: int = DEFAULT_SIZE) -> Path:
    media = Path(media)
    # A library file's stem is already its hash; anything else is hashed once here.
    sha = media.stem if _SHA.match(media.stem) else sha256_file(media)
    return Path(root) / ".thumbs" / f"{sha}_{size}.jpg"


def ensure_thumbnail(media: Path, root: Path, size: int = DEFAULT_SIZE) -> Path:
    """The thumbnail of an image, or of a clip's first frame, within size x size px."""
    media = Path(media)
    dest = thumbnail_path(media, root, size)
    if dest.is_file():
        return dest
    suffix = media.suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        with Image.open(media) as img:
            img.load()
            frame = img.copy()
    elif suffix in VIDEO_SUFFIXES:
        frame = _first_frame(media)
    else:
        raise ValueError(f"no thumbnail for {suffix or 'files without a suffix'}: {media.name}")
    frame.thumbnail((size, size), Image.Resampling.LANCZOS)
    dest.parent.mkdir(parents=True, exist_ok=True)
    # Written aside and renamed, so a reader never sees half a JPEG.
    fd, tmp = tempfile.mkstemp(suffix=".jpg", dir=dest.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            frame.convert("RGB").save(f, format="JPEG", quality=85)
        os.replace(tmp, dest)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return dest


async def ensure_thumbnail_async(media: Path, root: Path, size: int = DEFAULT_SIZE) -> Path:
    return await asyncio.to_thread(ensure_thumbnail, media, root, size)


def _first_frame(clip: Path) -> Image.Image:
    proc = subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(),
            "-v",
            "error",
            "-nostdin",
            "-i",
            str(clip),
            "-frames:v",
            "1",
            "-f",
            "image2pipe",
            "-vcodec",
            "png",
            "-",
        ],
        capture_output=True,
        timeout=60,
    )
    if proc.returncode != 0 or not proc.stdout:
        detail = proc.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no frame"]
        raise ValueError(f"could not read a frame from {clip.name}: {detail[0]}")
    img = Image.open(io.BytesIO(proc.stdout))
    img.load()
    return img
