"""The style preview: one frame rendered by ffmpeg exactly as the export will draw it,
made off the window's thread on a lane of its own and delivered by a signal."""

from __future__ import annotations

import secrets
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from ..ops import Ops


class FrameMaker(QObject):
    ready = Signal(int, str)   # request number, PNG path
    failed = Signal(int, str)  # request number, one-line reason

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._n = 0
        # Its own lane: a frame takes seconds of ffmpeg and must not hold up the
        # window's edits; a newer request supersedes one still waiting.
        self._lane = Ops(lambda _e: None, self)

    def request(self, plan: object, settings: object, cache_root: Path) -> int:
        """Render off the GUI thread; only the newest request's answer matters to the caller."""
        self._n += 1
        n, root = self._n, Path(cache_root)
        self._lane.read(lambda: _render(plan, settings, root), lambda path: self.ready.emit(n, path),
                        failure=lambda e: self.failed.emit(n, _reason(e)), key="frame")
        return n

    def close(self) -> None:
        self._lane.close()


def _render(plan: object, settings: object, cache_root: Path) -> str:  # on the lane's worker
    from ...media.render.pipeline import preview_frame
    from ...media.render.profile import proxy_profile
    from ...media.render.segments import SegmentCache

    cache = SegmentCache(cache_root)
    out = cache.work_dir() / f"preview-{secrets.token_hex(4)}.png"
    profile = proxy_profile(plan.width, plan.height, max_height=640)  # type: ignore[attr-defined]
    preview_frame(plan, settings, cache, out, profile=profile)  # type: ignore[arg-type]
    return str(out)


def _reason(e: BaseException) -> str:
    from ...media.render import RenderError

    if isinstance(e, RenderError):
        return e.message
    return f"no preview ({type(e).__name__})"  # one line; the export itself reports fully
