"""Shows one asset version: a still on the canvas or a clip in the player. The player is
made on first use, since a QMediaPlayer is costly and most scenes show stills."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QStackedWidget, QWidget

from ..imaging import ImageLoader, local_path
from . import multimedia
from .aspect import DEFAULT_RATIO
from .canvas import ImageCanvas

if TYPE_CHECKING:
    from ...services.views import AssetVersion
    from .player import ClipPlayer


class MediaView(QStackedWidget):
    def __init__(
        self, parent: QWidget | None = None, *, loader: ImageLoader | None = None, autoplay: bool = True
    ) -> None:
        super().__init__(parent)
        self.canvas = ImageCanvas(self, loader=loader)
        self.addWidget(self.canvas)
        self.player: ClipPlayer | None = None
        self.autoplay = autoplay
        self.ratio = DEFAULT_RATIO
        self.version: AssetVersion | None = None

    def set_ratio(self, ratio: float) -> None:
        self.ratio = ratio
        self.canvas.set_ratio(ratio)
        if self.player is not None:
            self.player.set_ratio(ratio)

    def show_version(self, av: AssetVersion | None, empty_text: str = "No image yet") -> None:
        self.version = av
        self.stop()
        if av is None:
            self.canvas.set_image(None, empty_text)
            self.setCurrentWidget(self.canvas)
            return
        path = local_path(av.storage_url)
        if path is None:
            self.canvas.set_message(f"Not downloaded yet\n{av.storage_url}")
            self.setCurrentWidget(self.canvas)
            return
        if av.type != "clip":
            self.canvas.set_image(path)
            self.setCurrentWidget(self.canvas)
            return
        if not path.is_file():
            self.canvas.set_message(f"⚠ missing file\n{path.name}")
            self.setCurrentWidget(self.canvas)
            return
        if not multimedia.AVAILABLE:
            self.canvas.set_message(multimedia.unavailable_message("Clip playback"))
            self.setCurrentWidget(self.canvas)
            return
        player = self._player()
        player.load(path, autoplay=self.autoplay)
        self.setCurrentWidget(player)

    def show_message(self, text: str) -> None:
        self.version = None
        self.stop()
        self.canvas.set_message(text)
        self.setCurrentWidget(self.canvas)

    def showing_clip(self) -> bool:
        return self.player is not None and self.currentWidget() is self.player

    def toggle_playback(self) -> None:
        if self.showing_clip():
            self.player.toggle()

    def stop(self) -> None:
        if self.player is not None:
            self.player.stop()

    def _player(self) -> ClipPlayer:
        if self.player is None:
            from .player import ClipPlayer

            self.player = ClipPlayer(self)
            self.player.set_ratio(self.ratio)
            self.addWidget(self.player)
        return self.player
