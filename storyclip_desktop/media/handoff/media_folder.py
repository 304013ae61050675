"""The media an editor relinks: hard links (or copies) of the originals under stable names,
and short H.264 files for what an editing tool cannot take as it is — a scene with only a
still image or a title card, and a clip shorter than its span (held, looped or slowed the
way the render plan says, so the picture on V1 is what the finished short shows).

Everything runs through the bundled ffmpeg (`media.render.ffmpeg.run`, argument lists);
user text reaches a filter only through a file we wrote (`textfile=`), and paths only
through `filter_value` escaping."""

from __future__ import annotations

import os
import shutil
from fractions import Fraction
from pathlib import Path

from ...domain.render_plan import FPS
from ..render.escape import filter_value
from ..render.ffmpeg import run

_ENCODE = ["-an", "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p", "-r", str(FPS)]


def link_or_copy(src: Path, dest: Path) -> str:
    """A hard link where the filesystem allows (no second copy of a large clip), else a
    copy. Returns "linked" or "copied"."""
    try:
        os.link(src, dest)
        return "linked"
    except OSError:
        shutil.copy2(src, dest)
        return "copied"


def _frame(width: int, height: int) -> str:
    return (
        f"scale={width}:{height}:force_original_aspect_ratio=decrease,"
        f"pad={width}:{height}:(ow-iw)/2:(oh-ih)/2,setsar=1"
    )


def still_video(image: Path, frames: int, width: int, height: int, dest: Path) -> None:
    """The scene's image held for its span."""
    run(
        ["-loop", "1", "-framerate", str(FPS), "-i", str(image), "-vf", _frame(width, height),
         "-frames:v", str(frames), *_ENCODE, str(dest)],
        what=f"making a video of {image.name}",
    )


def card_video(title: str, frames: int, width: int, height: int, dest: Path, font: Path | None) -> None:
    """A title card (the scene's first words on a dark ground) for a scene with nothing yet."""
    text_file = dest.with_suffix(".txt")
    text_file.write_text(title or " ", encoding="utf-8")
    graph = "null"
    if font is not None:
        size = max(height // 24, 12)
        graph = (
            f"drawtext=fontfile={filter_value(str(font))}:textfile={filter_value(str(text_file))}:"
            f"fontcolor=white:fontsize={size}:x=(w-text_w)/2:y=(h-text_h)/2"
        )
    try:
        run(
            ["-f", "lavfi", "-i", f"color=c=0x1d2230:s={width}x{height}:r={FPS}", "-vf", graph,
             "-frames:v", str(frames), *_ENCODE, str(dest)],
            what="making a title card",
        )
    finally:
        text_file.unlink(missing_ok=True)


def fitted_clip(
    clip: Path, fit: str, speed: Fraction, frames: int, width: int, height: int, dest: Path
) -> None:
    """A clip shorter than its span, made exactly `frames` long: `hold` freezes its last
    frame, `loop` repeats it, `slow` plays it at `speed` (then holds any last frame)."""
    pre: list[str] = []
    chain = [f"fps={FPS}"]
    if fit == "loop":
        pre = ["-stream_loop", "-1"]
    elif fit == "slow":
        chain.insert(0, f"setpts=PTS*{speed.denominator}/{speed.numerator}")
    chain += [_frame(width, height), f"tpad=stop_mode=clone:stop_duration={frames / FPS + 1:.3f}"]
    run(
        [*pre, "-i", str(clip), "-vf", ",".join(chain), "-frames:v", str(frames), *_ENCODE, str(dest)],
        what=f"fitting {clip.name} to its span",
    )
