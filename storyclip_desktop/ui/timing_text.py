"""How long scenes and the project last, in the words the window shows, read from the
render plan without opening any media file (so it is cheap enough for every edit)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from ..domain.render_plan import FPS
from .ops import Ops

if TYPE_CHECKING:
    from ..services import Services
    from .commands import CommandContext

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


def timing_reader(ctx: CommandContext) -> TimingReader:
    """The one reader of a window's context: the cards, the inspector and the project
    page all show the same plan, so one change costs one read (on a distant store the
    plan is several round trips) and every view takes the answer."""
    reader = getattr(ctx, "timing_reader", None)
    if reader is None:
        reader = ctx.timing_reader = TimingReader(ctx, ctx.events)
    return reader


class TimingReader(QObject):
    """Reads a project's timing through the operations layer (off the GUI thread) and
    hands it back on the GUI thread (`ready(project_id, ProjectTiming)`); a newer request
    supersedes one still waiting."""

    ready = Signal(object, object)

    def __init__(self, ctx: CommandContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        # Its own lane of the same operations runner: a plan is several reads (seconds on a
        # distant store) and must never hold up the edits and re-reads queued behind it.
        self._lane = Ops(lambda _e: None, self)

    def close(self) -> None:
        self._lane.close()

    def request(self, project_id: int | None) -> None:
        if project_id is None:
            return
        services = self.ctx.services
        self._lane.read(lambda: read_timing(services, project_id),
                        lambda timing: self.ready.emit(project_id, timing), key="timing")
