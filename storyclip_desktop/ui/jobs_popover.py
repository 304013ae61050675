"""The jobs panel as a popover over the window's bottom-right corner.

It floats above the timeline instead of taking a dock's share of the window, so opening
it never takes height from the preview and never makes the window grow; it opens only
when the editor asks (the status bar's job count, View › Jobs panel, Ctrl+4) and Esc or
its close button hides it again.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QFrame, QGraphicsDropShadowEffect, QMainWindow, QVBoxLayout, QWidget

from . import theme

MAX_WIDTH = 820
MAX_HEIGHT = 320
EDGE = 12  # gap to the window's right edge and to the status bar


class JobsPopover(QFrame):
    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.window_ = window
        self.setObjectName("jobsPopover")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        shadow = QGraphicsDropShadowEffect(self)
        shadow.setBlurRadius(24)
        shadow.setOffset(0, 4)
        self.setGraphicsEffect(shadow)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(1, 1, 1, 1)
        self._widget: QWidget | None = None
        self._action = QAction(theme.icon("jobs"), "&Jobs panel", self)
        self._action.setCheckable(True)
        self._action.toggled.connect(self.setVisible)
        esc = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        esc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        esc.activated.connect(self.hide)
        window.installEventFilter(self)
        self.hide()

    def toggleViewAction(self) -> QAction:  # noqa: N802 - QDockWidget's name, for View › Jobs panel
        return self._action

    def widget(self) -> QWidget | None:
        return self._widget

    def setWidget(self, widget: QWidget) -> None:  # noqa: N802
        if self._widget is not None:
            self._layout.removeWidget(self._widget)
            self._widget.hide()  # the caller deletes it; until then it must not show through
        self._widget = widget
        self._layout.addWidget(widget)

    def place(self) -> None:
        """Bottom-right, above the status bar; never larger than the window allows."""
        w = self.window_
        bar = w.statusBar().height() if w.statusBar() and w.statusBar().isVisible() else 0
        top = w.menuBar().height() if w.menuBar() else 0
        width = max(320, min(MAX_WIDTH, w.width() - 2 * EDGE))
        height = max(160, min(MAX_HEIGHT, (w.height() - top - bar) // 2))
        self.setGeometry(w.width() - width - EDGE, w.height() - bar - height - EDGE // 2, width, height)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if obj is self.window_ and event.type() == QEvent.Type.Resize and self.isVisible():
            self.place()
        return False

    def showEvent(self, event: QEvent) -> None:  # noqa: N802
        self.place()
        self.raise_()
        self._action.setChecked(True)
        super().showEvent(event)

    def hideEvent(self, event: QEvent) -> None:  # noqa: N802
        self._action.setChecked(False)
        super().hideEvent(event)
