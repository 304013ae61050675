"""Project frame ratios ("9:16") and letterboxing to them."""

from __future__ import annotations

from PySide6.QtCore import QRect, QRectF, QSize
from PySide6.QtGui import QColor, QPalette, QResizeEvent
from PySide6.QtWidgets import QWidget

DEFAULT_RATIO = 9 / 16


def parse_ratio(text: str | None) -> float:
    """'9:16' -> 0.5625 (width / height); anything unreadable -> 9:16, the default."""
    try:
        w, h = (float(x) for x in str(text).split(":", 1))
    except (TypeError, ValueError):
        return DEFAULT_RATIO
    return w / h if w > 0 and h > 0 else DEFAULT_RATIO


def fit_rect(outer: QRectF | QRect, ratio: float, margin: float = 0.0) -> QRectF:
    """The largest rect of `ratio` (w/h) centred in `outer`, less a margin."""
    o = QRectF(outer).adjusted(margin, margin, -margin, -margin)
    if o.width() <= 0 or o.height() <= 0 or ratio <= 0:
        return QRectF(o.topLeft(), o.topLeft())
    w = min(o.width(), o.height() * ratio)
    h = w / ratio
    return QRectF(o.left() + (o.width() - w) / 2, o.top() + (o.height() - h) / 2, w, h)


def fit_size(inner: QSize, outer: QRectF) -> QRectF:
    """`inner` scaled to fit `outer` (keeping its aspect), centred."""
    if inner.isEmpty():
        return QRectF(outer)
    scale = min(outer.width() / inner.width(), outer.height() / inner.height())
    w, h = inner.width() * scale, inner.height() * scale
    return QRectF(outer.left() + (outer.width() - w) / 2, outer.top() + (outer.height() - h) / 2, w, h)


def stage_color(pal: QPalette) -> QColor:
    """Behind the frame: darker than the window in both themes, like a viewer."""
    window = pal.color(QPalette.ColorRole.Window)
    return window.darker(160) if window.lightness() < 128 else window.darker(118)


class AspectBox(QWidget):
    """Holds one child at the project's frame ratio, centred, with bars around it."""

    def __init__(self, child: QWidget, ratio: float = DEFAULT_RATIO, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.child = child
        self.ratio = ratio
        child.setParent(self)
        self.setAutoFillBackground(True)
        pal = self.palette()
        pal.setColor(QPalette.ColorRole.Window, stage_color(pal))
        self.setPalette(pal)

    def set_ratio(self, ratio: float) -> None:
        self.ratio = ratio
        self._place()

    def frame_rect(self) -> QRect:
        return fit_rect(self.rect(), self.ratio, 8).toAlignedRect()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._place()

    def _place(self) -> None:
        self.child.setGeometry(self.frame_rect())
