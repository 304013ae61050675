"""Help › Keyboard shortcuts and Help › About."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QMainWindow,
    QMessageBox,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .. import __version__

# Keys handled by widgets rather than by menu actions.
EXTRA_ROWS = (("Preview › Play / pause", "Space"), ("Any dialog › Cancel", "Esc"))


def shortcut_rows(window: QMainWindow) -> list[tuple[str, str]]:
    """Every menu action with a shortcut, read from the menus so the list never drifts."""
    rows: list[tuple[str, str]] = []
    for menu_action in window.menuBar().actions():
        menu = menu_action.menu()
        section = menu_action.text().replace("&", "")
        for a in menu.actions() if menu else []:
            keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in a.shortcuts()]
            if keys:
                name = a.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
                rows.append((f"{section} › {name}", " / ".join(keys)))
    rows.extend(EXTRA_ROWS)
    return rows


def shortcuts_dialog(window: QMainWindow) -> QDialog:
    dlg = QDialog(window)
    dlg.setWindowTitle("Keyboard shortcuts")
    dlg.resize(480, 560)
    tree = QTreeWidget()
    tree.setHeaderLabels(["Action", "Shortcut"])
    tree.setRootIsDecorated(False)
    tree.setColumnWidth(0, 280)
    for title, keys in shortcut_rows(window):
        QTreeWidgetItem(tree, [title, keys])
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dlg.reject)
    lay = QVBoxLayout(dlg)
    lay.addWidget(tree)
    lay.addWidget(buttons)
    dlg.open()
    return dlg


def show_about(parent: QWidget) -> None:
    QMessageBox.about(
        parent, "About StoryClip",
        f"<h3>StoryClip Desktop {__version__}</h3><p>Turn a written script into a short "
        "video, scene by scene. 대본을 장면별 숏폼 영상으로.</p>",
    )
