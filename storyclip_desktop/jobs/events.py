"""What the engine tells the window: a plain observer list, called on the loop thread."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from ..services.generation_jobs import JobView

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobEvent:
    job_id: int
    state: str
    progress: float  # 0.0 .. 1.0
    job: JobView | None = None  # the row as last written, when the engine has it


Observer = Callable[[JobEvent], None]


class Observers:
    def __init__(self) -> None:
        self._fns: list[Observer] = []

    def subscribe(self, fn: Observer) -> Callable[[], None]:
        """Add `fn`; the returned function removes it again."""
        self._fns.append(fn)

        def unsubscribe() -> None:
            if fn in self._fns:
                self._fns.remove(fn)

        return unsubscribe

    def emit(self, event: JobEvent) -> None:
        for fn in list(self._fns):
            try:
                fn(event)
            except Exception:  # a broken view must never stop a paid job
                log.exception("job observer failed")
