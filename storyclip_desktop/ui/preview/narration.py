"""The project's narration under the preview: play it while looking at the scenes."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QFont, QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget

from . import multimedia
from .transport import TransportBar


class NarrationBar(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel(self.tr("Narration"), self)
        font = QFont(self.title.font())
        font.setBold(True)
        self.title.setFont(font)
        self.info = QLabel(self)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.player = None
        self.audio = None
        self.transport: TransportBar | None = None
        self.path: Path | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.setSpacing(8)
        layout.addWidget(self.title)
        if multimedia.AVAILABLE:
            self.player = multimedia.QMediaPlayer(self)
            self.audio = multimedia.QAudioOutput(self)
            self.player.setAudioOutput(self.audio)
            self.transport = TransportBar(self.player, self)
            layout.addWidget(self.transport, 1)
        else:
            self.info.setText(multimedia.unavailable_message(self.tr("Narration playback")))
            self.info.setWordWrap(True)
        layout.addWidget(self.info, 0 if multimedia.AVAILABLE else 1)
        self.load(None)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        # In a narrow column the controls need the room; the tooltip still names it.
        self.title.setVisible(self.width() >= 260)
        self.setToolTip(self.tr("The project's narration"))
        super().resizeEvent(event)

    def load(self, path: Path | None, version: int | None = None) -> None:
        """Queue the narration file (None: the project has none yet)."""
        self.path = Path(path) if path else None
        if self.player is None or self.transport is None:
            return
        self.player.stop()
        ok = self.path is not None and self.path.is_file()
        self.transport.setEnabled(ok)
        self.transport.setVisible(ok)  # nothing to play: the room goes to saying so
        if self.path is None:
            self.info.setText(self.tr("No narration yet"))
            self.player.setSource(QUrl())
        elif not ok:
            self.info.setText(f"⚠ missing file: {self.path.name}")
            self.player.setSource(QUrl())
        else:
            self.info.setText(f"v{version}" if version else "")
            self.player.setSource(QUrl.fromLocalFile(str(self.path)))
