"""Qt objects in garbage cycles are freed on the GUI thread (ui/garbage), never on the
worker thread that happens to allocate when Python's collector is due: one freed there
leaves its timers registered, and the next timer event crashes the process (the segfault
the window tests hit in pytest-qt's event processing, a whole suite in one process)."""

from __future__ import annotations

import gc
import threading

from PySide6.QtCore import QObject, Qt

from storyclip_desktop.ui.garbage import GuiThreadCollector


def _cyclic_qobject(freed_on: list[str]) -> None:
    obj = QObject()
    obj.destroyed.connect(lambda: freed_on.append(threading.current_thread().name),
                          Qt.ConnectionType.DirectConnection)
    obj.itself = obj  # a cycle: only the cyclic collector frees it


def _churn() -> None:
    """A worker's allocations: far past the threshold at which Python collects."""
    kept = []
    for _ in range(20):
        kept.append([[] for _ in range(gc.get_threshold()[0])])


def test_a_worker_thread_never_frees_the_windows_garbage(qapp) -> None:
    gc.enable()  # as outside the window: the worker below would collect
    collector = GuiThreadCollector()
    assert not gc.isenabled()
    freed_on: list[str] = []
    _cyclic_qobject(freed_on)

    worker = threading.Thread(target=_churn, name="worker")
    worker.start()
    worker.join()
    assert freed_on == []  # not on the worker ...

    collector.close()
    assert freed_on == [threading.main_thread().name]  # ... but here
    assert gc.isenabled()  # Python collects by itself again


def test_the_gui_thread_collects_when_python_would_have(qtbot) -> None:
    collector = GuiThreadCollector(interval_ms=20)
    try:
        freed_on: list[str] = []
        _cyclic_qobject(freed_on)
        threshold = gc.get_threshold()[0]
        for _ in range(threshold + 10):  # young cyclic garbage past generation 0's threshold
            cycle: list = []
            cycle.append(cycle)
        assert gc.get_count()[0] > threshold
        qtbot.waitUntil(lambda: gc.get_count()[0] < threshold, timeout=5_000)
        assert freed_on == [threading.main_thread().name]
        assert collector.check() == 0  # nothing due any more
    finally:
        collector.close()
