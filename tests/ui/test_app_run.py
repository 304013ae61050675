"""`ui.app.run()` end to end: qasync loop, services, the sample project, the window.

Runs in a child process: run() owns the QApplication (theme, quit) and the asyncio
loop, which must not leak into the other window tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys

CHILD = r"""
import asyncio, json, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from storyclip_desktop.ui import app as ui_app
from storyclip_desktop.ui.main_window import MainWindow

seen = {}

def quit_soon(tries=[0]):
    win = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible())
    tries[0] += 1
    if win.windowTitle() == "StoryClip" and tries[0] < 100:  # the project is read off the GUI thread
        QTimer.singleShot(100, quit_soon)
        return
    seen.update(project=win.current_project_id(), title=win.windowTitle(),
                loop=type(asyncio.get_event_loop()).__name__,
                app=QApplication.instance().applicationName())
    win.close()
    QApplication.instance().quit()

ui_app.make_app([sys.argv[0]])
QTimer.singleShot(500, quit_soon)
seen["rc"] = ui_app.run()
print("RESULT " + json.dumps(seen))
"""


def test_run_opens_the_sample_on_first_start_and_returns_zero(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, timeout=120)
    line = next((x for x in out.stdout.splitlines() if x.startswith("RESULT ")), None)
    assert line, out.stderr[-2000:]
    seen = json.loads(line[len("RESULT "):])
    assert seen["rc"] == 0
    assert seen["project"] is not None
    assert seen["title"].startswith("서울의 가을")
    assert seen["loop"] == "QSelectorEventLoop"  # qasync drives asyncio
    assert seen["app"] == "StoryClip"

    from storyclip_desktop.services import Services

    sv = Services.open()  # the same isolated data dir the child used
    try:
        assert [p.title for p in sv.projects.list()] == ["서울의 가을"]
    finally:
        sv.close()
