"""A project row: title, a quiet subtitle, and a thin bar split by scene status."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QFont, QFontMetrics, QPainter, QPainterPath, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from ...domain.status import PIPELINE
from .. import theme
from .model import PROGRESS_ROLE, SCENE_COUNT_ROLE, STATUS_COUNTS_ROLE

PAD = 8
BAR_H = 4
Index = QModelIndex | QPersistentModelIndex


class ProjectDelegate(QStyledItemDelegate):
    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:
        fm = option.fontMetrics
        return QSize(200, PAD * 2 + fm.height() * 2 + 4 + BAR_H + 6)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = option.palette
        r = option.rect.adjusted(PAD, 2, -PAD, -2)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        # An inactive window's selection is a quiet grey with normal text, like other
        # desktop apps, so white-on-pale-blue never happens.
        active = bool(option.state & QStyle.StateFlag.State_Active)
        strong = selected and active
        if selected or hovered:
            bg = pal.color(QPalette.ColorRole.Highlight if strong else QPalette.ColorRole.Mid)
            if not selected:
                bg.setAlpha(90)
            elif not active:
                bg.setAlpha(170)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(bg)
            painter.drawRoundedRect(QRectF(r), 6, 6)
        text_col = pal.color(QPalette.ColorRole.HighlightedText if strong else QPalette.ColorRole.WindowText)
        dim_col = pal.color(QPalette.ColorRole.HighlightedText if strong else QPalette.ColorRole.PlaceholderText)
        inner = r.adjusted(PAD, PAD - 2, -PAD, -PAD)

        title_font = QFont(option.font)
        title_font.setWeight(QFont.Weight.DemiBold)
        fm = QFontMetrics(title_font)
        painter.setFont(title_font)
        painter.setPen(text_col)
        title = fm.elidedText(str(index.data() or ""), Qt.TextElideMode.ElideRight, inner.width())
        painter.drawText(QRect(inner.left(), inner.top(), inner.width(), fm.height()), Qt.AlignmentFlag.AlignVCenter, title)

        n = int(index.data(SCENE_COUNT_ROLE) or 0)
        pct = round(float(index.data(PROGRESS_ROLE) or 0) * 100)
        sub = f"{n:,} scene{'s' if n != 1 else ''} · {pct}% done" if n else "No scenes yet"
        painter.setFont(option.font)
        painter.setPen(dim_col)
        y = inner.top() + fm.height() + 2
        painter.drawText(QRect(inner.left(), y, inner.width(), option.fontMetrics.height()), Qt.AlignmentFlag.AlignVCenter, sub)

        bar = QRectF(inner.left(), inner.bottom() - BAR_H + 1, inner.width(), BAR_H)
        self._paint_bar(painter, bar, index.data(STATUS_COUNTS_ROLE) or {}, pal, strong)
        painter.restore()

    @staticmethod
    def _paint_bar(p: QPainter, bar: QRectF, counts: dict, pal: QPalette, selected: bool) -> None:
        track = pal.color(QPalette.ColorRole.Mid)
        if selected:
            track = pal.color(QPalette.ColorRole.HighlightedText)
            track.setAlpha(70)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(track)
        p.drawRoundedRect(bar, BAR_H / 2, BAR_H / 2)
        total = sum(counts.values())
        if not total:
            return
        p.save()
        rounded = QPainterPath()
        rounded.addRoundedRect(bar, BAR_H / 2, BAR_H / 2)
        p.setClipPath(rounded)
        x = bar.left()
        # Most advanced first so the bar reads as "how far along" from the left.
        for status in reversed(PIPELINE):
            c = counts.get(status, 0)
            if not c:
                continue
            w = bar.width() * c / total
            p.setBrush(theme.status_color(status))
            p.drawRect(QRectF(x, bar.top(), w + 0.5, bar.height()))
            x += w
        p.restore()
