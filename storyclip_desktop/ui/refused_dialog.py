"""Changes the team server refused, with the reason, and sync notices (a lost same-field
conflict, a scene that got another label). Dismiss hides one (it stays on record)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from . import theme

if TYPE_CHECKING:
    from ..sync.engine import SyncEngine
    from ..sync.report import ReportedChange

KIND_WORDS = {
    "edit_scene": "Scene edit", "create_project": "New project", "rename_project": "Project rename",
    "delete_scene": "Scene delete", "restore_scene": "Scene brought back", "move_scenes": "Scene move", "add_scene": "New scene",
    "review": "Review", "add_asset_version": "New version", "split_script": "Split into scenes",
}


def describe(kind: str) -> str:
    return KIND_WORDS.get(kind, kind.replace("_", " ").capitalize())


class RefusedDialog(QDialog):
    dismissed = Signal(object)  # change id

    def __init__(self, engine: SyncEngine, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.engine = engine
        self.setWindowTitle("Refused changes and notices")
        self.resize(640, 380)
        self.hint = theme.set_role(QLabel(), "hint")
        self.hint.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["", "Change", "Reason", "When"])
        self.tree.setRootIsDecorated(False)
        self.tree.setColumnWidth(0, 70)
        self.tree.setColumnWidth(1, 140)
        self.tree.setColumnWidth(2, 320)
        self.tree.setWordWrap(True)
        self.tree.setSelectionMode(QTreeWidget.SelectionMode.ExtendedSelection)
        self.dismiss_button = QPushButton("Dismiss")
        self.dismiss_button.setToolTip("Hide the selected entries (they stay on record)")
        self.dismiss_button.clicked.connect(self.dismiss_selected)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.addButton(self.dismiss_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.rejected.connect(self.reject)
        self.tree.itemSelectionChanged.connect(self._update_buttons)
        lay = QVBoxLayout(self)
        lay.addWidget(self.hint)
        lay.addWidget(self.tree, 1)
        lay.addWidget(self.buttons)
        self.reload()

    def entries(self) -> list[ReportedChange]:
        return [*self.engine.refused(), *self.engine.notices()]

    def reload(self) -> None:
        selected = {it.data(0, Qt.ItemDataRole.UserRole) for it in self.tree.selectedItems()}
        self.tree.clear()
        items = self.entries()
        for r in items:
            when = r.created_at.strftime("%Y-%m-%d %H:%M") if r.created_at else ""
            tag = "Refused" if r.outcome == "refused" else "Notice"
            it = QTreeWidgetItem(self.tree, [tag, describe(r.kind), r.message, when])
            it.setData(0, Qt.ItemDataRole.UserRole, r.change_id)
            it.setToolTip(2, r.message)
            if r.outcome == "refused":
                it.setForeground(0, theme_color(theme.DANGER))
            if r.change_id in selected:
                it.setSelected(True)
        refused = sum(1 for r in items if r.outcome == "refused")
        self.hint.setText(
            "Nothing to review: every change reached the team server." if not items else
            f"{refused} change(s) the team server did not apply, with the reason; "
            "your text is kept in the record. Notices tell what sync did to applied changes."
        )
        if items and not self.tree.selectedItems():
            self.tree.topLevelItem(0).setSelected(True)
        self._update_buttons()

    def dismiss_selected(self) -> int:
        n = 0
        for it in self.tree.selectedItems():
            cid = it.data(0, Qt.ItemDataRole.UserRole)
            if self.engine.dismiss(cid):
                n += 1
                self.dismissed.emit(cid)
        self.reload()
        return n

    def _update_buttons(self) -> None:
        self.dismiss_button.setEnabled(bool(self.tree.selectedItems()))


def theme_color(hex_color: str):  # noqa: ANN201
    from PySide6.QtGui import QColor

    return QColor(hex_color)
