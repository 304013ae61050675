"""File > Export video… (Ctrl+E), File > Exported videos… and Scene > Play all: what those
actions of the window's action table (ui/actions.py) do."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog, QPushButton, QVBoxLayout

if TYPE_CHECKING:
    from ..main_window import MainWindow


class ExportControls:
    """What Export video…, Exported videos… and Play all (actions of the window's action
    table, ui/actions.py) do for the project open in `window`; Play all also has a button
    in the preview's header."""

    def __init__(self, window: MainWindow) -> None:
        from .play_all import PlayAll

        self.window = window
        self.dialog: QDialog | None = None
        self.player = PlayAll(window.services, window)
        pane = window.preview
        self.button = QPushButton("Play all", pane)
        self.button.setToolTip("Watch the whole cut with narration and subtitles (Ctrl+Shift+P)")
        self.button.clicked.connect(self.play_all)
        pane.add_header_widget(self.button)
        self.player.progressed.connect(self._progressed)
        self.player.ready.connect(self._ready)
        self.player.failed.connect(self._failed)
        self.player.running.connect(self._enable)
        window.currentProjectChanged.connect(self._enable)
        self._enable()

    def _project(self) -> int | None:
        return self.window.current_project_id()

    def export_video(self) -> None:
        from .dialog import ExportVideoDialog

        if (pid := self._project()) is not None:
            self.dialog = ExportVideoDialog(self.window.services, pid, self.window)
            self.dialog.setModal(False)
            self.dialog.show()

    def show_exports(self) -> None:
        from .exports_list import ExportsList

        dlg = QDialog(self.window)
        dlg.setWindowTitle("Exported videos")
        QVBoxLayout(dlg).addWidget(ExportsList(self.window.services, self._project(), dlg))
        dlg.resize(640, 360)
        dlg.show()

    def play_all(self) -> None:
        pid = self._project()
        if pid is not None and self.player.start(pid):
            _say(self.window.preview, "Preparing Play all…")

    def close(self) -> None:
        """The window goes: a Play all still rendering is stopped."""
        self.player.close()

    def _progressed(self, pid: int, f: float) -> None:
        if pid == self._project():
            _say(self.window.preview, f"Preparing Play all… {round(f * 100)}%")

    def _ready(self, pid: int, path: str) -> None:
        if pid == self._project():
            _play(self.window.preview, Path(path))

    def _failed(self, pid: int, message: str) -> None:
        if pid == self._project():
            _say(self.window.preview, message)
            self.window.show_error(message)

    def _enable(self, _pid: object = None) -> None:
        self.button.setEnabled(self._project() is not None and not self.player.busy)


def _say(pane: object, text: str) -> None:
    media = getattr(pane, "media", None)
    if media is not None:
        media.show_message(text)


def _play(pane: object, path: Path) -> None:
    media = getattr(pane, "media", None)
    if media is None:
        return
    from ..preview import multimedia

    if not multimedia.AVAILABLE:
        media.show_message(multimedia.unavailable_message("Play all"))
        return
    clip = media._player()  # the preview's own player: Play all is one long clip
    clip.load(path, autoplay=True)
    media.setCurrentWidget(clip)
