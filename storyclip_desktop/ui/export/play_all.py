"""Play all: the whole cut in timeline order at its spans, with the narration and burned
subtitles, as a fast low-resolution proxy rendered through the same segment cache (so a
second Play all after a one-scene change re-encodes that scene only)."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

if TYPE_CHECKING:
    from ...services.app import Services


class PlayAll(QObject):
    progressed = Signal(object, float)  # project id, fraction
    ready = Signal(object, str)  # project id, proxy path
    failed = Signal(object, str)  # project id, one-line reason

    def __init__(self, services: Services, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.busy: int | None = None

    def proxy_path(self, project_id: int) -> Path:
        return self.services.render_plan.media_root / ".render" / "proxy" / f"play-all-{project_id}.mp4"

    def start(self, project_id: int) -> bool:
        """Render (or reuse) the proxy off the window's thread; False if one is on its way."""
        if self.busy is not None:
            return False
        try:
            plan = self.services.render_plan.plan(project_id, strict=False)
        except Exception as e:  # noqa: BLE001 - a service error, one line
            self.failed.emit(project_id, getattr(e, "message", None) or str(e))
            return False
        self.busy = project_id
        threading.Thread(target=self._work, args=(project_id, plan), daemon=True).start()
        return True

    def _work(self, project_id: int, plan: object) -> None:
        from ...media.render import RenderError
        from ...media.render.pipeline import RenderSettings, render
        from ...media.render.profile import proxy_profile
        from ...media.render.segments import SegmentCache

        out = self.proxy_path(project_id)
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            cache = SegmentCache(self.services.render_plan.media_root / ".render" / "segments")
            render(
                plan, out, RenderSettings(subtitles="burn"), cache,  # type: ignore[arg-type]
                profile=proxy_profile(plan.width, plan.height),  # type: ignore[attr-defined]
                progress=lambda f: self.progressed.emit(project_id, f),
            )
        except RenderError as e:
            self.failed.emit(project_id, e.message)
        except Exception as e:  # noqa: BLE001 - one line in the preview; details in the log
            self.failed.emit(project_id, f"Play all could not be prepared ({type(e).__name__})")
        else:
            self.ready.emit(project_id, str(out))
        finally:
            self.busy = None
