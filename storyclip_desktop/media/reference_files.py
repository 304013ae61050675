"""Reference images an editor adds from disk: checked to be an image the image APIs
take (PNG, JPEG or WebP, at least 64 px a side, at most 20 MB), then copied into the
media library so the project keeps it when the original file moves."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from .library import MediaLibrary

MAX_BYTES = 20 * 1024 * 1024  # OpenAI's edits take up to 50 MB, Gemini inline data 20 MB
MIN_SIDE = 64
FORMATS = {"PNG": ("image/png", ".png"), "JPEG": ("image/jpeg", ".jpg"), "WEBP": ("image/webp", ".webp")}


class NotAnImage(ValueError):
    """One line saying why the file cannot be a reference image."""


@dataclass(frozen=True)
class ImportedImage:
    path: Path  # inside the media library
    metadata: dict  # mime, width, height, filename


def check_image(path: Path) -> tuple[str, str, int, int]:
    """(mime, suffix, width, height) of a usable reference image, or NotAnImage."""
    path = Path(path)
    if not path.is_file():
        raise NotAnImage(f"{path.name}: no such file")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise NotAnImage(f"{path.name}: {size / 1e6:.0f} MB is too large (at most {MAX_BYTES // 2**20} MB)")
    try:
        with Image.open(path) as img:
            fmt, (w, h) = img.format or "", img.size
            img.verify()
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise NotAnImage(f"{path.name}: not a PNG, JPEG or WebP image") from None
    if fmt not in FORMATS:
        raise NotAnImage(f"{path.name}: a {fmt or 'unknown'} image; use PNG, JPEG or WebP")
    if min(w, h) < MIN_SIDE:
        raise NotAnImage(f"{path.name}: {w}x{h} is too small (at least {MIN_SIDE} px a side)")
    mime, suffix = FORMATS[fmt]
    return mime, suffix, w, h


def import_image(library: MediaLibrary, path: Path) -> ImportedImage:
    mime, suffix, w, h = check_image(path)
    stored = library.store_bytes(Path(path).read_bytes(), suffix)
    return ImportedImage(stored, {"mime": mime, "width": w, "height": h, "filename": Path(path).name})
