"""Running the bundled ffmpeg: one process per call, arguments as a list, progress read
from `-progress pipe:1`, and a cancel that ends the process at once."""

from __future__ import annotations

import contextlib
import errno
import functools
import re
import subprocess
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import imageio_ffmpeg

from .errors import DiskFull, RenderCancelled, RenderError, RenderUnavailable

# What a render needs from the binary; the message names whatever is missing.
NEEDED_FILTERS = (
    "subtitles", "loudnorm", "sidechaincompress", "amix", "alimiter", "tpad", "setpts",
    "fps", "scale", "crop", "trim", "atrim", "apad", "aresample", "volume", "asplit", "ebur128",
)
NEEDED_ENCODERS = ("libx264", "aac")
NEEDED_FORMATS = ("concat", "mp4")
_ENOSPC = re.compile(r"No space left on device|ENOSPC", re.I)


@functools.cache
def ffmpeg_exe() -> str:
    return imageio_ffmpeg.get_ffmpeg_exe()


def _names(flag: str) -> set[str]:
    out = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", flag], capture_output=True, text=True, errors="replace", timeout=30
    ).stdout
    names: set[str] = set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0] != "=" and not line.startswith(" ="):
            names.update(parts[1].split(","))
    return names


@functools.cache
def check_capabilities() -> None:
    """Raise RenderUnavailable naming every filter, encoder or format this ffmpeg lacks."""
    from concurrent.futures import ThreadPoolExecutor

    try:
        # Three listings at once: each is an ffmpeg start-up (~0.15 s), paid by the first export.
        with ThreadPoolExecutor(3) as pool:
            filters, encoders, formats = pool.map(_names, ("-filters", "-encoders", "-formats"))
    except (OSError, subprocess.SubprocessError) as e:
        raise RenderUnavailable(f"ffmpeg cannot run on this machine ({e})") from None
    missing = [f"filter {n}" for n in NEEDED_FILTERS if n not in filters]
    missing += [f"encoder {n}" for n in NEEDED_ENCODERS if n not in encoders]
    missing += [f"format {n}" for n in NEEDED_FORMATS if n not in formats]
    if missing:
        raise RenderUnavailable(f"this ffmpeg ({ffmpeg_exe()}) lacks {', '.join(missing)}")


class Cancel:
    """Shared by every ffmpeg of one export: set() ends them all."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._procs: set[subprocess.Popen] = set()
        self._lock = threading.Lock()

    def set(self) -> None:
        self._event.set()
        with self._lock:
            for p in list(self._procs):
                with contextlib.suppress(OSError):
                    p.kill()

    @property
    def is_set(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise RenderCancelled()

    def _track(self, proc: subprocess.Popen) -> None:
        with self._lock:
            self._procs.add(proc)
        if self._event.is_set():
            with contextlib.suppress(OSError):
                proc.kill()

    def _untrack(self, proc: subprocess.Popen) -> None:
        with self._lock:
            self._procs.discard(proc)


@dataclass(frozen=True)
class Run:
    stderr: str


def run(
    args: Sequence[str],
    *,
    what: str,
    cancel: Cancel | None = None,
    on_seconds: Callable[[float], None] | None = None,
    cwd: Path | None = None,
) -> Run:
    """Run ffmpeg with `args` (after the binary). `on_seconds` gets the output time written
    so far (from -progress). Raises RenderCancelled, DiskFull or RenderError(`what` + the
    last line ffmpeg said)."""
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-y"]
    if on_seconds is not None:
        cmd += ["-progress", "pipe:1"]
    cmd += list(args)
    if cancel is not None:
        cancel.check()
    proc = subprocess.Popen(
        cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE if on_seconds else subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True, errors="replace",
    )
    if cancel is not None:
        cancel._track(proc)
    err_lines: list[str] = []
    reader = threading.Thread(target=_drain, args=(proc.stderr, err_lines), daemon=True)
    reader.start()
    try:
        if on_seconds is not None and proc.stdout is not None:
            for line in proc.stdout:
                seconds = parse_progress_line(line)
                if seconds is not None:
                    on_seconds(seconds)
        rc = proc.wait()
    except BaseException:
        with contextlib.suppress(OSError):
            proc.kill()
        proc.wait()
        raise
    finally:
        if cancel is not None:
            cancel._untrack(proc)
        reader.join(timeout=5)
    stderr = "".join(err_lines)
    if cancel is not None and cancel.is_set:
        raise RenderCancelled()
    if rc != 0:
        if _ENOSPC.search(stderr):
            raise DiskFull(f"{what}: the disk is full")
        raise RenderError(f"{what}: {last_line(stderr) or f'ffmpeg exited with {rc}'}")
    return Run(stderr)


def _drain(stream, sink: list[str]) -> None:  # noqa: ANN001 - a text pipe
    for line in stream:
        sink.append(line)
        if len(sink) > 400:  # keep the tail only; a long render prints a lot
            del sink[:200]


def parse_progress_line(line: str) -> float | None:
    """Seconds of output from one `-progress` line (`out_time_us=...`), else None."""
    key, _, value = line.strip().partition("=")
    if key in ("out_time_us", "out_time_ms"):  # both are microseconds in ffmpeg
        with contextlib.suppress(ValueError):
            us = int(value)
            return us / 1_000_000 if us >= 0 else None
    return None


def last_line(stderr: str) -> str:
    lines = [ln.strip() for ln in stderr.splitlines() if ln.strip()]
    return lines[-1][:300] if lines else ""


def oserror_text(e: OSError, what: str) -> RenderError:
    if e.errno == errno.ENOSPC:
        return DiskFull(f"{what}: the disk is full")
    return RenderError(f"{what}: {e.strerror or e}")
