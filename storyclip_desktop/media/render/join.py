"""The last step: the cached segments and the finished sound track joined by stream copy
(concat demuxer), `+faststart`, into a temporary file that the caller renames onto the
real name only when it is whole and on disk."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from fractions import Fraction
from pathlib import Path

from . import ffmpeg
from .escape import concat_path


def write_list(segments: Sequence[Path], path: Path) -> Path:
    lines = ["ffconcat version 1.0"] + [f"file {concat_path(str(p))}" for p in segments]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def join(segments: Sequence[Path], sound: Path, total: Fraction, out: Path, list_file: Path,
         *, cancel: ffmpeg.Cancel | None = None, on_seconds: Callable[[float], None] | None = None) -> Path:
    """Picture and the finished AAC track, both stream-copied, `+faststart`."""
    write_list(segments, list_file)
    args = [
        "-f", "concat", "-safe", "0", "-i", str(list_file), "-i", str(sound),
        "-map", "0:v:0", "-map", "1:a:0", "-c", "copy",
        "-t", f"{float(total):.6f}", "-movflags", "+faststart", "-f", "mp4", str(out),
    ]
    ffmpeg.run(args, what="joining the scenes", cancel=cancel, on_seconds=on_seconds)
    with open(out, "r+b") as f:
        os.fsync(f.fileno())  # durable before it gets its real name
    return out


def copy_join(segments: Sequence[Path], out: Path, list_file: Path) -> Path:
    """A plain stream-copy join, picture only (the benchmark's yardstick)."""
    write_list(segments, list_file)
    ffmpeg.run(["-f", "concat", "-safe", "0", "-i", str(list_file), "-c", "copy", "-f", "mp4", str(out)],
               what="joining the scenes")
    return out
