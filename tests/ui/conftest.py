"""Fixtures for the window tests: a command context over a real SQLite store, and
the main window. Dialog hooks are module attributes, replaced per test.

Service calls run off the GUI thread (ui/ops); `settle()` waits, with Qt's events
flowing, until every operations runner of the test has nothing left to do."""

from __future__ import annotations

import asyncio
import weakref

import pytest
from PySide6.QtGui import QUndoStack

from storyclip_desktop.ui import ops as ops_module
from storyclip_desktop.ui.commands import CommandContext, Events
from storyclip_desktop.ui.errors import ErrorBanner, ErrorReporter
from storyclip_desktop.ui.garbage import GuiThreadCollector

SETTLE_MS = 15_000


@pytest.fixture(autouse=True)
def gui_thread_garbage(qapp):
    """As in the app (ui/garbage): cyclic garbage is freed on the GUI thread, and what a
    test left behind (closed windows, a closed qasync loop whose timer object still has
    timers) is freed here at its end, after pytest-qt deleted its widgets, never by
    whichever worker thread of a later test happens to cross the collector's threshold."""
    collector = GuiThreadCollector()
    yield collector
    collector.close()


@pytest.fixture(autouse=True)
def runners(monkeypatch, gui_thread_garbage):
    """Every Ops made during the test, so `settle` can wait for all of them."""
    made: weakref.WeakSet = weakref.WeakSet()
    original = ops_module.Ops.__init__

    def tracking(self, *a, **kw):
        original(self, *a, **kw)
        made.add(self)

    monkeypatch.setattr(ops_module.Ops, "__init__", tracking)
    yield made
    for r in list(made):
        r.close()


@pytest.fixture
def qasync_loop(qapp):
    """An asyncio loop on Qt's event loop for the job engine; Qt's event processing
    (qtbot.waitUntil) runs its callbacks and tasks. It is never run or stopped (qasync's
    stop() calls QApplication.exit(), which sends aboutToQuit and makes every later
    QEventLoop.exec() return at once, so the next test's waits would end early);
    asyncio's hook for event-loop implementations (`asyncio._set_running_loop`, in
    `asyncio.__all__`; qasync's run_forever calls the same) names it this thread's
    running loop while the test lasts, and close() releases it. Nothing of qasync's
    private state is touched. The closed loop's timer object may still hold Qt timers:
    `gui_thread_garbage` frees it on this thread when the test ends."""
    qasync = pytest.importorskip("qasync")
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    asyncio._set_running_loop(loop)
    yield loop
    asyncio._set_running_loop(None)
    loop.close()
    asyncio.set_event_loop(None)


@pytest.fixture
def run_on(qtbot, qasync_loop):
    """run_on(coro): await it on the qasync loop while Qt's events flow; its result."""

    def run(coro, timeout: int = 30_000):
        task = qasync_loop.create_task(coro)
        qtbot.waitUntil(task.done, timeout=timeout)
        return task.result()

    return run


@pytest.fixture
def settle(qtbot, runners):
    def wait(timeout: int = SETTLE_MS) -> None:
        qtbot.waitUntil(lambda: all(r.idle() for r in list(runners)), timeout=timeout)

    return wait


@pytest.fixture
def push(ctx, settle):
    """push(cmd) -> ok: what CommandContext.push reports once the call came back."""

    def run(cmd, context=None, **kw) -> bool:
        outcome: list[bool] = []
        asked = (context or ctx).push(cmd, done=outcome.append, **kw)
        settle()
        return bool(asked and outcome and outcome[0])

    return run


@pytest.fixture
def ctx(qtbot, local_services):
    banner = ErrorBanner()
    qtbot.addWidget(banner)
    stack = QUndoStack()
    messages: list[str] = []
    reporter = ErrorReporter(banner, messages.append)
    c = CommandContext(local_services, stack, reporter, Events())
    c.messages = messages  # what the status bar would have shown
    yield c
    stack.clear()


@pytest.fixture
def project(local_services):
    return local_services.projects.create("테스트", script="첫 장면입니다.\n\n두 번째 장면입니다.")


@pytest.fixture
def split_project(local_services, project):
    local_services.scenes.split(project)
    return project


@pytest.fixture
def window(qtbot, local_services, settle):
    from storyclip_desktop.ui.main_window import MainWindow

    w = MainWindow(local_services)
    qtbot.addWidget(w)
    settle()  # the project list, the project and its first scene are read off the GUI thread
    yield w
    w.undo_stack.clear()


@pytest.fixture
def answer(monkeypatch):
    """answer.confirm(True/False) / answer.title("...") / answer.comment("...")."""

    class Answers:
        def confirm(self, value: bool) -> list:
            asked: list = []
            from storyclip_desktop.ui import errors

            def fake(parent, title, text, accept, *, detail=""):
                asked.append(text)
                return value

            monkeypatch.setattr(errors, "confirm", fake)
            return asked

        def title(self, value: str | None) -> list:
            asked: list = []
            from storyclip_desktop.ui.sidebar import title_dialog

            def fake(parent, *, heading, text="", accept_label):
                asked.append((heading, text))
                return value

            monkeypatch.setattr(title_dialog, "ask_title", fake)
            return asked

        def comment(self, value: str | None) -> list:
            asked: list = []
            from storyclip_desktop.ui.inspector import reject_dialog

            def fake(parent, scene_id, step):
                asked.append((scene_id, step))
                return value

            monkeypatch.setattr(reject_dialog, "ask_reject_comment", fake)
            return asked

    return Answers()
