"""Two versions side by side, each with its own picker, to choose between them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QVBoxLayout, QWidget

from ..imaging import ImageLoader
from .media_view import MediaView
from .versions import made_at, made_by

if TYPE_CHECKING:
    from ...services.views import AssetVersion


class ComparePane(QWidget):
    changed = Signal(object)  # AssetVersion | None

    def __init__(self, parent: QWidget | None = None, *, loader: ImageLoader | None = None) -> None:
        super().__init__(parent)
        self.picker = QComboBox(self)
        self.picker.setMinimumContentsLength(18)
        self.media = MediaView(self, loader=loader, autoplay=False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self.picker)
        layout.addWidget(self.media, 1)
        self._versions: list[AssetVersion] = []
        self.picker.currentIndexChanged.connect(self._on_pick)

    def set_versions(self, versions: list[AssetVersion], chosen: AssetVersion | None, current: dict) -> None:
        self._versions = list(versions)
        self.picker.blockSignals(True)
        self.picker.clear()
        for av in versions:
            # What tells versions apart first: the number and "in use"; the date last,
            # where a narrow pane cuts the text.
            mark = " (in use)" if current.get(av.type) == av.version else ""
            text = f"{av.type} v{av.version}{mark} — {made_by(av)} · {made_at(av)}"
            self.picker.addItem(text)
            self.picker.setItemData(self.picker.count() - 1, text, Qt.ItemDataRole.ToolTipRole)
        row = next((i for i, v in enumerate(versions) if chosen and (v.type, v.version) == (chosen.type, chosen.version)), 0)
        self.picker.setCurrentIndex(row if versions else -1)
        self.picker.blockSignals(False)
        self._on_pick(self.picker.currentIndex())

    def version(self) -> AssetVersion | None:
        i = self.picker.currentIndex()
        return self._versions[i] if 0 <= i < len(self._versions) else None

    def pick(self, type_: str, version: int) -> None:
        for i, v in enumerate(self._versions):
            if (v.type, v.version) == (type_, version):
                self.picker.setCurrentIndex(i)
                return

    def _on_pick(self, _index: int) -> None:
        av = self.version()
        self.media.show_version(av, "Pick a version")
        self.changed.emit(av)


class CompareView(QWidget):
    def __init__(self, parent: QWidget | None = None, *, loader: ImageLoader | None = None) -> None:
        super().__init__(parent)
        self.left = ComparePane(self, loader=loader)
        self.right = ComparePane(self, loader=loader)
        panes = QHBoxLayout()
        panes.setContentsMargins(0, 0, 0, 0)
        panes.setSpacing(8)
        panes.addWidget(self.left, 1)
        panes.addWidget(self.right, 1)
        # Where the preview puts its buttons when the window is too narrow for its side
        # column next to two pictures (empty otherwise).
        self.bar = QHBoxLayout()
        self.bar.setContentsMargins(0, 0, 0, 0)
        self.bar.setSpacing(8)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(self.bar)
        layout.addLayout(panes, 1)

    def set_ratio(self, ratio: float) -> None:
        self.left.media.set_ratio(ratio)
        self.right.media.set_ratio(ratio)

    def set_versions(
        self,
        versions: list[AssetVersion],
        left: AssetVersion | None,
        right: AssetVersion | None,
        current: dict | None = None,
    ) -> None:
        self.left.set_versions(versions, left, current or {})
        self.right.set_versions(versions, right, current or {})

    def versions_shown(self) -> tuple[AssetVersion | None, AssetVersion | None]:
        return self.left.version(), self.right.version()

    def stop(self) -> None:
        self.left.media.stop()
        self.right.media.stop()
