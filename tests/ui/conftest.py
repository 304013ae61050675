"""Fixtures for the window tests: a command context over a real SQLite store, and
the main window. Dialog hooks are module attributes, replaced per test."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QUndoStack

from storyclip_desktop.ui.commands import CommandContext, Events
from storyclip_desktop.ui.errors import ErrorBanner, ErrorReporter


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
def window(qtbot, local_services):
    from storyclip_desktop.ui.main_window import MainWindow

    w = MainWindow(local_services)
    qtbot.addWidget(w)
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
