"""Keep the cyclic garbage collector from pausing the window.

A full (generation 2) collection walks every object the process holds: with Qt,
SQLAlchemy, Pillow and httpx loaded that is ~50-90 ms with the GIL held, and 100 running
jobs allocate enough to trigger one. Freezing what exists once the app has started moves
those long-lived objects out of the collector's view; later collections stay short.
"""

from __future__ import annotations

import gc
import sys

_frozen = False


# Background threads (provider lanes, store and media workers) each hold the GIL for
# up to the switch interval before the loop thread gets a turn; with six of them on two
# cores the default 5 ms adds up to visible stalls. 1 ms keeps the window's thread close
# to the front of the queue for a small cost in throughput.
SWITCH_INTERVAL_S = 0.001


def freeze_startup_objects() -> bool:
    """Freeze once per process (and shorten the GIL switch interval); True the first
    time."""
    global _frozen
    if _frozen:
        return False
    gc.freeze()
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    _frozen = True
    return True


BACKGROUND_NICE = 10


def lower_thread_priority(nice: int = BACKGROUND_NICE) -> None:
    """Make the calling thread yield the CPU to the window's thread (Linux only: there a
    thread has its own nice value; elsewhere this does nothing). Used by the threads that
    decode and fit images, so a busy batch cannot starve repaints on a small machine."""
    import os
    import sys

    if not sys.platform.startswith("linux"):
        return
    try:
        import threading

        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, max(os.getpriority(os.PRIO_PROCESS, tid), nice))
    except (OSError, AttributeError):
        pass
