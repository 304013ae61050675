"""Paints one scene as a compact card: the portrait picture on the left (the frame the
video will have), status badge and the narration's first lines beside it.

Everything is drawn from palette roles plus the fixed badge colours, so the card reads
on light and dark themes alike. Painting never decodes or queries: the picture is a
QImage the loader already scaled to the card, and text layouts are cached.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from dataclasses import dataclass

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QImage,
    QLinearGradient,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QPixmap,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from .model import (
    BUSY_ROLE,
    DURATION_ROLE,
    DURATION_STALE_ROLE,
    IMAGE_VERSION_ROLE,
    NARRATION_ROLE,
    POSITION_ROLE,
    REJECTION_ROLE,
    SCENE_ID_ROLE,
    STATUS_ROLE,
    THUMB_STATE_ROLE,
    THUMBNAIL_ROLE,
)
from .roles import role_data
from .status_style import status_style

# Logical pixels. The cell includes the gutter between cards, which is where the drop
# indicator is drawn, so cards never touch and the line never covers a picture. Cards
# are short so the preview above keeps the window's height for the picture under review.
CELL = QSize(212, 100)
GUTTER_X = 5
GUTTER_Y = 5
THUMB_WIDTH = 50  # a 9:16 frame the card's height tall
RADIUS = 7.0
PAD = 9
CARD_CACHE_BYTES = 48 * 1024 * 1024  # ~400 rendered cards at 2x, ~1,600 at 1x

_STATE_TEXT = {
    "none": "No image yet",
    "loading": "Loading…",
    "missing": "⚠ missing file",
    "remote": "Not downloaded",
    "error": "⚠ cannot read image",
}


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def card_rect(cell: QRectF) -> QRectF:
    return cell.adjusted(GUTTER_X, GUTTER_Y, -GUTTER_X, -GUTTER_Y)


def thumb_rect(card: QRectF) -> QRectF:
    return QRectF(card.left(), card.top(), THUMB_WIDTH, card.height())


def bottom_chips(thumb: QRectF, duration_w: float, version_w: float, h: float) -> tuple[QRectF, QRectF]:
    """The duration chip bottom-left and the version chip bottom-right of a thumbnail;
    when a portrait thumbnail is too narrow for both on one line, the version goes above."""
    duration = QRectF(0, 0, duration_w, h)
    duration.moveBottomLeft(QPointF(thumb.left() + 4, thumb.bottom() - 4))
    version = QRectF(0, 0, version_w, h)
    version.moveBottomRight(QPointF(thumb.right() - 4, thumb.bottom() - 4))
    if duration_w and version.left() < duration.right() + 3:
        version.moveBottomRight(QPointF(thumb.right() - 4, duration.top() - 3))
    return duration, version


def thumb_logical_size() -> QSize:
    card = card_rect(QRectF(0, 0, CELL.width(), CELL.height()))
    return QSize(THUMB_WIDTH, int(card.height()))


@dataclass(frozen=True)
class CardData:
    """What a card shows, read once per paint; also the card's cache key."""

    scene_id: str
    status: str
    narration: str
    position: int
    image_version: int | None
    thumb_state: str
    image: QImage | None
    rejected: bool = False
    duration: str = ""
    duration_stale: bool = False

    @classmethod
    def of(cls, index: QModelIndex | QPersistentModelIndex) -> CardData:
        return cls(
            scene_id=str(role_data(index, SCENE_ID_ROLE) or ""),
            status=str(role_data(index, STATUS_ROLE) or ""),
            narration=str(role_data(index, NARRATION_ROLE) or ""),
            position=int(role_data(index, POSITION_ROLE) or 0),
            image_version=role_data(index, IMAGE_VERSION_ROLE),
            thumb_state=str(role_data(index, THUMB_STATE_ROLE) or "none"),
            image=role_data(index, THUMBNAIL_ROLE),
            rejected=role_data(index, REJECTION_ROLE) is not None,
            duration=str(role_data(index, DURATION_ROLE) or ""),
            duration_stale=bool(role_data(index, DURATION_STALE_ROLE)),
        )


