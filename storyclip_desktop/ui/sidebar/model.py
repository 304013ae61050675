"""The user's projects as a list model: one row per `ProjectSummary`."""

from __future__ import annotations

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from ...domain.status import PIPELINE
from ...services.views import ProjectSummary
from ..theme import status_label

Index = QModelIndex | QPersistentModelIndex

ID_ROLE = Qt.ItemDataRole.UserRole + 1
SCENE_COUNT_ROLE = Qt.ItemDataRole.UserRole + 2
STATUS_COUNTS_ROLE = Qt.ItemDataRole.UserRole + 3
DESCRIPTION_ROLE = Qt.ItemDataRole.UserRole + 4
PROGRESS_ROLE = Qt.ItemDataRole.UserRole + 5  # 0..1, clip-ready share weighted by step


def progress(counts: dict[str, int]) -> float:
    total = sum(counts.values())
    if not total:
        return 0.0
    last = len(PIPELINE) - 1
    return sum(PIPELINE.index(s) * n for s, n in counts.items() if s in PIPELINE) / (last * total)


class ProjectListModel(QAbstractListModel):
    def __init__(self, parent=None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self._rows: list[ProjectSummary] = []

    def set_projects(self, projects: list[ProjectSummary]) -> None:
        self.beginResetModel()
        self._rows = list(projects)
        self.endResetModel()

    def project(self, row: int) -> ProjectSummary | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, project_id: int) -> int:
        return next((i for i, p in enumerate(self._rows) if p.id == project_id), -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows) or index.column() != 0:
            return None
        p = self._rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return p.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(p)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{p.title}, {p.scene_count} scenes, {round(progress(p.status_counts) * 100)}% done"
        if role == ID_ROLE:
            return p.id
        if role == SCENE_COUNT_ROLE:
            return p.scene_count
        if role == STATUS_COUNTS_ROLE:
            return dict(p.status_counts)
        if role == DESCRIPTION_ROLE:
            return p.description or ""
        if role == PROGRESS_ROLE:
            return progress(p.status_counts)
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def roleNames(self) -> dict[int, bytes]:
        names = dict(super().roleNames())
        names.update({ID_ROLE: b"projectId", SCENE_COUNT_ROLE: b"sceneCount",
                      STATUS_COUNTS_ROLE: b"statusCounts", DESCRIPTION_ROLE: b"description",
                      PROGRESS_ROLE: b"progress"})
        return names


def _tooltip(p: ProjectSummary) -> str:
    lines = [p.title]
    if p.description:
        lines.append(p.description)
    if p.scene_count:
        parts = [f"{n} {status_label(s).lower()}" for s in PIPELINE if (n := p.status_counts.get(s))]
        lines.append(f"{p.scene_count} scenes: " + ", ".join(parts))
    else:
        lines.append("No scenes yet")
    return "\n".join(lines)
