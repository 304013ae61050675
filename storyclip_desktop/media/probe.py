"""How long a clip or narration lasts, without a system ffprobe.

WAV is read with the stdlib; anything else goes through the ffmpeg binary that ships in
the imageio-ffmpeg wheel, whose `-i` banner carries the container duration and the
first video stream's codec, pixel format, size and frame rate.
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path

import imageio_ffmpeg

_DURATION = re.compile(r"Duration:\s*(\d+):(\d+):(\d+(?:\.\d+)?)")
_VIDEO = re.compile(
    r"Stream #\S+.*?: Video: (?P<codec>\w+)[^,]*, (?P<pix>\w+)(?:\([^)]*\))?, "
    r"(?P<w>\d+)x(?P<h>\d+)(?:.*?, (?P<fps>[\d.]+) fps)?"
)


@dataclass(frozen=True)
class MediaInfo:
    duration_s: float
    video_codec: str | None = None
    pix_fmt: str | None = None
    width: int | None = None
    height: int | None = None
    fps: float | None = None


def probe(path: Path) -> MediaInfo:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(path)
    if path.suffix.lower() == ".wav":
        try:
            with wave.open(str(path), "rb") as w:
                return MediaInfo(duration_s=w.getnframes() / w.getframerate())
        except (wave.Error, EOFError):
            pass  # e.g. a float WAV the stdlib cannot read: ask ffmpeg
    # `ffmpeg -i` with no output exits non-zero by design; the banner is what we want.
    proc = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path)],
        capture_output=True,
        text=True,
        errors="replace",
        timeout=30,
    )
    m = _DURATION.search(proc.stderr)
    if m is None:
        raise ValueError(f"not a media file ffmpeg can read: {path.name}")
    hours, minutes, seconds = m.groups()
    duration = int(hours) * 3600 + int(minutes) * 60 + float(seconds)
    v = _VIDEO.search(proc.stderr)
    if v is None:
        return MediaInfo(duration_s=duration)
    return MediaInfo(
        duration_s=duration,
        video_codec=v["codec"],
        pix_fmt=v["pix"],
        width=int(v["w"]),
        height=int(v["h"]),
        fps=float(v["fps"]) if v["fps"] else None,
    )


def duration_seconds(path: Path) -> float:
    return probe(path).duration_s


async def probe_async(path: Path) -> MediaInfo:
    return await asyncio.to_thread(probe, path)


def stream_seconds(path: Path, kind: str = "video") -> float:
    """How long the first video (or audio) STREAM lasts, not the container: an AAC
    track's priming and a muxer's padding make those differ by a frame or more.

    Video: its packets are counted by a stream copy (no decoding) and divided by the
    stream's frame rate. Audio: decoded to nothing, so the encoder delay is already
    trimmed from the time reached. WAV is read with the stdlib."""
    if kind not in ("video", "audio"):
        raise ValueError(f"kind is video or audio, not {kind!r}")
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(path)
    if kind == "audio" and path.suffix.lower() == ".wav":
        try:
            with wave.open(str(path), "rb") as w:
                return w.getnframes() / w.getframerate()
        except (wave.Error, EOFError):
            pass
    stream = "0:v:0" if kind == "video" else "0:a:0"
    copy = ["-c", "copy"] if kind == "video" else []
    proc = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-i", str(path),
         "-map", stream, *copy, "-f", "null", "-progress", "pipe:1", "-"],
        capture_output=True, text=True, errors="replace", timeout=120,
    )  # fmt: skip
    report = dict(
        line.split("=", 1) for line in proc.stdout.splitlines() if "=" in line
    )
    if proc.returncode != 0 or "out_time_us" not in report:
        raise ValueError(f"{path.name} has no {kind} stream ffmpeg can read")
    if kind == "video":
        v = _VIDEO.search(proc.stderr)
        frames = int(report.get("frame") or 0)
        if v is not None and v["fps"] and frames > 0:
            return frames / float(v["fps"])
    try:
        return max(0.0, int(report["out_time_us"]) / 1_000_000)
    except ValueError:
        raise ValueError(f"{path.name} has no {kind} stream ffmpeg can read") from None
