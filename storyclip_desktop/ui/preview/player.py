"""A clip played in the preview: video letterboxed at the project ratio, with
play/pause (Space), a scrub slider and a loop toggle."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QKeyEvent, QPalette
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from . import multimedia
from .aspect import DEFAULT_RATIO, AspectBox
from .transport import TransportBar


class ClipPlayer(QWidget):
    """Only constructed when QtMultimedia is available (see MediaView)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.player = multimedia.QMediaPlayer(self)
        self.audio = multimedia.QAudioOutput(self)
        self.player.setAudioOutput(self.audio)
        self.video = multimedia.QVideoWidget()
        self.video.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        pal = self.video.palette()
        pal.setColor(QPalette.ColorRole.Window, Qt.GlobalColor.black)
        self.video.setPalette(pal)
        self.video.setAutoFillBackground(True)
        self.player.setVideoOutput(self.video)
        self.box = AspectBox(self.video, DEFAULT_RATIO)
        self.message = QLabel(self)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.hide()
        self.transport = TransportBar(self.player, self, loop_toggle=True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.box, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.transport)
        self.player.errorOccurred.connect(self._on_error)
        self.path: Path | None = None

    def set_ratio(self, ratio: float) -> None:
        self.box.set_ratio(ratio)

    def load(self, path: Path, *, autoplay: bool = True) -> None:
        self.path = Path(path)
        self.message.hide()
        self.player.setSource(QUrl.fromLocalFile(str(self.path)))
        if autoplay:
            self.player.play()

    def stop(self) -> None:
        self.player.stop()
        self.player.setSource(QUrl())

    def toggle(self) -> None:
        self.transport.toggle()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        if event.key() == Qt.Key.Key_Space:
            self.toggle()
            event.accept()
            return
        super().keyPressEvent(event)

    def _on_error(self, _error: object, text: str) -> None:
        self.message.setText(f"⚠ {text or 'cannot play this clip'}")
        self.message.show()
