"""The videos this person exported, newest first, each with Play and Show in folder."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QHBoxLayout,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..ops import Ops

if TYPE_CHECKING:
    from ...services.app import Services
    from ...services.export import ExportView


def describe(e: ExportView) -> list[str]:
    s = e.settings
    when = e.created_at.strftime("%Y-%m-%d %H:%M") if e.created_at else ""
    size = f"{e.size_bytes / 1e6:.1f} MB" if e.size_bytes >= 1e6 else f"{max(1, round(e.size_bytes / 1e3))} KB"
    length = f"{int(e.duration_s // 60)}:{e.duration_s % 60:04.1f}"
    how = f"{s.get('resolution') or ''} · subtitles {s.get('subtitles', 'burn')}"
    name = Path(e.path).name + ("" if e.exists else "  (moved or deleted)")
    return [when, name, length, size, how]


class ExportsList(QWidget):
    def __init__(self, services: Services, project_id: int | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.project_id = project_id
        self.opener = QDesktopServices.openUrl  # tests replace it to see what would open
        self.tree = QTreeWidget(self)
        self.tree.setHeaderLabels(["Exported", "File", "Length", "Size", "Settings"])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.play_button = QPushButton(self.tr("Play"), self)
        self.folder_button = QPushButton(self.tr("Show in folder"), self)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.play_button)
        buttons.addWidget(self.folder_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tree, 1)
        layout.addLayout(buttons)
        self.play_button.clicked.connect(self.play)
        self.folder_button.clicked.connect(self.show_in_folder)
        self.tree.itemSelectionChanged.connect(self._update)
        self.tree.itemDoubleClicked.connect(lambda *_: self.play())
        self._lane = Ops(lambda _e: None, self)  # the list is read off the GUI thread
        self.reload()

    def reload(self) -> None:
        """Re-read the exports off the GUI thread; the rows shown stay until they arrive."""
        exports, pid = self.services.exports, self.project_id
        self._lane.read(lambda: exports.list(pid), self._show, key="exports")

    def _show(self, views: list[ExportView]) -> None:
        self.tree.clear()
        for e in views:
            item = QTreeWidgetItem(describe(e))
            item.setData(0, Qt.ItemDataRole.UserRole, e)
            item.setToolTip(1, e.path)
            self.tree.addTopLevelItem(item)
        for col in range(4):
            self.tree.resizeColumnToContents(col)
        if self.tree.topLevelItemCount():
            self.tree.setCurrentItem(self.tree.topLevelItem(0))
        self._update()

    def selected(self) -> ExportView | None:
        item = self.tree.currentItem()
        return item.data(0, Qt.ItemDataRole.UserRole) if item is not None else None

    def play(self) -> None:
        e = self.selected()
        if e is not None and e.exists:
            self.opener(QUrl.fromLocalFile(e.path))

    def show_in_folder(self) -> None:
        e = self.selected()
        if e is not None and Path(e.path).parent.is_dir():
            self.opener(QUrl.fromLocalFile(str(Path(e.path).parent)))

    def _update(self) -> None:
        e = self.selected()
        self.play_button.setEnabled(bool(e and e.exists))
        self.folder_button.setEnabled(bool(e and Path(e.path).parent.is_dir()))
