"""The project's script: a plain-text editor with a live character count. Saves on
Ctrl+S and when focus leaves; over the limit it refuses and keeps the text as a draft
(also across project switches) so nothing typed is lost."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from ...domain.validation import SCRIPT_MAX
from .. import theme
from ..commands import CommandContext
from .counter import CharCounter, over_limit_reason


class ScriptEditor(QWidget):
    saved = Signal(object)  # project id

    def __init__(self, ctx: CommandContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.project_id: int | None = None
        self._stored = ""  # what the database holds for the current project
        self._drafts: dict[int, str] = {}

        self.editor = QPlainTextEdit()
        self.editor.setPlaceholderText(
            "Write or paste the script here. Blank lines separate paragraphs; "
            "“Split into scenes” turns it into scenes.\n\n스크립트를 입력하세요."
        )
        self.editor.setAccessibleName("Script")
        self.editor.setTabChangesFocus(True)
        self.editor.document().setDocumentMargin(8)
        self.editor.installEventFilter(self)
        self.editor.textChanged.connect(self._on_text)
        self.counter = CharCounter(SCRIPT_MAX)
        self.state = theme.set_role(QLabel(), "hint")
        self.error = theme.set_role(QLabel(), "error")
        self.error.setWordWrap(True)
        self.error.hide()

        # Count and save state sit on the heading row, so the editor's bottom edge lines
        # up with the settings card next to it.
        head = QHBoxLayout()
        head.setContentsMargins(0, 0, 0, 0)
        head.setSpacing(16)
        head.addWidget(theme.set_role(QLabel("SCRIPT"), "heading"))
        head.addWidget(self.state, 1, Qt.AlignmentFlag.AlignRight)
        head.addWidget(self.counter)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(8)
        lay.addLayout(head)
        lay.addWidget(self.editor, 1)
        lay.addWidget(self.error)
        ctx.events.projectChanged.connect(self._on_project_changed)

    def text(self) -> str:
        return self.editor.toPlainText()

    def is_dirty(self) -> bool:
        return self.project_id is not None and self.text() != self._stored

    def problem(self) -> str | None:
        return over_limit_reason("The script", len(self.text()), SCRIPT_MAX)

    def unsaved(self) -> int:
        """Scripts that exist only here: the current one if it cannot be saved, and the
        drafts of other projects kept over the limit (quitting would lose them)."""
        return len(self._drafts) + (1 if self.is_dirty() else 0)

    def set_project(self, project_id: int | None) -> None:
        if project_id == self.project_id:
            return
        if self.is_dirty():
            if self.problem():
                # Kept as this project's draft; its message comes back with it, and does
                # not follow the editor into the next project.
                self._drafts[self.project_id] = self.text()
                if (self.ctx.reporter.last or "").startswith("Not saved: The script"):
                    self.ctx.reporter.clear()
            elif not self.save():
                self._drafts[self.project_id] = self.text()
        self.project_id = project_id
        self._stored = ""
        if project_id is not None:
            with self.ctx.reporter.guard() as g:
                self._stored = self.ctx.services.projects.get(project_id).script or ""
            if g.failed:
                self.project_id = None
        self.editor.setEnabled(self.project_id is not None)
        self._show(self._drafts.pop(project_id, self._stored) if project_id is not None else "")

    def save(self) -> bool:
        """One `projects.set_script` call; False (with the reason shown) if refused."""
        if not self.is_dirty():
            return True
        problem = self.problem()
        if problem:
            self._set_error(problem)
            self.ctx.reporter.report(f"Not saved: {problem}")
            return False
        text = self.text()
        with self.ctx.reporter.guard() as g:
            self.ctx.services.projects.set_script(self.project_id, text or None)
        if g.failed:
            self._set_error(f"Not saved: {self.ctx.reporter.last}")
            return False
        self._stored = text
        self.state.setText("Saved")
        self.saved.emit(self.project_id)
        return True

    def _show(self, text: str) -> None:
        self.editor.blockSignals(True)
        self.editor.setPlainText(text)
        self.editor.blockSignals(False)
        self._on_text()

    def _on_text(self) -> None:
        fits = self.counter.update_count(self.text())
        theme.set_invalid(self.editor, not fits)
        self._set_error(None if fits else self.problem())
        self.state.setText("Edited · Ctrl+S saves" if self.is_dirty() else "")
        self.state.setToolTip("Saves when you leave the editor or press Ctrl+S")

    def _set_error(self, text: str | None) -> None:
        self.error.setText(text or "")
        self.error.setVisible(bool(text))

    def _on_project_changed(self, project_id: object) -> None:
        # Someone else (undo, a job) changed the project: follow the database unless
        # the user has unsaved text here.
        if project_id != self.project_id or self.is_dirty():
            return
        with self.ctx.reporter.guard():
            stored = self.ctx.services.projects.get(self.project_id).script or ""
            if stored != self._stored:
                self._stored = stored
                self._show(stored)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.editor and event.type() == QEvent.Type.FocusOut:
            self.save()
        return super().eventFilter(obj, event)
