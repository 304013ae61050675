"""Python's cyclic garbage is freed on the GUI thread, never on a worker's.

The cyclic collector runs on whichever thread allocates when a threshold is crossed: the
operations worker, the outside-change watcher, an export, a decode. A Qt object in a
reference cycle (a closed dialog, a closed event loop's timer object) freed there is
destroyed off the thread it lives on; Qt then cannot unregister its timers ("QObject::
~QObject: Timers cannot be stopped from another thread") and the next of them to fire
reaches freed memory: a segfault in QTimerInfoList::activateTimers, long after and far
from the cause. So while the window runs, automatic collection is off and the GUI thread
collects on a timer, generation by generation, when Python's own thresholds say so (the
established Qt-and-Python remedy; the objects frozen at start-up, jobs/tuning, keep full
collections short).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

INTERVAL_MS = 250


class GuiThreadCollector(QObject):
    """Turns automatic collection off for as long as it lives (until `close`)."""

    def __init__(self, parent: QObject | None = None, *, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self._restore = gc.isenabled()
        gc.disable()
        self._timer = QTimer(self, interval=interval_ms, timeout=self.check)
        self._timer.start()

    def check(self) -> int:
        """Collect the youngest generations whose counts passed Python's thresholds (as
        the automatic collector would have); the number of objects freed."""
        counts, thresholds = gc.get_count(), gc.get_threshold()
        due = -1
        for generation in range(3):
            if counts[generation] <= thresholds[generation]:
                break
            due = generation
        return gc.collect(due) if due >= 0 else 0

    def close(self) -> None:
        """Collect everything on this thread, then give collection back to Python."""
        self._timer.stop()
        gc.collect()
        if self._restore:
            gc.enable()
