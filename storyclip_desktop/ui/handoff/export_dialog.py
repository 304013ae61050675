"""File > Export timeline…: a format and a new folder; the export runs off the window's
thread on the dialog's own lane of the operations layer (it may render title cards and
stills for seconds, and must not hold up the window's edits), and the dialog says where
the files went."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...domain.handoff import safe_stem
from .. import theme
from ..errors import message_for
from ..ops import Ops

if TYPE_CHECKING:
    from ...services import Services

FORMAT_CHOICES = (
    ("otio", "OpenTimelineIO (.otio) — DaVinci Resolve 18.5+"),
    ("otioz", "OpenTimelineIO with media inside (.otioz) — one file to send"),
    ("fcp7xml", "Final Cut Pro 7 XML (.xml) — Premiere Pro, Resolve"),
    ("edl", "CMX 3600 EDL (.edl) — picture track only, any editor"),
)


BUSY = "export"


class ExportTimelineDialog(QDialog):
    exported = Signal(object)  # ExportResult

    def __init__(self, services: Services, project_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services, self.project_id = services, project_id
        self.setWindowTitle("Export timeline")
        self.setMinimumWidth(560)
        self.result_value = None
        self.format = QComboBox()
        for key, label in FORMAT_CHOICES:
            self.format.addItem(label, key)
        self.format.setAccessibleName("Timeline format")
        self.folder = QLineEdit()  # named after the project once its title is read
        self.folder.setAccessibleName("Export folder")
        self.music = QLineEdit()
        self.music.setPlaceholderText("None (optional: a music bed for track A2)")
        self.music.setAccessibleName("Music")
        form = QFormLayout()
        form.addRow("&Format", self.format)
        paths = (("F&older", self.folder, "Browse…", self._browse),
                 ("&Music", self.music, "Choose…", self._browse_music))
        for text, edit, pick, slot in paths:
            button = QPushButton(pick)
            button.clicked.connect(slot)
            row = QHBoxLayout()
            row.addWidget(edit, 1)
            row.addWidget(button)
            label = QLabel(text)
            label.setBuddy(edit)  # a row holding a layout gets no buddy, so the mnemonic would show as "&"
            form.addRow(label, row)
        hint = theme.set_role(QLabel(
            "A new folder with the timeline, its media under stable names (S03_clip_v2.mp4), "
            "the subtitles as SRT and manifest.json with every clip's provenance."), "hint")
        hint.setWordWrap(True)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.show_folder = QPushButton("Show folder")
        self.show_folder.clicked.connect(self._open_folder)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.export_button = self.buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.show_folder, QDialogButtonBox.ButtonRole.ActionRole)
        self.show_folder.setVisible(False)  # after addButton, which shows it; once there is a folder
        self.export_button.clicked.connect(self.start)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(hint)
        lay.addWidget(self.message)
        lay.addWidget(self.buttons)
        # The dialog's own lane: results come back through the runner's delivery
        # object, so a dialog closed and deleted meanwhile is simply not told.
        self._lane = Ops(lambda _e: None, self)
        self._lane.busyChanged.connect(lambda _key, busy: self.export_button.setEnabled(not busy))
        self._lane.read(lambda: services.projects.get(project_id).title, self._name_folder,
                        failure=lambda e: self._failed(message_for(e)))

    def _name_folder(self, title: str) -> None:
        if not self.folder.text():  # the editor has not chosen one meanwhile
            self.folder.setText(str(Path.home() / f"{safe_stem(title, self.project_id)}_timeline"))

    def _browse(self) -> None:
        parent = QFileDialog.getExistingDirectory(self, "Folder to export into", str(Path(self.folder.text()).parent))
        if parent:
            self.folder.setText(str(Path(parent) / Path(self.folder.text()).name))

    def _browse_music(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Music for track A2", str(Path.home()),
                                              "Audio (*.wav *.mp3 *.m4a *.aac *.flac *.ogg);;All files (*)")
        if path:
            self.music.setText(path)

    def start(self) -> None:
        fmt = self.format.currentData()
        out = Path(self.folder.text().strip()).expanduser()
        music = Path(self.music.text().strip()).expanduser() if self.music.text().strip() else None
        if not self.folder.text().strip():
            self._failed("choose a folder to export into")
            return
        handoff, pid = self.services.handoff, self.project_id
        # busy: the Export button is grey from here until the export came back (no double export).
        if self._lane.read(lambda: handoff.export(pid, fmt, out, music=music), self._done,
                           failure=lambda e: self._failed(message_for(e)), busy=BUSY):
            self.message.setText("Exporting…")
            _role(self.message, "hint")

    def _done(self, result: object) -> None:
        self.result_value = result
        lines = [f"Timeline: {result.timeline}"]  # type: ignore[attr-defined]
        if result.subtitles:  # type: ignore[attr-defined]
            lines.append(f"Subtitles: {result.subtitles}")  # type: ignore[attr-defined]
        media = result.media  # type: ignore[attr-defined]
        lines.append(f"Media: {len(media)} files in {result.folder / 'media'}" if media  # type: ignore[attr-defined]
                     else "Media: inside the .otioz")
        lines += [f"Note: {w}" for w in result.warnings]  # type: ignore[attr-defined]
        self.message.setText("\n".join(lines))
        _role(self.message, "")
        self.show_folder.setVisible(True)
        self.exported.emit(result)

    def _failed(self, text: str) -> None:
        self.message.setText(text)
        _role(self.message, "error")

    def _open_folder(self) -> None:
        if self.result_value is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.result_value.folder)))


def _role(label: QLabel, role: str) -> None:
    """A role changed after the label is shown needs the style to look again."""
    theme.set_role(label, role)
    label.style().unpolish(label)
    label.style().polish(label)

