"""The project's script: a plain-text editor with a live character count. Saves on
Ctrl+S and when focus leaves; over the limit it refuses and keeps the text as a draft
(also across project switches) so nothing typed is lost."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from ...domain.validation import SCRIPT_MAX
from .. import theme
from ..commands import CommandContext
from ..ops import Changes
from .counter import CharCounter, over_limit_reason


class ScriptEditor(QWidget):
    saved = Signal(object)  # project id

    def __init__(self, ctx: CommandContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.project_id: int | None = None
        self._stored = ""  # what the database holds for the current project
        self._drafts: dict[int, str] = {}
        self._loading = False  # the project's script is being read
        self._again: dict[int, tuple[str, Callable[[bool], object] | None]] = {}  # saved after the one running

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
        return self.project_id is not None and not self._loading and self.text() != self._stored

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
        self._loading = project_id is not None
        if project_id is None:
            self.editor.setEnabled(False)
            self._show("")
            return
        # The text shown stays, read-only, until this project's script arrives.
        self.editor.setReadOnly(True)

        def shown(script: str | None) -> None:
            if project_id != self.project_id:
                return
            self._loading = False
            self._stored = script or ""
            self.editor.setReadOnly(False)
            self.editor.setEnabled(True)
            self._show(self._drafts.pop(project_id, self._stored))

        def failed(exc: BaseException) -> None:
            if project_id == self.project_id:
                self._loading = False
                self.project_id = None
                self.editor.setReadOnly(False)
                self.editor.setEnabled(False)
                self._show("")
                self.ctx.reporter.report(exc)

        self.ctx.ops.read(lambda: self.ctx.services.projects.get(project_id).script, shown,
                          key="script", failure=failed)

    def save(self, then: Callable[[bool], object] | None = None) -> bool:
        """Store the text with one `projects.set_script` call, off the GUI thread; False
        (with the reason shown) if refused here. `then(stored)` follows on the GUI
        thread (at once when there is nothing to store)."""
        if not self.is_dirty():
            if then is not None:
                then(not self._loading)
            return True
        problem = self.problem()
        if problem:
            self._set_error(problem)
            self.ctx.reporter.report(f"Not saved: {problem}")
            return False
        self._write(self.project_id, self.text(), then)
        return True

    def _write(self, pid: int, text: str, then: Callable[[bool], object] | None) -> None:
        if self.ctx.ops.is_busy(("script", pid)):
            # A save is under way: this text follows it (no double write, nothing lost).
            self._again[pid] = (text, then)
            return
        self.state.setText("Saving…")

        def stored(_result: object) -> None:
            if pid == self.project_id:
                self._stored = text
                self._set_error(None)
                self.state.setText("Saved" if text == self.text() else "Edited · Ctrl+S saves")
                self.saved.emit(pid)
            follow = self._again.pop(pid, None)
            if follow is not None and follow[0] != text:
                self._write(pid, *follow)
            elif follow is not None and follow[1] is not None:
                follow[1](True)
            if then is not None:
                then(True)

        def refused(exc: BaseException) -> None:
            self.ctx.reporter.report(exc)
            self._again.pop(pid, None)
            if pid == self.project_id:
                self._set_error(f"Not saved: {self.ctx.reporter.last}")
                self.state.setText("Edited · Ctrl+S saves")
            elif pid not in self._drafts:
                self._drafts[pid] = text  # left meanwhile: kept as that project's draft
            if then is not None:
                then(False)

        self.ctx.ops.write(lambda: self.ctx.services.projects.set_script(pid, text or None),
                           changes=Changes(pid), initiator=self, busy=("script", pid),
                           success=stored, failure=refused)

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
        if project_id != self.project_id or self.is_dirty() or self._loading:
            return

        def follow(script: str | None) -> None:
            stored = script or ""
            if project_id == self.project_id and not self.is_dirty() and stored != self._stored:
                self._stored = stored
                self._show(stored)

        self.ctx.ops.read(lambda: self.ctx.services.projects.get(project_id).script, follow,
                          key=("script-follow", project_id))

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.editor and event.type() == QEvent.Type.FocusOut:
            self.save()
        return super().eventFilter(obj, event)
