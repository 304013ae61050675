"""The scene's review history, newest first, with reviewers' comments."""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from ...services.views import Review
from .. import theme

_VERBS = {"confirm_prompt": "Prompt confirmed", "confirm_image": "Image confirmed", "reject": "Rejected"}


def _local(dt: datetime) -> datetime:
    """The store keeps UTC (naive on SQLite); reviewers read their own clock."""
    return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).astimezone()


def _dim() -> str:
    return QApplication.palette().color(QPalette.ColorRole.PlaceholderText).name()


class ReviewHistory(QScrollArea):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._box = QWidget()
        self._lay = QVBoxLayout(self._box)
        self._lay.setContentsMargins(16, 16, 16, 16)
        self._lay.setSpacing(8)
        self.setWidget(self._box)
        self.entries: list[QLabel] = []

    def set_reviews(self, reviews: list[Review]) -> None:
        while self._lay.count():
            item = self._lay.takeAt(0)
            if item.widget():
                item.widget().hide()  # deleteLater waits for the event loop
                item.widget().deleteLater()
        self.entries = []
        if not reviews:
            self._lay.addWidget(theme.set_role(QLabel("No reviews yet."), "hint"))
        for r in reversed(reviews):
            self.entries.append(self._entry(r))
            self._lay.addWidget(self.entries[-1])
        self._lay.addStretch(1)

    @staticmethod
    def _entry(r: Review) -> QLabel:
        colour = theme.DANGER if r.action == "reject" else theme.status_color(r.to_status).name()
        when = _local(r.created_at).strftime("%Y-%m-%d %H:%M") if r.created_at else ""
        steps = f"{theme.status_label(r.from_status)} → {theme.status_label(r.to_status)}"
        html = (
            f"<b style='color:{colour}'>{escape(_VERBS.get(r.action, r.action))}</b>"
            f"&nbsp;&nbsp;<span style='color:{_dim()}'>{escape(when)}</span><br>"
            f"<span>{escape(steps)}</span>"
        )
        if r.comment:
            html += f"<br><i>“{escape(r.comment)}”</i>"
        label = QLabel(html)
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setProperty("role", "card")
        label.setContentsMargins(8, 8, 8, 8)
        label.setFrameShape(QFrame.Shape.StyledPanel)
        return label
