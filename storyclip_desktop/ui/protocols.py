"""What the window expects of the parts plugged into it after it is built (the job
engine's controller and panel: ui/generation.py). Typed, so a missing method is a type
error instead of a silently skipped `hasattr`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import QHBoxLayout

if TYPE_CHECKING:
    from ..services.generation_plan import Choice


class GenerationHooks(Protocol):
    """Behind the Generate actions (ui/generation.GenerationController)."""

    runningChanged: SignalInstance  # int: jobs queued or running
    sceneBusy: SignalInstance  # project id, scene id, busy
    jobFinished: SignalInstance  # JobView
    batchQueued: SignalInstance  # BatchResult
    errorOccurred: SignalInstance  # exception or line
    choicesChanged: SignalInstance

    @property
    def ready(self) -> bool: ...

    def choices(self, project_id: int) -> dict[str, Choice] | None: ...

    def generate(self, kind: str, project_id: int, scene_ids: Sequence[str] | None = None) -> Any: ...

    def busy_scenes(self, project_id: int | None) -> list[str]: ...


class JobsPanelLike(Protocol):
    """The jobs panel the window puts in its dock (ui/jobs_panel.JobsPanel)."""

    header_row: QHBoxLayout  # the dock's title row: the window adds its close button
    jobActivated: SignalInstance  # JobView: show its scene
