"""The style preview: one frame rendered by ffmpeg exactly as the export will draw it,
made off the window's thread and delivered by a signal."""

from __future__ import annotations

import secrets
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal


class FrameMaker(QObject):
    ready = Signal(int, str)   # request number, PNG path
    failed = Signal(int, str)  # request number, one-line reason

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._n = 0

    def request(self, plan: object, settings: object, cache_root: Path) -> int:
        """Render in a thread; only the newest request's answer matters to the caller."""
        self._n += 1
        n = self._n
        threading.Thread(target=self._work, args=(n, plan, settings, Path(cache_root)), daemon=True).start()
        return n

    def _work(self, n: int, plan: object, settings: object, cache_root: Path) -> None:
        from ...media.render import RenderError
        from ...media.render.pipeline import preview_frame
        from ...media.render.profile import proxy_profile
        from ...media.render.segments import SegmentCache

        cache = SegmentCache(cache_root)
        out = cache.work_dir() / f"preview-{secrets.token_hex(4)}.png"
        try:
            profile = proxy_profile(plan.width, plan.height, max_height=640)  # type: ignore[attr-defined]
            preview_frame(plan, settings, cache, out, profile=profile)  # type: ignore[arg-type]
        except RenderError as e:
            self.failed.emit(n, e.message)
            return
        except Exception as e:  # noqa: BLE001 - shown as one line; the export itself reports fully
            self.failed.emit(n, f"no preview ({type(e).__name__})")
            return
        self.ready.emit(n, str(out))
