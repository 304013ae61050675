"""A title card for a scene with neither clip nor image: the title, centred and wrapped,
drawn with the Hangul font (Pillow, so no user text ever goes into a filtergraph)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from .fonts import HangulFont

BACKGROUND = (24, 26, 31)
INK = (236, 236, 240)


def write_card(path: Path, title: str, width: int, height: int, font: HangulFont) -> Path:
    img = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(img)
    size = max(12, width // 14)
    face = ImageFont.truetype(str(font.path), size)
    lines = _wrap(draw, " ".join(title.split()) or " ", face, int(width * 0.8))[:6]
    gap = size // 3
    heights = [_box(draw, ln, face)[3] for ln in lines]
    y = (height - (sum(heights) + gap * (len(lines) - 1))) // 2
    for line, lh in zip(lines, heights, strict=True):
        w = _box(draw, line, face)[2]
        draw.text(((width - w) // 2, y), line, font=face, fill=INK)
        y += lh + gap
    img.save(path, format="PNG")
    return path


def _box(draw: ImageDraw.ImageDraw, text: str, face: ImageFont.FreeTypeFont) -> tuple[int, int, int, int]:
    left, top, right, bottom = draw.textbbox((0, 0), text, font=face)
    return left, top, int(right - left), int(bottom - top)


def _wrap(draw: ImageDraw.ImageDraw, text: str, face: ImageFont.FreeTypeFont, max_w: int) -> list[str]:
    """Greedy wrap at spaces; a word wider than the card (Korean without spaces) is cut by characters."""
    lines: list[str] = []
    line = ""
    for word in text.split(" "):
        trial = f"{line} {word}".strip()
        if _box(draw, trial, face)[2] <= max_w:
            line = trial
            continue
        if line:
            lines.append(line)
        line = ""
        for ch in word:
            if _box(draw, line + ch, face)[2] > max_w and line:
                lines.append(line)
                line = ""
            line += ch
    if line:
        lines.append(line)
    return lines
