"""Helpers for the window tests."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtGui import QFocusEvent, QInputMethodEvent
from PySide6.QtWidgets import QApplication, QWidget


def title_card_project(services, durations: tuple[float, float, float]) -> int:
    """A project of three scenes with nothing generated yet (title cards) of these
    durations in seconds; its id."""
    pid = services.projects.create("카드 Cards")
    services.scenes.split(pid, chunks=["첫 장면 first", "둘째 장면 second", "셋째 장면 third"])
    services.scenes.set_durations(pid, dict(zip(("S1", "S2", "S3"), durations, strict=True)))
    return pid


def type_ime(widget: QWidget, text: str) -> None:
    """Type like a Korean IME does: each syllable arrives as a committed string (QTest's
    keyClicks only knows keys that exist on a Latin keyboard)."""
    for ch in text:
        ev = QInputMethodEvent("", [])
        ev.setCommitString(ch)
        QApplication.sendEvent(widget, ev)


def focus_out(widget: QWidget) -> None:
    """What leaving a field does, without depending on window activation offscreen."""
    QApplication.sendEvent(widget, QFocusEvent(QEvent.Type.FocusOut))
