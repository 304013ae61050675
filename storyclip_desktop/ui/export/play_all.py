"""Play all: the whole cut in timeline order at its spans, with the narration and burned
subtitles, as a fast low-resolution proxy rendered through the same segment cache (so a
second Play all after a one-scene change re-encodes that scene only).

The plan and the render run on a lane of their own (ui/ops): seconds to minutes of
ffmpeg never hold up the window's edits. The render's threads only write a number that
a GUI-thread timer reads, so nothing is ever emitted from them."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from ..ops import Ops

if TYPE_CHECKING:
    from ...media.render.ffmpeg import Cancel
    from ...services.app import Services

BUSY = "play-all"  # one proxy at a time, whichever project
PROGRESS_MS = 200


class _Fraction:
    """How far the render is: written by its threads, read by the GUI thread's timer
    (one float assignment, atomic under the GIL)."""

    value: float | None = None


class PlayAll(QObject):
    progressed = Signal(object, float)  # project id, fraction
    ready = Signal(object, str)  # project id, proxy path
    failed = Signal(object, str)  # project id, one-line reason
    running = Signal(bool)  # a proxy is on its way (Play all is greyed meanwhile)

    def __init__(self, services: Services, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self._lane = Ops(lambda _e: None, self)
        self._lane.busyChanged.connect(lambda _key, busy: self.running.emit(busy))
        self._cancel: Cancel | None = None
        self._shown: tuple[int, _Fraction, float | None] | None = None  # project, its fraction, last told
        self._poll = QTimer(self, interval=PROGRESS_MS, timeout=self._tell_progress)

    def proxy_path(self, project_id: int) -> Path:
        return self.services.render_plan.media_root / ".render" / "proxy" / f"play-all-{project_id}.mp4"

    @property
    def busy(self) -> bool:
        return self._lane.is_busy(BUSY)

    def start(self, project_id: int) -> bool:
        """Plan and render (or reuse) the proxy off the window's thread; False if one is on its way."""
        from ...media.render.ffmpeg import Cancel

        services, out, fraction, cancel = self.services, self.proxy_path(project_id), _Fraction(), Cancel()
        if not self._lane.read(lambda: _render(services, project_id, out, fraction, cancel),
                               lambda path: self._finished(project_id, path, None),
                               failure=lambda e: self._finished(project_id, None, e), busy=BUSY):
            return False
        self._cancel, self._shown = cancel, (project_id, fraction, None)
        self._poll.start()
        return True

    def close(self) -> None:
        """The window goes: stop the render (its ffmpegs are killed) and tell nobody."""
        self._poll.stop()
        if self._cancel is not None:
            self._cancel.set()
        self._lane.close()

    def _tell_progress(self) -> None:
        if self._shown is None:
            return
        pid, fraction, told = self._shown
        if fraction.value is not None and fraction.value != told:
            self._shown = (pid, fraction, fraction.value)
            self.progressed.emit(pid, fraction.value)

    def _finished(self, project_id: int, path: str | None, error: BaseException | None) -> None:
        self._poll.stop()
        self._cancel = self._shown = None
        if error is None:
            self.ready.emit(project_id, path)
        else:
            # A service or render error has its line; anything else is named, details in the log.
            self.failed.emit(project_id, getattr(error, "message", None)
                             or f"Play all could not be prepared ({type(error).__name__})")


def _render(services: Services, project_id: int, out: Path, fraction: _Fraction, cancel: Cancel) -> str:
    """On the lane's worker: the plan (store reads) and the proxy."""
    from ...media.render.pipeline import RenderSettings, render
    from ...media.render.profile import proxy_profile
    from ...media.render.segments import SegmentCache

    plan = services.render_plan.plan(project_id, strict=False)
    out.parent.mkdir(parents=True, exist_ok=True)
    cache = SegmentCache(services.render_plan.media_root / ".render" / "segments")

    def progress(f: float) -> None:
        fraction.value = f

    render(plan, out, RenderSettings(subtitles="burn"), cache, profile=proxy_profile(plan.width, plan.height),
           cancel=cancel, progress=progress)
    return str(out)
