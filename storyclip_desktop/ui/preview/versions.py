"""Every image and clip version of a scene as a strip of chips: "v2 · IMAGE", who made it
(provider · model) and when, with the version in use marked."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QPen, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from ..timeline.roles import role_data

if TYPE_CHECKING:
    from ...services.views import AssetVersion

_ROLE = int(Qt.ItemDataRole.UserRole)
ASSET_ROLE = _ROLE + 1
TYPE_ROLE = _ROLE + 2
VERSION_ROLE = _ROLE + 3
PROVIDER_ROLE = _ROLE + 4
MODEL_ROLE = _ROLE + 5
DATE_ROLE = _ROLE + 6
CURRENT_ROLE = _ROLE + 7

SCENE_TYPES = ("image", "clip")
_Index = QModelIndex | QPersistentModelIndex


def version_label(av: AssetVersion) -> str:
    return f"{av.type} v{av.version}"


def made_by(av: AssetVersion) -> str:
    """"Gemini · gemini-2.5-flash-image"; the Local preview is named once, not twice."""
    from ...domain.providers import LOCAL, label

    provider = str(av.metadata.get("provider") or "").strip()
    model = str(av.metadata.get("model") or "").strip()
    if provider == "local":
        return LOCAL.label
    name = label(provider) if provider else ""
    return " · ".join(x for x in (name, model) if x) or "unknown source"


def made_at(av: AssetVersion) -> str:
    """The metadata's created_at (what the provider reported) or the row's."""
    raw = av.metadata.get("created_at") or av.created_at
    if isinstance(raw, str):
        try:
            raw = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            return raw
    if isinstance(raw, datetime):
        return raw.strftime("%Y-%m-%d %H:%M")
    return ""


class VersionListModel(QAbstractListModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._versions: list[AssetVersion] = []
        self._current: dict[str, int | None] = {}

    def set_versions(self, versions: list[AssetVersion], current: dict[str, int | None]) -> None:
        """Images first, then clips, each oldest to newest."""
        self.beginResetModel()
        self._versions = sorted(
            (v for v in versions if v.type in SCENE_TYPES),
            key=lambda v: (SCENE_TYPES.index(v.type), v.version),
        )
        self._current = dict(current)
        self.endResetModel()

    def set_current(self, current: dict[str, int | None]) -> None:
        self._current = dict(current)
        if self._versions:
            self.dataChanged.emit(self.index(0), self.index(len(self._versions) - 1), [CURRENT_ROLE])

    def versions(self) -> list[AssetVersion]:
        return list(self._versions)

    def version(self, row: int) -> AssetVersion:
        return self._versions[row]

    def row_of(self, type_: str, version: int) -> int:
        for row, v in enumerate(self._versions):
            if v.type == type_ and v.version == version:
                return row
        return -1

    def is_current(self, av: AssetVersion) -> bool:
        return self._current.get(av.type) == av.version

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._versions)

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._versions) or index.column() != 0:
            return None
        av = self._versions[index.row()]
        role = int(role)
        if role == int(Qt.ItemDataRole.DisplayRole):
            return f"v{av.version}"
        if role == int(Qt.ItemDataRole.ToolTipRole):
            return f"{version_label(av)} — {made_by(av)}\n{made_at(av)}\n{av.storage_url}"
        if role == ASSET_ROLE:
            return av
        if role == TYPE_ROLE:
            return av.type
        if role == VERSION_ROLE:
            return av.version
        if role == PROVIDER_ROLE:
            return str(av.metadata.get("provider") or "")
        if role == MODEL_ROLE:
            return str(av.metadata.get("model") or "")
        if role == DATE_ROLE:
            return made_at(av)
        if role == CURRENT_ROLE:
            return self.is_current(av)
        return None


CHIP = QSize(196, 68)  # fits the preview's narrowest side column with a scroll bar


class VersionChipDelegate(QStyledItemDelegate):
    width = CHIP.width()  # the strip sets it to its own width: chips fill the column

    def sizeHint(self, option: QStyleOptionViewItem, index: _Index) -> QSize:
        return QSize(self.width, CHIP.height())

    def paint(self, p: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        pal = option.palette
        dark = pal.color(QPalette.ColorRole.Window).lightness() < 128
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        r = QRectF(option.rect).adjusted(4, 4, -4, -4)
        p.save()
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        base = pal.color(QPalette.ColorRole.Base)
        fill = base.lighter(130) if dark else base
        p.setBrush(fill)
        edge = pal.color(QPalette.ColorRole.Highlight) if selected else (
            QColor(255, 255, 255, 60 if hovered else 30) if dark else QColor(0, 0, 0, 60 if hovered else 30)
        )
        p.setPen(QPen(edge, 2.0 if selected else 1.0))
        p.drawRoundedRect(r.adjusted(0.5, 0.5, -0.5, -0.5), 6, 6)

        inner = r.adjusted(10, 6, -10, -6)
        font = QFont(option.font)
        bold = QFont(font)
        bold.setBold(True)
        small = QFont(font)
        small.setPointSizeF(max(7.0, font.pointSizeF() * 0.82))
        text = pal.color(QPalette.ColorRole.Text)
        muted = pal.color(QPalette.ColorRole.PlaceholderText)

        # Line 1: "v2  IMAGE" and, right-aligned, "● in use".
        p.setFont(bold)
        fm = QFontMetrics(bold)
        label = str(role_data(index, Qt.ItemDataRole.DisplayRole))
        p.setPen(text)
        p.drawText(QRectF(inner.left(), inner.top(), inner.width(), fm.height()), Qt.AlignmentFlag.AlignLeft, label)
        p.setFont(small)
        sfm = QFontMetrics(small)
        kind = str(role_data(index, TYPE_ROLE) or "").upper()
        x = inner.left() + fm.horizontalAdvance(label) + 6
        p.setPen(muted)
        p.drawText(QRectF(x, inner.top(), 60, fm.height()), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, kind)
        if role_data(index, CURRENT_ROLE):
            green = QColor("#22c55e") if dark else QColor("#15803d")
            tag = "in use"
            w = sfm.horizontalAdvance(tag)
            p.setPen(green)
            p.drawText(
                QRectF(inner.right() - w, inner.top(), w, fm.height()),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                tag,
            )
            p.setBrush(green)
            p.setPen(Qt.PenStyle.NoPen)
            p.drawEllipse(QRectF(inner.right() - w - 10, inner.top() + fm.height() / 2 - 3, 6, 6))

        # Line 2: provider · model; line 3: the date.
        av = role_data(index, ASSET_ROLE)
        provider = made_by(av) if av is not None else "unknown source"
        y = inner.top() + fm.height() + 2
        p.setPen(text)
        p.drawText(
            QRectF(inner.left(), y, inner.width(), sfm.height()),
            Qt.AlignmentFlag.AlignLeft,
            sfm.elidedText(provider, Qt.TextElideMode.ElideRight, int(inner.width())),
        )
        p.setPen(muted)
        p.drawText(
            QRectF(inner.left(), y + sfm.lineSpacing(), inner.width(), sfm.height()),
            Qt.AlignmentFlag.AlignLeft,
            str(role_data(index, DATE_ROLE) or ""),
        )
        p.restore()


class VersionStrip(QListView):
    versionClicked = Signal(object)  # AssetVersion

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.versions = VersionListModel(self)
        self.setModel(self.versions)
        self.chips = VersionChipDelegate(self)
        self.setItemDelegate(self.chips)
        # A column beside the picture: v1 above v2, as the compare panes read left to right.
        self.setFlow(QListView.Flow.TopToBottom)
        self.setWrapping(False)
        self.setUniformItemSizes(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMouseTracking(True)
        self.setFrameShape(QListView.Shape.NoFrame)
        self.setMinimumHeight(CHIP.height() + 4)
        self.clicked.connect(self._on_clicked)
        self.selectionModel().currentChanged.connect(self._on_current)
        self._quiet = False

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        width = max(160, self.viewport().width() - 2)
        if width != self.chips.width:
            self.chips.width = width
            self.doItemsLayout()

    def select(self, av: AssetVersion | None) -> None:
        """Mark the previewed version without announcing it as a click."""
        self._quiet = True
        try:
            row = self.versions.row_of(av.type, av.version) if av is not None else -1
            if row < 0:
                self.clearSelection()
                return
            idx = self.versions.index(row)
            self.setCurrentIndex(idx)
            self.scrollTo(idx)
        finally:
            self._quiet = False

    def _on_clicked(self, index: QModelIndex) -> None:
        self.versionClicked.emit(role_data(index, ASSET_ROLE))

    def _on_current(self, current: QModelIndex, _prev: QModelIndex) -> None:
        # Arrow keys walk through the versions like clicks do.
        if not self._quiet and current.isValid():
            self.versionClicked.emit(role_data(current, ASSET_ROLE))
