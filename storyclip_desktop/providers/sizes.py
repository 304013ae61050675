"""Project ratio/resolution to pixels, and fitting a generated image to them."""

from __future__ import annotations

import asyncio
import base64
import io
import math
from collections.abc import Iterable

from PIL import Image

SHORT_SIDE = {"480p": 480, "720p": 720, "1080p": 1080}


def parse_ratio(ratio: str) -> tuple[int, int]:
    try:
        w, h = (int(part) for part in ratio.split(":"))
    except ValueError:
        raise ValueError(f"not a ratio like 9:16: {ratio!r}") from None
    if w <= 0 or h <= 0:
        raise ValueError(f"not a ratio like 9:16: {ratio!r}")
    return w, h


def _even(x: float) -> int:
    # video encoders (yuv420p) need even dimensions
    return max(2, 2 * round(x / 2))


def target_size(ratio: str, resolution: str) -> tuple[int, int]:
    """(width, height) whose short side is the resolution, e.g. 9:16 480p -> (480, 854)."""
    if resolution not in SHORT_SIDE:
        raise ValueError(f"unknown resolution {resolution!r}")
    w, h = parse_ratio(ratio)
    short = SHORT_SIDE[resolution]
    long = _even(short * max(w, h) / min(w, h))
    return (long, short) if w > h else (short, long)


def nearest_ratio(ratio: str, candidates: Iterable[str]) -> str:
    """The candidate ("WxH" or "W:H") closest in aspect to ratio."""
    w, h = parse_ratio(ratio)
    want = math.log(w / h)

    def distance(candidate: str) -> float:
        cw, ch = (int(p) for p in candidate.replace("x", ":").split(":"))
        return abs(math.log(cw / ch) - want)

    return min(candidates, key=distance)


def fit_png(data: bytes, width: int, height: int) -> bytes:
    """Center-crop the image to width:height, resize to exactly that, encode as PNG."""
    with Image.open(io.BytesIO(data)) as img:
        img.load()
        src_w, src_h = img.size
        if src_w * height > width * src_h:  # too wide: trim the sides
            crop_w = round(src_h * width / height)
            left = (src_w - crop_w) // 2
            box = (left, 0, left + crop_w, src_h)
        else:  # too tall: trim top and bottom
            crop_h = round(src_w * height / width)
            top = (src_h - crop_h) // 2
            box = (0, top, src_w, top + crop_h)
        mode = "RGBA" if "A" in img.getbands() else "RGB"
        out = img.convert(mode).resize((width, height), Image.Resampling.LANCZOS, box=box)
    buf = io.BytesIO()
    out.save(buf, format="PNG")
    return buf.getvalue()


async def fitted_png(b64: str, width: int, height: int) -> bytes:
    """A provider's base64 image as a PNG of exactly width x height; ValueError (a
    binascii.Error is one) or OSError when it cannot be read. Decoding and resizing take
    tens of ms: off the event loop."""
    return await asyncio.to_thread(fit_png, base64.b64decode(b64, validate=True), width, height)
