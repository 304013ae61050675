"""Smoke: the window opens a 1,000-scene project and paints promptly."""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject

from storyclip_desktop.ui.main_window import MainWindow

SCENES = 1000


class _FirstPaint(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.at: float | None = None

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.Paint and self.at is None:
            self.at = time.perf_counter()
        return False


def test_first_paint_with_1000_scenes(qtbot, local_services):
    pid = local_services.projects.create("천 장면", script="긴 대본")
    chunks = [f"장면 {i}: 바람이 불고 낙엽이 떨어진다. Scene {i} of the long walk." for i in range(1, SCENES + 1)]
    local_services.scenes.split(pid, chunks=chunks)

    start = time.perf_counter()
    window = MainWindow(local_services)
    qtbot.addWidget(window)
    built = time.perf_counter()
    probe = _FirstPaint()
    window.installEventFilter(probe)
    window.resize(1440, 900)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: probe.at is not None, timeout=10_000)

    first_paint_ms = (probe.at - start) * 1000
    print(f"\n1,000-scene project: window built in {(built - start) * 1000:.0f} ms, "
          f"first paint after {first_paint_ms:.0f} ms")
    qtbot.waitUntil(lambda: window.current_project_id() == pid and window.timeline.model.rowCount() == SCENES,
                    timeout=10_000)  # the list and the cards are read off the GUI thread
    assert local_services.projects.get(pid).scene_count == SCENES
    assert probe.at is not None
    assert first_paint_ms < 5_000  # generous: CI machines vary; the print is the measure
