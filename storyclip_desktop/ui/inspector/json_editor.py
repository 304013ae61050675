"""The scene's raw JSON for power users. Errors show under the editor and the text
stays as typed until it is applied or reverted."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from .. import theme


def pretty(value: dict) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


class RawJsonEditor(QWidget):
    applyRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._loaded = ""
        self.edit = QPlainTextEdit()
        self.edit.setFont(theme.mono_font())
        self.edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.edit.setTabChangesFocus(True)
        self.edit.setAccessibleName("Scene JSON")
        self.edit.textChanged.connect(self._on_text)
        self.error = theme.set_role(QLabel(), "error")
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.hide()
        self.apply_button = QPushButton("&Apply JSON")
        self.apply_button.setProperty("primary", True)
        self.apply_button.clicked.connect(lambda: self.applyRequested.emit(self.edit.toPlainText()))
        self.revert_button = QPushButton("Re&vert")
        self.revert_button.clicked.connect(self.revert)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.revert_button)
        buttons.addWidget(self.apply_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 16, 16, 16)
        lay.setSpacing(8)
        lay.addWidget(self.edit, 1)
        lay.addWidget(self.error)
        lay.addLayout(buttons)
        self._on_text()

    def text(self) -> str:
        return self.edit.toPlainText()

    def is_dirty(self) -> bool:
        return self.text() != self._loaded

    def set_json(self, value: dict | None, *, force: bool = False) -> None:
        """Load the stored JSON unless the user has edits here (then `force` decides)."""
        text = pretty(value) if value is not None else ""
        if force or not self.is_dirty():
            self._loaded = text
            if self.edit.toPlainText() != text:
                self.edit.setPlainText(text)
            self.clear_error()
        else:
            self._loaded = text
        self._on_text()

    def revert(self) -> None:
        self.edit.setPlainText(self._loaded)
        self.clear_error()

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
        theme.set_invalid(self.edit, True)

    def clear_error(self) -> None:
        self.error.hide()
        theme.set_invalid(self.edit, False)

    def _on_text(self) -> None:
        dirty = self.is_dirty()
        self.apply_button.setEnabled(dirty)
        self.revert_button.setEnabled(dirty)
