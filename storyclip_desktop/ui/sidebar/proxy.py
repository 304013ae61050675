"""Filter projects by title or description: case-insensitive and Unicode-normalised
(Hangul typed on macOS may arrive decomposed; NFC makes it match)."""

from __future__ import annotations

import unicodedata

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt

from .model import DESCRIPTION_ROLE


def _norm(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


class ProjectFilterProxy(QSortFilterProxyModel):
    def __init__(self, parent=None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self._needle = ""
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def set_filter_text(self, text: str) -> None:
        needle = _norm(text.strip())
        if needle != self._needle:
            self.beginFilterChange()
            self._needle = needle
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filter_text(self) -> str:
        return self._needle

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        if not self._needle:
            return True
        idx = self.sourceModel().index(source_row, 0, source_parent)
        hay = f"{idx.data(Qt.ItemDataRole.DisplayRole) or ''}\n{idx.data(DESCRIPTION_ROLE) or ''}"
        return self._needle in _norm(hay)
