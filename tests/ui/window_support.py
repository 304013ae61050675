"""Helpers for the window tests."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtGui import QFocusEvent, QInputMethodEvent
from PySide6.QtWidgets import QApplication, QWidget


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
