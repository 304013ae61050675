"""File > Export video… (Ctrl+E), File > Exported videos… and View > Play all, installed
into the main window by `install` (one call, so the window itself keeps only a hook)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QPushButton, QVBoxLayout

from .. import theme

if TYPE_CHECKING:
    from ..main_window import MainWindow


def install(window: MainWindow) -> QAction:
    """Add the actions; returns Export video… (enabled while a project is open)."""
    from .dialog import ExportVideoDialog
    from .exports_list import ExportsList
    from .play_all import PlayAll

    def project() -> int | None:
        return getattr(window, "_project", None)

    def export() -> None:
        if project() is not None:
            dlg = ExportVideoDialog(window.services, project(), window)
            dlg.setModal(False)
            dlg.show()
            window.export_dialog = dlg

    def exported() -> None:
        dlg = QDialog(window)
        dlg.setWindowTitle("Exported videos")
        QVBoxLayout(dlg).addWidget(ExportsList(window.services, project(), dlg))
        dlg.resize(640, 360)
        dlg.show()

    act_export = QAction(theme.icon("film"), "Export &video…", window)
    act_export.setShortcut(QKeySequence("Ctrl+E"))
    act_export.setStatusTip("Render the finished short: clips, narration, music and subtitles in one MP4")
    act_export.triggered.connect(lambda _c=False: export())
    act_list = QAction("Exported vi&deos…", window)
    act_list.triggered.connect(lambda _c=False: exported())
    window.addActions([act_export, act_list])
    file_menu = window.menuBar().actions()[0].menu()
    save = getattr(window, "act_save", None)
    before = save if save in file_menu.actions() else None
    file_menu.insertActions(before, [act_export, act_list])

    # Play all, in the preview: the whole cut as a quick proxy.
    player = window.play_all = PlayAll(window.services, window)
    pane = window.preview
    act_play = QAction(theme.icon("preview"), "Play &all", window)
    act_play.setShortcut(QKeySequence("Ctrl+Shift+P"))
    act_play.setStatusTip("Watch the whole cut in timeline order with the narration and subtitles")
    button = QPushButton("Play all", pane)
    button.setToolTip("Watch the whole cut with narration and subtitles (Ctrl+Shift+P)")

    def play() -> None:
        pid = project()
        if pid is not None and player.start(pid):
            _say(pane, "Preparing Play all…")

    def progressed(pid: int, f: float) -> None:
        if pid == project():
            _say(pane, f"Preparing Play all… {round(f * 100)}%")

    def ready(pid: int, path: str) -> None:
        if pid == project():
            _play(pane, Path(path))

    def failed(pid: int, message: str) -> None:
        if pid == project():
            _say(pane, message)
            window.show_error(message)

    act_play.triggered.connect(lambda _c=False: play())
    button.clicked.connect(play)
    player.progressed.connect(progressed)
    player.ready.connect(ready)
    player.failed.connect(failed)
    window.addAction(act_play)
    view_menu = next((a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == "View"), None)
    if view_menu is not None:
        view_menu.insertAction(view_menu.actions()[0] if view_menu.actions() else None, act_play)
    header = pane.layout().itemAt(0).layout() if pane.layout() is not None else None
    if header is not None:
        header.addWidget(button)
    window.play_all_button = button

    def enable(_pid: object = None) -> None:
        on = project() is not None
        for a in (act_export, act_play):
            a.setEnabled(on)
        button.setEnabled(on)

    window.currentProjectChanged.connect(enable)
    enable()
    return act_export


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
