"""Local preview images: Pillow title cards at the project's frame size, with the
scene's references drawn in a strip so the flow can be seen offline."""

from __future__ import annotations

import asyncio
import colorsys
import hashlib
import io
import logging
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, ImageOps

from ..base import ImageRequest, ImageResult, ReferenceImage
from .common import MODEL, NAME, _frame_size

log = logging.getLogger(__name__)


_FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", str(Path.home() / ".local/share/fonts"))
# (file name, face index of the Korean variant inside a collection)
_CJK_NAMES = (
    ("NotoSansCJK-{w}.ttc", 1),
    ("NotoSansCJKkr-{w}.otf", 0),
    ("NotoSansKR-{w}.otf", 0),
    ("NotoSansKR-{w}.ttf", 0),
)
_OS_FONTS = (
    ("/System/Library/Fonts/AppleSDGothicNeo.ttc", 0),
    ("C:/Windows/Fonts/malgun.ttf", 0),
)


@lru_cache(maxsize=2)
def _font_file(weight: str) -> tuple[str, int] | None:
    for directory in _FONT_DIRS:
        root = Path(directory)
        if not root.is_dir():
            continue
        for pattern, index in _CJK_NAMES:
            for found in sorted(root.rglob(pattern.format(w=weight))):
                return str(found), index
    for path, index in _OS_FONTS:
        if Path(path).is_file():
            return path, index
    return None


@lru_cache(maxsize=16)
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    found = _font_file("Bold") if bold else None
    found = found or _font_file("Regular")
    if found is not None:
        try:
            return ImageFont.truetype(found[0], size, index=found[1])
        except OSError:
            log.warning("could not load font %s; using Pillow's default", found[0])
    # No CJK glyphs here: Korean shows as boxes, but the card still renders.
    return ImageFont.load_default(size=size)


def _wrap(text: str, font: ImageFont.FreeTypeFont | ImageFont.ImageFont, max_w: float) -> list[str]:
    """Break at spaces where possible, inside a word only when it alone is too wide (CJK)."""
    lines: list[str] = []
    for para in text.splitlines() or [""]:
        cur = ""
        for word in para.split():
            candidate = f"{cur} {word}" if cur else word
            if font.getlength(candidate) <= max_w:
                cur = candidate
                continue
            if cur:
                lines.append(cur)
                cur = ""
            for ch in word:
                if cur and font.getlength(cur + ch) > max_w:
                    lines.append(cur)
                    cur = ch
                else:
                    cur += ch
        lines.append(cur)
    return lines


def _fit_lines(lines: list[str], max_lines: int, font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
               max_w: float) -> list[str]:
    """At most `max_lines`; what does not fit ends in "…" after the last whole word
    that fits (a card never shows "quie…")."""
    if len(lines) <= max_lines:
        return lines
    kept = lines[: max(max_lines, 1)]
    last = kept[-1]
    words = last.split()
    while words and font.getlength(" ".join(words) + " …") > max_w:
        words.pop()
    if words:
        kept[-1] = " ".join(words) + " …"
    else:  # one run without spaces (Korean wrapped inside a word): cut the run itself
        while last and font.getlength(last + "…") > max_w:
            last = last[:-1]
        kept[-1] = last + "…"
    return kept


def _title_lines(title: str, size: int, max_w: float) -> tuple[list[str], ImageFont.FreeTypeFont | ImageFont.ImageFont]:
    """The title whole in at most three lines, in a smaller font if it has to be."""
    for step in (1.0, 0.85, 0.72):
        font = _font(max(12, round(size * step)), bold=True)
        lines = _wrap(title, font, max_w)
        if len(lines) <= 3:
            return lines, font
    return _fit_lines(lines, 3, font, max_w), font


