"""Ask the reviewer what needs to change before rejecting a scene."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ...domain.validation import COMMENT_MAX
from .. import theme
from ..project_page.counter import CharCounter


class RejectDialog(QDialog):
    """A comment is required: an editor cannot act on a bare 'rejected'."""

    def __init__(self, parent: QWidget | None, scene_id: str, step: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Reject {scene_id}")
        self.setMinimumWidth(440)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 16, 16, 16)
        lay.setSpacing(8)
        intro = QLabel(f"Send the {step} of <b>{scene_id}</b> back for rework. What needs to change?")
        intro.setWordWrap(True)
        self.edit = QPlainTextEdit()
        self.edit.setTabChangesFocus(True)
        self.edit.setPlaceholderText("e.g. 인물 없이 풍경만 보여 주세요 / show only the scenery")
        self.edit.setAccessibleName("Rejection comment")
        self.counter = CharCounter(COMMENT_MAX)
        self.reason = theme.set_role(QLabel(" "), "error")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Reject")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.edit.textChanged.connect(self._check)
        lay.addWidget(intro)
        lay.addWidget(self.edit, 1)
        foot = QHBoxLayout()
        foot.addWidget(self.reason, 1)
        foot.addWidget(self.counter)
        lay.addLayout(foot)
        lay.addWidget(self.buttons)
        self._check()

    def comment(self) -> str:
        return self.edit.toPlainText().strip()

    def _check(self) -> None:
        text = self.edit.toPlainText()
        fits = self.counter.update_count(text)
        empty = not text.strip()
        # An empty comment is a hint, not an error: the reviewer has not typed yet.
        self.reason.setText("A comment is required." if empty else ("" if fits else f"At most {COMMENT_MAX:,} characters."))
        theme.set_role(self.reason, "hint" if empty else "error")
        self.reason.style().unpolish(self.reason)
        self.reason.style().polish(self.reason)
        self.ok.setEnabled(fits and not empty)


def ask_reject_comment(parent: QWidget | None, scene_id: str, step: str) -> str | None:
    """Tests replace this module attribute to answer without a dialog."""
    dlg = RejectDialog(parent, scene_id, step)
    return dlg.comment() if dlg.exec() == QDialog.DialogCode.Accepted else None
