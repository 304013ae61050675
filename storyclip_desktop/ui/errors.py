"""How the window tells the user what went wrong, and asks before destructive steps.

Services raise one-line errors a user can act on; here they become a status-bar message
plus an inline banner (or a message box when a destructive step failed). Callers never
clear what the user typed when a call fails: they only report.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QToolButton,
    QWidget,
)

from ..domain.validation import ValidationError
from ..services.errors import USER_ERRORS, one_line
from . import theme

__all__ = ["USER_ERRORS", "ErrorBanner", "ErrorReporter", "confirm", "message_for", "one_line"]

_FIELD_NAMES = {
    "title": "Title", "description": "Description", "script": "Script",
    "custom_style": "Custom style", "split_rule": "Split rule", "stability": "Stability",
    "image_gen_model": "Image model", "video_gen_model": "Video model",
    "voice_gen_model": "Voice", "resolution": "Resolution", "ratio": "Ratio",
    "narration": "Narration", "image_prompt": "Image prompt", "motion_prompt": "Motion prompt",
    "negative_prompt": "Negative prompt", "duration": "Duration", "comment": "Comment",
    "scene_json": "Scene JSON", "image_version": "Image",
}


def field_label(field: str) -> str:
    return _FIELD_NAMES.get(field, field.replace("_", " ").capitalize())


def message_for(exc: BaseException) -> str:
    """One readable line: 'Title must not be empty' rather than 'title: must not ...'."""
    text = f"{field_label(exc.field)} {exc.message}" if isinstance(exc, ValidationError) else one_line(exc)
    return text[:1].upper() + text[1:]


class ErrorBanner(QFrame):
    """A non-modal strip above the work area; it stays until dismissed or replaced so a
    message is never missed, and never steals focus from the field being edited."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ErrorBanner")
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 8, 8, 8)
        row.setSpacing(theme.GRID)
        self._icon = QLabel()
        self._icon.setPixmap(theme.icon("error").pixmap(16, 16))
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton()
        close.setIcon(theme.icon("close"))
        close.setToolTip("Dismiss")
        close.setAutoRaise(True)
        close.clicked.connect(self.hide)
        row.addWidget(self._icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.label, 1)
        row.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_message(self, text: str, level: str = "error") -> None:
        """`level` "error" (red) or "info" (accent: a report, e.g. which scenes a batch
        skipped, that needs no fixing)."""
        self.label.setText(text)
        if self.property("level") != level:
            self.setProperty("level", level)
            self._icon.setPixmap(theme.icon("info" if level == "info" else "error").pixmap(16, 16))
            self.style().unpolish(self)
            self.style().polish(self)
        self.show()

    @property
    def level(self) -> str:
        return str(self.property("level") or "error")


class ErrorReporter(QObject):
    """Where every failure goes. `status` is a callable showing a transient message."""

    reported = Signal(str)

    def __init__(self, banner: ErrorBanner | None = None, status: Callable[[str], None] | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.banner = banner
        self._status = status
        self.last: str | None = None
        self.window: QWidget | None = None  # parent for message boxes
        self.notice_status: Callable[[str], None] | None = None  # status line for notices

    def report(self, exc: BaseException | str, *, destructive: bool = False, parent: QWidget | None = None) -> str:
        text = exc if isinstance(exc, str) else message_for(exc)
        self.last = text
        if self._status:
            self._status(text)
        # A refused input changed nothing: the banner is enough. Other failures of a
        # destructive step get a box, so "was it deleted or not?" is never unclear.
        if destructive and not isinstance(exc, ValidationError):
            box = QMessageBox(QMessageBox.Icon.Warning, "StoryClip", text, QMessageBox.StandardButton.Ok,
                              parent or self.window)
            box.setWindowModality(Qt.WindowModality.WindowModal)
            # Shown asynchronously so a failure inside an undo command never nests loops.
            QTimer.singleShot(0, box.open)
        elif self.banner is not None:
            self.banner.show_message(text)
        self.reported.emit(text)
        return text

    def notify(self, text: str) -> None:
        """Something the user should read but need not fix (an info banner, no box)."""
        show = self.notice_status or self._status
        if show:
            show(text)
        if self.banner is not None:
            self.banner.show_message(text, "info")

    def clear(self) -> None:
        if self.banner is not None:
            self.banner.hide()

    def guard(self, *, destructive: bool = False) -> Guard:
        return Guard(self, destructive)


class Guard:
    """`with reporter.guard() as g: ...; if g.failed: return` reports user errors and
    lets programming errors through."""

    def __init__(self, reporter: ErrorReporter, destructive: bool) -> None:
        self.reporter, self.destructive = reporter, destructive
        self.failed = False
        self.error: BaseException | None = None

    def __enter__(self) -> Guard:
        return self

    def __exit__(self, et, exc, tb) -> bool:  # noqa: ANN001
        if exc is not None and isinstance(exc, USER_ERRORS):
            self.failed, self.error = True, exc
            self.reporter.report(exc, destructive=self.destructive)
            return True
        return False


def confirm(parent: QWidget | None, title: str, text: str, accept: str, *, detail: str = "") -> bool:
    """Ask before a destructive step; the default button is Cancel. Tests replace this
    module attribute to answer without a dialog."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton, parent)
    if detail:
        box.setInformativeText(detail)
    ok = box.addButton(accept, QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.exec()
    return box.clickedButton() is ok
