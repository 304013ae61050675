"""The horizontal strip of scene cards, with drag-and-drop and keyboard reordering.

QListView's own icon-mode drag moves items to free positions instead of asking the
model, so the view handles drag and drop itself: it starts the drag with the model's
mime data, paints a vertical insertion line in the gutter between cards, and drops by
calling `model.dropMimeData(..., row=gap, ...)` -- the same path any other source uses.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPoint, QPointF, QRect, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QDrag,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QKeyEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
    QPixmap,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import QAbstractItemView, QListView, QStyle, QStyleOptionViewItem, QWidget

from .delegate import CELL, GUTTER_X, GUTTER_Y, SceneCardDelegate, is_dark, thumb_logical_size
from .model import SceneListModel

AUTOSCROLL_MARGIN = 48
SPIN_INTERVAL_MS = 60


class TimelineView(QListView):
    moveRequested = Signal(int)  # Ctrl+Left (-1) / Ctrl+Right (+1)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(False)
        self.setUniformItemSizes(True)
        self.setSpacing(0)  # the gutter is inside each cell (see delegate.CELL)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setLayoutMode(QListView.LayoutMode.SinglePass)
        self.setMovement(QListView.Movement.Static)  # no free-form icon moves ...
        self.setDragEnabled(True)  # ... but our own drag and drop (setMovement reset it)
        self.setAcceptDrops(True)
        self.viewport().setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setDropIndicatorShown(False)  # we paint our own between the cards
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMouseTracking(True)  # hover highlight
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setFrameShape(QListView.Shape.NoFrame)
        self.horizontalScrollBar().setSingleStep(CELL.width() // 3)
        self.delegate = SceneCardDelegate(self)
        self.setItemDelegate(self.delegate)
        self.setFixedHeight(CELL.height() + self.horizontalScrollBar().sizeHint().height() + 4)

        self._drop_gap: int | None = None
        self._scroll_dir = 0
        self._autoscroll = QTimer(self, interval=30)
        self._autoscroll.timeout.connect(self._autoscroll_step)
        self._spin = QTimer(self, interval=SPIN_INTERVAL_MS)
        self._spin.timeout.connect(self._spin_step)

    # -- model wiring ------------------------------------------------------------------

    def setModel(self, model: SceneListModel) -> None:  # noqa: N802 - Qt override
        old = self.model()
        if isinstance(old, SceneListModel):
            old.busyChanged.disconnect(self._update_spinner)
        super().setModel(model)
        if isinstance(model, SceneListModel):
            model.busyChanged.connect(self._update_spinner)
            self._sync_thumb_size()

    def scene_model(self) -> SceneListModel | None:
        m = self.model()
        return m if isinstance(m, SceneListModel) else None

    def _sync_thumb_size(self) -> None:
        m = self.scene_model()
        if m is not None:
            dpr = self.devicePixelRatioF()
            logical = thumb_logical_size()
            m.set_thumbnail_size(QSize(round(logical.width() * dpr), round(logical.height() * dpr)))

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        self._sync_thumb_size()  # the screen, hence the pixel ratio, is known now
        super().showEvent(event)

    # -- geometry of gaps ----------------------------------------------------------------

    def gap_at(self, pos: QPoint) -> int:
        """The insertion gap (0..rowCount) nearest to a viewport x position: the first
        card whose middle lies right of `pos`. Binary search; cards are uniform."""
        m = self.model()
        n = m.rowCount() if m is not None else 0
        lo, hi = 0, n
        while lo < hi:
            mid = (lo + hi) // 2
            if self.visualRect(m.index(mid, 0)).center().x() > pos.x():
                hi = mid
            else:
                lo = mid + 1
        return lo

    def gap_x(self, gap: int) -> int:
        """Viewport x of the insertion line for a gap: the middle of the gutter."""
        m = self.model()
        n = m.rowCount() if m is not None else 0
        if n == 0:
            return GUTTER_X
        if gap <= 0:
            return self.visualRect(m.index(0, 0)).left() + GUTTER_X // 2
        if gap >= n:
            return self.visualRect(m.index(n - 1, 0)).right() - GUTTER_X // 2 + 1
        return self.visualRect(m.index(gap, 0)).left()

    @property
    def drop_gap(self) -> int | None:
        return self._drop_gap

    def _set_drop_gap(self, gap: int | None) -> None:
        if gap == self._drop_gap:
            return
        for g in (self._drop_gap, gap):
            if g is not None:
                x = self.gap_x(g)
                self.viewport().update(QRect(x - 10, 0, 20, self.viewport().height()))
        self._drop_gap = gap

    # -- drag ----------------------------------------------------------------------------

    def startDrag(self, supportedActions: Qt.DropAction) -> None:  # noqa: N802, N803
        m = self.scene_model()
        indexes = sorted(self.selectedIndexes(), key=QModelIndex.row)
        if m is None or not indexes:
            return
        data = m.mimeData(indexes)
        if data is None:
            return
        drag = QDrag(self)
        drag.setMimeData(data)
        pixmap = self._drag_pixmap(indexes)
        drag.setPixmap(pixmap)
        drag.setHotSpot(QPoint(pixmap.width() // 2, 24))
        # The model already moved the rows on drop; QAbstractItemView.startDrag would
        # also try to remove the "moved" rows, so it is not called.
        drag.exec(Qt.DropAction.MoveAction, Qt.DropAction.MoveAction)
        self._set_drop_gap(None)

    def _drag_pixmap(self, indexes: list[QModelIndex]) -> QPixmap:
        """Up to three cards fanned out, with a count when more are dragged."""
        shown = indexes[:3]
        dpr = self.devicePixelRatioF()
        w, h = CELL.width() + 8 * (len(shown) - 1), CELL.height() + 8 * (len(shown) - 1)
        pixmap = QPixmap(round(w * dpr), round(h * dpr))
        pixmap.setDevicePixelRatio(dpr)
        pixmap.fill(Qt.GlobalColor.transparent)
        p = QPainter(pixmap)
        p.setOpacity(0.9)
        for i, idx in enumerate(reversed(shown)):
            opt = QStyleOptionViewItem()
            self.initViewItemOption(opt)
            off = 8 * (len(shown) - 1 - i)
            opt.rect = QRect(off, off, CELL.width(), CELL.height())
            opt.state |= QStyle.StateFlag.State_Selected
            self.delegate.paint(p, opt, idx)
        if len(indexes) > 1:
            p.setOpacity(1.0)
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            r = QRectF(w - 34, 2, 30, 22)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(self.palette().color(QPalette.ColorRole.Highlight))
            p.drawRoundedRect(r, 11, 11)
            p.setPen(self.palette().color(QPalette.ColorRole.HighlightedText))
            p.drawText(r, Qt.AlignmentFlag.AlignCenter, str(len(indexes)))
        p.end()
        return pixmap

    # -- drop ----------------------------------------------------------------------------

    def _accepts(self, event: QDropEvent) -> bool:
        m = self.scene_model()
        return m is not None and m.canDropMimeData(
            event.mimeData(), Qt.DropAction.MoveAction, -1, -1, QModelIndex()
        )

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if self._accepts(event):
            event.setDropAction(Qt.DropAction.MoveAction)
            event.accept()
            self._set_drop_gap(self.gap_at(event.position().toPoint()))
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802
        if not self._accepts(event):
            event.ignore()
            return
        pos = event.position().toPoint()
        event.setDropAction(Qt.DropAction.MoveAction)
        event.accept()
        self._set_drop_gap(self.gap_at(pos))
        # Scroll while the pointer rests near an edge, so a card can travel far.
        width = self.viewport().width()
        self._scroll_dir = -1 if pos.x() < AUTOSCROLL_MARGIN else 1 if pos.x() > width - AUTOSCROLL_MARGIN else 0
        if self._scroll_dir and not self._autoscroll.isActive():
            self._autoscroll.start()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:  # noqa: N802
        self._autoscroll.stop()
        self._set_drop_gap(None)
        event.accept()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        self._autoscroll.stop()
        gap = self.gap_at(event.position().toPoint())
        self._set_drop_gap(None)
        m = self.scene_model()
        if m is None or not self._accepts(event):
            event.ignore()
            return
        m.dropMimeData(event.mimeData(), Qt.DropAction.MoveAction, gap, 0, QModelIndex())
        # Accepted either way: on failure the model is unchanged (the cards stay put)
        # and the error went out through the model's errorOccurred.
        event.setDropAction(Qt.DropAction.MoveAction)
        event.accept()

    def _autoscroll_step(self) -> None:
        if not self._scroll_dir or self._drop_gap is None:
            self._autoscroll.stop()
            return
        bar = self.horizontalScrollBar()
        bar.setValue(bar.value() + self._scroll_dir * 24)

    # -- painting ------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self.viewport())
        pal = self.palette()
        painter.fillRect(event.rect(), track_color(pal))
        m = self.scene_model()
        if m is not None and m.rowCount() == 0:
            painter.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(self.viewport().rect().adjusted(16, 0, -16, 0),
                             Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.empty_text())
        painter.end()
        super().paintEvent(event)
        if self._drop_gap is not None:
            self._paint_drop_indicator()

    def empty_text(self) -> str:
        m = self.scene_model()
        if m is None or m.project_id is None:
            return self.tr("No project open — create one with File › New project (Ctrl+N)")
        return self.tr("No scenes yet — write the script above, then Scene › Split into scenes (Ctrl+Shift+S)")

    def _paint_drop_indicator(self) -> None:
        x = self.gap_x(self._drop_gap or 0) + 0.5
        top, bottom = GUTTER_Y - 4, CELL.height() - GUTTER_Y + 4
        color = self.palette().color(QPalette.ColorRole.Highlight)
        p = QPainter(self.viewport())
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        # A soft glow under a crisp 3px line, with caret heads like an NLE's insert mark.
        glow = QColor(color)
        glow.setAlpha(70)
        p.setPen(QPen(glow, 7, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        p.drawLine(QPointF(x, top + 4), QPointF(x, bottom - 4))
        p.setPen(QPen(color, 3, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        p.drawLine(QPointF(x, top + 2), QPointF(x, bottom - 2))
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(color)
        for y, d in ((top, 1), (bottom, -1)):
            head = QPainterPath(QPointF(x - 7, y))
            head.lineTo(x + 7, y)
            head.lineTo(x, y + 8 * d)
            head.closeSubpath()
            p.drawPath(head)
        p.end()

    # -- keyboard ------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        ctrl = event.modifiers() & Qt.KeyboardModifier.ControlModifier
        if ctrl and event.key() in (Qt.Key.Key_Left, Qt.Key.Key_Right):
            self.moveRequested.emit(-1 if event.key() == Qt.Key.Key_Left else 1)
            event.accept()
            return
        super().keyPressEvent(event)

    # -- busy spinner --------------------------------------------------------------------

    def _update_spinner(self) -> None:
        m = self.scene_model()
        busy = bool(m and m.busy_rows())
        if busy and not self._spin.isActive():
            self._spin.start()
        elif not busy:
            self._spin.stop()

    def _spin_step(self) -> None:
        m = self.scene_model()
        if m is None:
            return
        self.delegate.spin_phase = (self.delegate.spin_phase + 30) % 360
        visible = self.viewport().rect()
        for row in m.busy_rows():
            r = self.visualRect(m.index(row, 0))
            if r.intersects(visible):
                self.viewport().update(r)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._set_drop_gap(self._drop_gap)


def track_color(pal: QPalette) -> QColor:
    """The strip's background: a shade off the window colour, like an NLE track."""
    window = pal.color(QPalette.ColorRole.Window)
    return window.darker(135) if is_dark(pal) else window.darker(108)
