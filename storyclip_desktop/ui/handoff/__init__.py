"""File > Export timeline… and File > Import edit…: what the two actions of the window's
action table (ui/actions.py) open."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..main_window import MainWindow


class HandoffControls:
    """The dialogs for the project open in `window`; the actions are enabled while one is."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window

    def export_timeline(self) -> None:
        from .export_dialog import ExportTimelineDialog

        pid = self.window.current_project_id()
        if pid is not None:
            ExportTimelineDialog(self.window.services, pid, self.window).open()

    def import_edit(self) -> None:
        from .import_dialog import ImportEditDialog

        pid = self.window.current_project_id()
        if pid is not None:
            ImportEditDialog(self.window.ctx, pid, self.window).open()
