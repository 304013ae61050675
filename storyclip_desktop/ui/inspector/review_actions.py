"""The reviewer's actions, shared by the Review menu and the inspector's buttons so
both are enabled by the same state-machine check."""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence

from ...domain.status import SceneAction, SceneStatus, can
from .. import theme


class ReviewActions(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.confirm = QAction(theme.icon("check"), "&Confirm", self)
        self.confirm.setShortcuts([QKeySequence("Ctrl+Return"), QKeySequence("Ctrl+Enter")])
        self.confirm.setToolTip("Confirm the step under review (Ctrl+Return)")
        self.confirm_prompt = QAction(theme.icon("check_prompt"), "Confirm &prompt", self)
        self.confirm_image = QAction(theme.icon("check_image"), "Confirm &image", self)
        self.reject = QAction(theme.icon("reject"), "&Reject…", self)
        self.reject.setShortcut(QKeySequence("Ctrl+Backspace"))
        self.reject.setToolTip("Send the step back for rework, with a comment (Ctrl+Backspace)")
        self.update_for(None)

    def all(self) -> list[QAction]:
        return [self.confirm, self.confirm_prompt, self.confirm_image, self.reject]

    def update_for(self, status: str | None) -> None:
        ok = status is not None
        self.confirm_prompt.setEnabled(ok and can(status, SceneAction.CONFIRM_PROMPT))
        self.confirm_image.setEnabled(ok and can(status, SceneAction.CONFIRM_IMAGE))
        self.confirm.setEnabled(self.confirm_prompt.isEnabled() or self.confirm_image.isEnabled())
        self.reject.setEnabled(ok and can(status, SceneAction.REJECT))


def step_under_review(status: str) -> str:
    """What a reject sends back, in words."""
    s = SceneStatus(status)
    if s in (SceneStatus.PROMPT, SceneStatus.PROMPT_CONFIRMED):
        return "prompt"
    if s in (SceneStatus.IMAGE, SceneStatus.IMAGE_CONFIRMED):
        return "image"
    return "clip"
