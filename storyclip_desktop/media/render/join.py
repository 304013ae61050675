"""The last step: the cached segments joined by stream copy (concat demuxer), the mixed
sound encoded once (AAC 48 kHz, loudnorm's second pass), `+faststart`, into a temporary
file that the caller renames onto the real name only when it is whole and on disk."""

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


def join(segments: Sequence[Path], track: Path, audio_filter: str, total: Fraction, out: Path, list_file: Path,
         *, cancel: ffmpeg.Cancel | None = None, on_seconds: Callable[[float], None] | None = None) -> Path:
    write_list(segments, list_file)
    t = f"{float(total):.6f}"
    args = [
        "-f", "concat", "-safe", "0", "-i", str(list_file), "-i", str(track),
        "-map", "0:v:0", "-map", "1:a:0", "-c:v", "copy",
        "-af", audio_filter, "-c:a", "aac", "-b:a", "192k", "-ar", "48000", "-ac", "2",
        "-t", t, "-movflags", "+faststart", "-f", "mp4", str(out),
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