def render_title_card(
    prompt: str,
    title: str,
    width: int,
    height: int,
    seed: int | None = None,
    references: tuple[ReferenceImage, ...] = (),
) -> bytes:
    """A PNG placeholder: hue from the prompt's hash, title, wrapped prompt, a label, and
    the reference images it was asked to follow as a strip of named thumbnails."""
    digest = hashlib.sha256(f"{prompt}\0{seed}".encode()).digest()
    hue = int.from_bytes(digest[:4], "big") / 2**32

    def rgb(h: float, s: float, v: float) -> tuple[int, int, int]:
        r, g, b = colorsys.hsv_to_rgb(h % 1.0, s, v)
        return round(r * 255), round(g * 255), round(b * 255)

    top, bottom = rgb(hue, 0.45, 0.92), rgb(hue + 0.08, 0.75, 0.30)
    column = Image.new("RGB", (1, 256))
    column.putdata(
        [
            tuple(round(a + (b - a) * i / 255) for a, b in zip(top, bottom, strict=True))
            for i in range(256)
        ]
    )
    img = column.resize((width, height), Image.Resampling.BILINEAR).convert("RGBA")

    # A few translucent discs placed by the hash, so cards differ in shape, not just hue.
    overlay = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    shapes = ImageDraw.Draw(overlay)
    short = min(width, height)
    for i in range(3):
        cx = digest[4 + i] / 255 * width
        cy = digest[8 + i] / 255 * height
        r = short * (0.15 + digest[12 + i] / 255 * 0.35)
        shapes.ellipse(
            (cx - r, cy - r, cx + r, cy + r), fill=(*rgb(hue + 0.5 + i * 0.1, 0.4, 1.0), 48)
        )
    img = Image.alpha_composite(img, overlay).convert("RGB")

    draw = ImageDraw.Draw(img)
    margin = round(width * 0.08)
    max_w = width - 2 * margin
    title_lines, title_font = _title_lines(title.strip() or "Scene", round(short * 0.075), max_w)
    body_font = _font(max(10, round(short * 0.045)))
    stroke = max(1, round(short / 360))
    label_font = _font(max(9, round(short * 0.03)), bold=True)
    label_h = round(label_font.size * 2.2)
    title_step = round(title_font.size * 1.25)
    title_h = title_step * len(title_lines) + round(title_step * 0.5)
    body_step = round(body_font.size * 1.4)
    room = height - 2 * margin - label_h - title_h
    if references:
        side, gap, cap_h = _strip_geometry(width, height, len(references), margin, label_font)
        room -= side + cap_h + 2 * gap
    body_lines = _fit_lines(_wrap(prompt.strip(), body_font, max_w), max(1, room // body_step), body_font, max_w)
    # Centred vertically: timeline cards and thumbnails crop a 9:16 frame to its middle.
    y = max(margin, (height - title_h - body_step * len(body_lines)) // 2)
    for line, font, step, fill in [
        *((t, title_font, title_step, (255, 255, 255)) for t in title_lines),
        ("", body_font, round(title_step * 0.5), None),
        *((b, body_font, body_step, (245, 245, 245)) for b in body_lines),
    ]:
        if fill is not None:
            draw.text((margin, y), line, font=font, fill=fill, stroke_width=stroke, stroke_fill=(0, 0, 0))
        y += step

    if references:
        _draw_references(img, references, margin, height - margin - label_h, label_font)

    label = "LOCAL PREVIEW"
    pad = round(label_font.size * 0.5)
    lw = round(label_font.getlength(label))
    x0, y0 = width - margin - lw - 2 * pad, height - margin - label_h
    draw.rounded_rectangle((x0, y0, width - margin, height - margin), radius=pad, fill=(0, 0, 0))
    draw.text(
        (x0 + pad, y0 + label_h // 2),
        label,
        font=label_font,
        fill=(255, 210, 60),
        anchor="lm",
    )

    buf = io.BytesIO()
    img.save(buf, format="PNG", optimize=False)
    return buf.getvalue()


MAX_DRAWN_REFERENCES = 6


def _strip_geometry(
    width: int, height: int, n: int, margin: int, font: ImageFont.FreeTypeFont | ImageFont.ImageFont
) -> tuple[int, int, int]:
    """(thumbnail side, gap, caption height) of the reference strip."""
    n = max(1, min(n, MAX_DRAWN_REFERENCES))
    gap = max(2, margin // 3)
    side = min(round(height * 0.16), (width - 2 * margin - gap * (n - 1)) // n)
    return side, gap, round(font.size * 1.6)


def _draw_references(
    img: Image.Image,
    refs: tuple[ReferenceImage, ...],
    margin: int,
    bottom: int,
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont,
) -> None:
    """Thumbnails in a row just above the label, each captioned with whom it shows."""
    n = min(len(refs), MAX_DRAWN_REFERENCES)
    side, gap, cap_h = _strip_geometry(img.width, img.height, n, margin, font)
    top = bottom - gap - cap_h - side
    draw = ImageDraw.Draw(img)
    for i, ref in enumerate(refs[:n]):
        x = margin + i * (side + gap)
        try:
            with Image.open(io.BytesIO(ref.data)) as src:
                thumb = ImageOps.fit(src.convert("RGB"), (side, side))
        except (OSError, ValueError):
            thumb = Image.new("RGB", (side, side), (60, 60, 60))
        img.paste(thumb, (x, top))
        draw.rectangle((x, top, x + side - 1, top + side - 1), outline=(255, 255, 255), width=max(1, side // 40))
        caption = ref.character or "style"
        while len(caption) > 1 and font.getlength(caption) > side:
            caption = caption[:-1]
        draw.text(
            (x + side // 2, top + side + cap_h // 2), caption, font=font, fill=(255, 255, 255),
            anchor="mm", stroke_width=1, stroke_fill=(0, 0, 0),
        )


class LocalImageProvider:
    name = NAME
    model = MODEL

    async def generate_image(self, req: ImageRequest) -> ImageResult:
        width, height = _frame_size(req.ratio, req.resolution)
        png = await asyncio.to_thread(
            render_title_card, req.prompt, req.title, width, height, req.seed, req.references
        )
        return ImageResult(
            png=png, width=width, height=height, usage_tokens=0, model=MODEL, meta={"local": True}
        )
