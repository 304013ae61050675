"""How long scenes and the project last, in the words the window shows, read from the
render plan without opening any media file (so it is cheap enough for every edit)."""

from __future__ import annotations

import contextlib
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from ..domain.render_plan import FPS

if TYPE_CHECKING:
    from ..services import Services

FIT_LABELS = {"hold": "hold last frame", "loop": "loop", "slow": "slow down", "trim": "trimmed", "still": "still"}


def seconds_text(frames: int) -> str:
    """4.6 s under a minute, else 1:05.3."""
    seconds = frames / FPS
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}:{rest:04.1f}"


@dataclass(frozen=True)
class SceneTiming:
    frames: int
    why: str  # "from the narration" | "duration set here" | "the clip's length" | "no narration yet"
    fit: str
    stale: bool

    @property
    def text(self) -> str:
        return seconds_text(self.frames)


@dataclass(frozen=True)
class ProjectTiming:
    total_frames: int = 0
    scenes: dict[str, SceneTiming] = field(default_factory=dict)
    notice: str | None = None  # "Narration out of date: S2 and S5 changed since it was made"

    @property
    def total_text(self) -> str:
        return seconds_text(self.total_frames)


def read_timing(services: Services, project_id: int) -> ProjectTiming:
    """The project's timing; empty (no scenes, or it cannot be planned) on any failure."""
    try:
        plan = services.render_plan.plan(project_id, strict=False, measure_files=False)
        set_by_editor = {
            s.scene_id for s in services.scenes.list(project_id) if s.scene_json.get("duration") is not None
        }
    except Exception:  # noqa: BLE001 - no durations is better than an error on every edit
        return ProjectTiming()
    stale = set(plan.stale.changed_scene_ids) if plan.stale else set()
    scenes = {}
    for s in plan.scenes:
        if s.narration_span is not None:
            why = "from the narration"
        elif s.scene_id in set_by_editor:
            why = "duration set here"
        elif s.source == "clip" and s.source_frames == s.frames:
            why = "the clip's length"
        else:
            why = "no narration yet"
        scenes[s.scene_id] = SceneTiming(s.frames, why, s.fit, s.scene_id in stale)
    notice = None
    if plan.stale:
        reason = plan.stale.reason.removeprefix("the narration is out of date: ")
        notice = f"Narration out of date: {reason}. Generate the narration again."
    return ProjectTiming(plan.total_frames, scenes, notice)


class TimingReader(QObject):
    """Reads a project's timing on a worker thread and hands it back on the GUI thread
    (`ready(project_id, ProjectTiming)`): the plan's store reads stay off the GUI thread,
    as key lookups do."""

    ready = Signal(object, object)

    def __init__(self, services: Services, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="storyclip-timing")
        self._asked = 0

    def request(self, project_id: int | None) -> None:
        if project_id is None:
            return
        self._asked += 1
        ticket = self._asked
        future = self._pool.submit(read_timing, self.services, project_id)
        future.add_done_callback(lambda f: self._deliver(ticket, project_id, f))

    def _deliver(self, ticket: int, project_id: int, future: Future) -> None:
        if ticket != self._asked:
            return  # a newer request is on its way
        with contextlib.suppress(RuntimeError):  # the reader was deleted meanwhile
            self.ready.emit(project_id, future.result())
