"""Ask for a project title; checks 1..10 characters as the user types (characters,
not bytes: ten Hangul syllables are fine) and says why OK is disabled."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ...domain import validation as v
from .. import theme
from ..errors import message_for
from ..project_page.counter import CharCounter


def title_problem(text: str) -> str | None:
    """Why `text` is not a valid title, or None."""
    try:
        v.title(text)
    except v.ValidationError as e:
        return message_for(e)
    return None


class TitleDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, *, heading: str = "New project",
                 text: str = "", accept_label: str = "Create") -> None:
        super().__init__(parent)
        self.setWindowTitle(heading)
        self.setMinimumWidth(400)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 16, 16, 16)
        lay.setSpacing(8)
        label = QLabel("&Title")
        self.edit = QLineEdit(text)
        self.edit.setPlaceholderText("e.g. 서울의 가을")
        self.edit.setAccessibleName("Project title")
        label.setBuddy(self.edit)
        self.counter = CharCounter(v.TITLE_MAX)
        head = QHBoxLayout()
        head.addWidget(label)
        head.addStretch(1)
        head.addWidget(self.counter)
        self.reason = theme.set_role(QLabel(), "error")
        self.reason.setWordWrap(True)
        self.reason.setAccessibleName("Why the title is not accepted")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(accept_label)
        self.buttons.accepted.connect(self._accept_if_valid)
        self.buttons.rejected.connect(self.reject)
        lay.addLayout(head)
        lay.addWidget(self.edit)
        lay.addWidget(self.reason)
        lay.addSpacing(8)
        lay.addWidget(self.buttons)
        self._typed = False  # nothing is wrong before the user has typed
        self.edit.textChanged.connect(self._on_typed)
        self.edit.selectAll()
        self._check(text)

    def title(self) -> str:
        return self.edit.text()

    def _on_typed(self, text: str) -> None:
        self._typed = True
        self._check(text)

    def _check(self, text: str) -> None:
        problem = title_problem(text)
        self.counter.update_count(text)
        # An empty field before any typing is where the user starts, not a mistake: OK
        # stays off, but no error is shown until they type (or erase) something.
        self.reason.setText(problem if problem and (self._typed or text) else " ")
        self.ok.setEnabled(problem is None)
        theme.set_invalid(self.edit, problem is not None and bool(text))

    def _accept_if_valid(self) -> None:
        if title_problem(self.title()) is None:
            self.accept()


def ask_title(parent: QWidget | None, *, heading: str, text: str = "", accept_label: str) -> str | None:
    """Tests replace this module attribute to answer without a dialog."""
    dlg = TitleDialog(parent, heading=heading, text=text, accept_label=accept_label)
    return dlg.title() if dlg.exec() == QDialog.DialogCode.Accepted else None
