"""File > Export timeline… and File > Import edit…, installed into the main window's File
menu by `install` (one call, so the window itself keeps only a hook)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction

from .. import theme

if TYPE_CHECKING:
    from ..main_window import MainWindow


def install(window: MainWindow) -> tuple[QAction, QAction]:
    """Add the two actions to the File menu, before Save; enabled while a project is open."""
    from .export_dialog import ExportTimelineDialog
    from .import_dialog import ImportEditDialog

    def project() -> int | None:
        return getattr(window, "_project", None)

    def export() -> None:
        if project() is not None:
            ExportTimelineDialog(window.services, project(), window).open()

    def import_() -> None:
        if project() is not None:
            ImportEditDialog(window.ctx, project(), window).open()

    # No shortcuts: the export of the finished video may claim them, and an ambiguous key
    # silently does nothing.
    act_export = QAction(theme.icon("timeline"), "E&xport timeline…", window)
    act_export.setStatusTip("Write the timeline with its media and provenance for Resolve, Premiere or another editor")
    act_export.triggered.connect(lambda _c=False: export())
    act_import = QAction(theme.icon("folder"), "&Import edit…", window)
    act_import.setStatusTip("Bring back an edit made in Resolve or Premiere: the new order and the new spans")
    act_import.triggered.connect(lambda _c=False: import_())
    window.addActions([act_export, act_import])
    file_menu = window.menuBar().actions()[0].menu()
    save = getattr(window, "act_save", None)
    before = save if save in file_menu.actions() else None
    file_menu.insertActions(before, [act_export, act_import])
    file_menu.insertSeparator(before)

    def enable(pid: object = None) -> None:
        on = project() is not None
        act_export.setEnabled(on)
        act_import.setEnabled(on)

    window.currentProjectChanged.connect(enable)
    enable()
    return act_export, act_import
