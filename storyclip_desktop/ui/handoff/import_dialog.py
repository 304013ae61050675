"""File > Import edit…: pick the edit, read what it would change (matched clips, the new
order, new spans, clips that belong to no scene, scenes the edit lacks), then apply it as
one undoable step."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from .commands import ImportEdit
from .export_dialog import _role

if TYPE_CHECKING:
    from ...services.handoff import EditReport
    from ..commands import CommandContext

FILTER = "Timelines (*.otio *.otioz *.xml *.edl);;All files (*)"


class ImportEditDialog(QDialog):
    applied = Signal(object)  # EditReport

    def __init__(self, ctx: CommandContext, project_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx, self.project_id = ctx, project_id
        self.report: EditReport | None = None
        self.setWindowTitle("Import edit")
        self.setMinimumSize(560, 360)
        self.file = QLineEdit()
        self.file.setPlaceholderText("An .otio, .otioz or FCP7 .xml edit of this project")
        self.file.setAccessibleName("Edit file")
        self.file.editingFinished.connect(self.read)
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.file, 1)
        row.addWidget(browse)
        self.message = QLabel("Choose the edit exported from your editing program.")
        self.message.setWordWrap(True)
        self.findings = QListWidget()
        self.findings.setAccessibleName("What the edit changes")
        self.findings.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.apply_button = self.buttons.addButton("Apply edit", QDialogButtonBox.ButtonRole.AcceptRole)
        self.apply_button.setEnabled(False)
        self.apply_button.clicked.connect(self.apply)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(row)
        lay.addWidget(self.message)
        lay.addWidget(self.findings, 1)
        lay.addWidget(self.buttons)

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Edit to import", self.file.text() or str(Path.home()), FILTER)
        if path:
            self.file.setText(path)
            self.read()

    def read(self) -> None:
        """Read and match the edit; nothing is written yet."""
        self.report = None
        self.findings.clear()
        self.apply_button.setEnabled(False)
        text = self.file.text().strip()
        if not text:
            return
        try:
            self.report = self.ctx.services.handoff.read_edit(self.project_id, Path(text).expanduser())
        except Exception as e:  # noqa: BLE001 - a bad file is one line, nothing changes
            from ..errors import message_for

            self.message.setText(message_for(e))
            _role(self.message, "error")
            return
        self.findings.addItems(self.report.summary())
        changes = self.report.plan.moved or bool(self.report.spans_s)
        self.message.setText("Apply to change the scenes (Undo takes it back in one step)." if changes
                             else "This edit matches the project as it is; there is nothing to apply.")
        _role(self.message, "" if changes else "hint")
        self.apply_button.setEnabled(changes)

    def apply(self) -> None:
        if self.report is None:
            return
        if self.ctx.push(ImportEdit(self.ctx, self.report)):
            self.applied.emit(self.report)
            self.accept()
        else:
            self.message.setText(self.ctx.reporter.last or "the edit could not be applied; nothing changed")
            _role(self.message, "error")

    def keyPressEvent(self, event) -> None:  # noqa: ANN001, N802 - Qt's name
        # Enter in the file field reads the file; it must not apply an edit not yet shown.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.file.hasFocus():
            self.read()
            return
        super().keyPressEvent(event)