class SceneCardDelegate(QStyledItemDelegate):
    """Cards are rendered once into a pixmap and blitted afterwards: antialiased rounded
    shapes cost ~0.15 ms each on the raster engine, a blit a few microseconds, and a
    card only changes when its data, state or the palette does."""

    def __init__(self, parent: QWidget | None = None, *, cache_bytes: int = CARD_CACHE_BYTES) -> None:
        super().__init__(parent)
        self.spin_phase = 0  # degrees; advanced by the view while any card is busy
        self._lines: dict[tuple[str, int, str], tuple[str, ...]] = {}
        self._cards: OrderedDict[tuple, QPixmap] = OrderedDict()
        self._card_bytes = 0
        self.cache_bytes = cache_bytes

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        return QSize(CELL)

    def clear_cache(self) -> None:
        self._cards.clear()
        self._card_bytes = 0

    # -- painting ----------------------------------------------------------------------

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        data = CardData.of(index)
        state = option.state
        flags = (
            bool(state & QStyle.StateFlag.State_Selected),
            bool(state & QStyle.StateFlag.State_MouseOver),
            bool(state & QStyle.StateFlag.State_HasFocus),
        )
        dpr = painter.device().devicePixelRatioF() if painter.device() else 1.0
        image_key = data.image.cacheKey() if data.image is not None else 0
        key = (
            dataclasses.replace(data, image=None), image_key, flags, option.rect.size().toTuple(),
            dpr, option.palette.cacheKey(), option.font.key(),
        )
        pixmap = self._cards.get(key)
        if pixmap is None:
            pixmap = self._render(option, data, flags, dpr)
            self._remember(key, pixmap)
        else:
            self._cards.move_to_end(key)
        painter.drawPixmap(option.rect.topLeft(), pixmap)
        if role_data(index, BUSY_ROLE):
            # Animated, so drawn live over the cached card.
            painter.save()
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            thumb = thumb_rect(card_rect(QRectF(option.rect)))
            self._paint_spinner(painter, thumb.center())
            painter.restore()

    def _remember(self, key: tuple, pixmap: QPixmap) -> None:
        self._cards[key] = pixmap
        self._card_bytes += pixmap.width() * pixmap.height() * 4
        while self._card_bytes > self.cache_bytes and len(self._cards) > 1:
            _, old = self._cards.popitem(last=False)
            self._card_bytes -= old.width() * old.height() * 4

    def _render(self, option: QStyleOptionViewItem, data: CardData, flags: tuple, dpr: float) -> QPixmap:
        size = option.rect.size()
        pixmap = QPixmap(round(size.width() * dpr), round(size.height() * dpr))
        pixmap.setDevicePixelRatio(dpr)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setFont(option.font)
        self.render_card(painter, QRectF(0, 0, size.width(), size.height()), option, data, flags)
        painter.end()
        return pixmap

    def render_card(
        self, painter: QPainter, cell: QRectF, option: QStyleOptionViewItem, data: CardData, flags: tuple
    ) -> None:
        pal = option.palette
        dark = is_dark(pal)
        selected, hovered, focused = flags
        card = card_rect(cell)

        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        path = QPainterPath()
        path.addRoundedRect(card, RADIUS, RADIUS)
        painter.fillPath(path, self._card_fill(pal, dark, selected))

        self._paint_picture(painter, card, data, dark)
        self._paint_overlay(painter, card, data)
        self._paint_meta(painter, card, data, option)

        # The border goes last so the picture never covers it.
        if selected:
            pen = QPen(pal.color(QPalette.ColorRole.Highlight), 2.0)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(card.adjusted(1, 1, -1, -1), RADIUS - 1, RADIUS - 1)
        else:
            edge = QColor(255, 255, 255, 34 if not hovered else 70) if dark else QColor(0, 0, 0, 30 if not hovered else 70)
            painter.setPen(QPen(edge, 1.0))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(card.adjusted(0.5, 0.5, -0.5, -0.5), RADIUS, RADIUS)
        if focused and not selected:
            pen = QPen(pal.color(QPalette.ColorRole.Highlight), 1.0, Qt.PenStyle.DashLine)
            painter.setPen(pen)
            painter.drawRoundedRect(card.adjusted(1.5, 1.5, -1.5, -1.5), RADIUS - 1, RADIUS - 1)
        painter.restore()

    def _card_fill(self, pal: QPalette, dark: bool, selected: bool) -> QColor:
        base = pal.color(QPalette.ColorRole.Base)
        fill = base.lighter(135) if dark else base
        if dark and base.lightness() < 20:
            fill = QColor(44, 47, 54)
        if selected:
            hl = pal.color(QPalette.ColorRole.Highlight)
            a = 0.22 if dark else 0.12
            fill = QColor(
                round(fill.red() * (1 - a) + hl.red() * a),
                round(fill.green() * (1 - a) + hl.green() * a),
                round(fill.blue() * (1 - a) + hl.blue() * a),
            )
        return fill

    def _paint_picture(self, painter: QPainter, card: QRectF, data: CardData, dark: bool) -> None:
        rect = thumb_rect(card)
        clip = QPainterPath()
        clip.addRoundedRect(rect, RADIUS, RADIUS)
        # Square off the right corners: the picture meets the text area in a line.
        clip.addRect(QRectF(rect.right() - RADIUS, rect.top(), RADIUS, rect.height()))
        clip.setFillRule(Qt.FillRule.WindingFill)
        painter.save()
        painter.setClipPath(clip)
        image = data.image
        if image is not None and not image.isNull():
            painter.drawImage(rect, image)
        else:
            self._paint_placeholder(painter, rect, data.thumb_state, dark)
        painter.restore()

    def _paint_placeholder(self, painter: QPainter, rect: QRectF, state: str, dark: bool) -> None:
        grad = QLinearGradient(rect.topLeft(), rect.bottomRight())
        if dark:
            grad.setColorAt(0, QColor(52, 56, 64))
            grad.setColorAt(1, QColor(36, 39, 45))
        else:
            grad.setColorAt(0, QColor(232, 235, 240))
            grad.setColorAt(1, QColor(217, 221, 228))
        painter.fillRect(rect, grad)
        muted = QColor(255, 255, 255, 110) if dark else QColor(0, 0, 0, 110)
        if state in ("missing", "error"):
            muted = QColor("#f59e0b") if dark else QColor("#b45309")
        if state == "none":
            self._paint_frame_glyph(painter, rect.center() + QPointF(0, 8), muted)
            return  # the glyph says it; no room for words in a narrow frame
        font = QFont(painter.font())
        font.setPointSizeF(max(7.0, font.pointSizeF() * 0.75))
        painter.setFont(font)
        painter.setPen(muted)
        text_rect = rect.adjusted(2, 20, -2, 0)
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap,
                         _STATE_TEXT.get(state, state))

    @staticmethod
    def _paint_frame_glyph(painter: QPainter, c: QPointF, color: QColor) -> None:
        """A small picture-frame icon (a frame with a mountain and a sun)."""
        painter.save()
        painter.setPen(QPen(color, 1.4))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRoundedRect(QRectF(c.x() - 13, c.y() - 10, 26, 20), 3, 3)  # fits THUMB_WIDTH
        mountain = QPainterPath(QPointF(c.x() - 10, c.y() + 7))
        mountain.lineTo(c.x() - 3, c.y() - 1)
        mountain.lineTo(c.x() + 2, c.y() + 4)
        mountain.lineTo(c.x() + 5, c.y() + 1)
        mountain.lineTo(c.x() + 10, c.y() + 7)
        painter.drawPath(mountain)
        painter.drawEllipse(QPointF(c.x() + 6, c.y() - 4), 2, 2)
        painter.restore()

    def _paint_overlay(self, painter: QPainter, card: QRectF, data: CardData) -> None:
        rect = thumb_rect(card)
        base = QFont(painter.font())
        # Scene id chip, top-left: dark glass so it reads on any picture.
        font = QFont(base)
        font.setBold(True)
        font.setPointSizeF(max(7.5, base.pointSizeF() * 0.85))
        painter.setFont(font)
        fm = QFontMetrics(font)
        label = data.scene_id
        chip = QRectF(rect.left() + 4, rect.top() + 4, min(rect.width() - 8, fm.horizontalAdvance(label) + 8), fm.height() + 2)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(0, 0, 0, 150))
        painter.drawRoundedRect(chip, 4, 4)
        painter.setPen(QColor("#ffffff"))
        painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, label)

        dchip = None
        if data.duration:
            # How long the scene lasts in the short, bottom-left; amber when the
            # narration no longer matches the scene's text.
            font.setBold(data.duration_stale)
            painter.setFont(font)
            fm = QFontMetrics(font)
            text = data.duration + (" !" if data.duration_stale else "")
            dchip = bottom_chips(rect, fm.horizontalAdvance(text) + 10, 0, fm.height() + 2)[0]
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(180, 110, 0, 220) if data.duration_stale else QColor(0, 0, 0, 140))
            painter.drawRoundedRect(dchip, 4, 4)
            painter.setPen(QColor(255, 255, 255, 235))
            painter.drawText(dchip, Qt.AlignmentFlag.AlignCenter, text)
        version = data.image_version
        if version:
            text = f"v{version}"
            font.setBold(False)
            painter.setFont(font)
            fm = QFontMetrics(font)
            vchip = bottom_chips(rect, dchip.width() if dchip else 0, fm.horizontalAdvance(text) + 10,
                                 fm.height() + 2)[1]
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(0, 0, 0, 140))
            painter.drawRoundedRect(vchip, 4, 4)
            painter.setPen(QColor(255, 255, 255, 230))
            painter.drawText(vchip, Qt.AlignmentFlag.AlignCenter, text)
        painter.setFont(base)

    def _paint_spinner(self, painter: QPainter, c: QPointF) -> None:
        painter.save()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(0, 0, 0, 160))
        painter.drawEllipse(c, 12, 12)
        arc = QRectF(c.x() - 7, c.y() - 7, 14, 14)
        painter.setPen(QPen(QColor(255, 255, 255, 70), 2.2))
        painter.drawEllipse(arc)
        pen = QPen(QColor("#ffffff"), 2.2)
        pen.setCapStyle(Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        painter.drawArc(arc, -self.spin_phase * 16, 100 * 16)
        painter.restore()

    def _paint_meta(self, painter: QPainter, card: QRectF, data: CardData, option: QStyleOptionViewItem) -> None:
        pal = option.palette
        base = QFont(option.font)
        left = card.left() + THUMB_WIDTH + PAD
        inner = QRectF(left, card.top() + 7, card.right() - PAD - left, card.height() - 12)

        # Status badge (a rejected scene has its own: it waits for the editor).
        style = status_style(data.status, data.rejected)
        bfont = QFont(base)
        bfont.setBold(True)
        bfont.setPointSizeF(max(7.0, base.pointSizeF() * 0.78))
        bfont.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, 0.4)
        bfm = QFontMetrics(bfont)
        badge = QRectF(inner.left(), inner.top(), bfm.horizontalAdvance(style.label) + 14, bfm.height() + 5)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(style.fill)
        painter.drawRoundedRect(badge, badge.height() / 2, badge.height() / 2)
        painter.setFont(bfont)
        painter.setPen(style.text)
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, style.label)

        # Position in the timeline, right-aligned, muted.
        pfont = QFont(base)
        pfont.setPointSizeF(max(7.0, base.pointSizeF() * 0.8))
        painter.setFont(pfont)
        muted = pal.color(QPalette.ColorRole.PlaceholderText)
        painter.setPen(muted)
        painter.drawText(
            QRectF(badge.right(), badge.top(), inner.right() - badge.right(), badge.height()),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            f"#{data.position}",
        )

        # First words of the narration: three lines at most, elided.
        nfont = QFont(base)
        nfont.setPointSizeF(max(7.5, base.pointSizeF() * 0.9))
        painter.setFont(nfont)
        text = data.narration
        color = pal.color(QPalette.ColorRole.Text)
        if not text:
            text, color = "(no narration)", muted
        painter.setPen(color)
        fm = QFontMetrics(nfont)
        y = badge.bottom() + 6
        for line in self._lines_of(text, nfont, int(inner.width())):
            painter.drawText(QRectF(inner.left(), y, inner.width(), fm.height()), Qt.AlignmentFlag.AlignLeft, line)
            y += fm.lineSpacing()

    def _lines_of(self, text: str, font: QFont, width: int) -> tuple[str, ...]:
        key = (text, width, font.key())
        cached = self._lines.get(key)
        if cached is not None:
            return cached
        if len(self._lines) > 4096:
            self._lines.clear()  # a crude bound; the working set is the visible cards
        fits = max(1, int((CELL.height() - 2 * GUTTER_Y - 40) // QFontMetrics(font).lineSpacing()))
        self._lines[key] = lines = wrap_elided(text, font, width, min(3, fits))
        return lines


def wrap_elided(text: str, font: QFont, width: int, max_lines: int) -> tuple[str, ...]:
    """Wrap at word boundaries (anywhere for long Korean runs) and elide the last line."""
    layout = QTextLayout(text, font)
    opt = QTextOption()
    opt.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout.setTextOption(opt)
    layout.beginLayout()
    starts: list[tuple[int, int]] = []
    while len(starts) < max_lines:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(width)
        starts.append((line.textStart(), line.textLength()))
    layout.endLayout()
    if not starts:
        return ()
    lines = [text[s : s + n].rstrip() for s, n in starts]
    last_start = starts[-1][0]
    if last_start + starts[-1][1] < len(text):
        fm = QFontMetrics(font)
        lines[-1] = fm.elidedText(text[last_start:], Qt.TextElideMode.ElideRight, width)
    return tuple(lines)
