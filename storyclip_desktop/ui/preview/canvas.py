"""A large still, letterboxed at the project's frame ratio.

The picture is decoded by the shared ImageLoader at the frame's size in device pixels;
while a resize waits for the new decode, the previous image is drawn scaled so the
canvas never flashes empty.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from ..imaging import FIT, ImageKey, ImageLoader
from ..imaging.loader import MISSING
from .aspect import DEFAULT_RATIO, fit_rect, fit_size, stage_color

FRAME_MARGIN = 4  # every pixel of height goes to the picture


class ImageCanvas(QWidget):
    def __init__(self, parent: QWidget | None = None, *, loader: ImageLoader | None = None) -> None:
        super().__init__(parent)
        self.loader = loader or ImageLoader.shared()
        self.ratio = DEFAULT_RATIO
        self.path: Path | None = None
        self.message = ""
        self._key: ImageKey | None = None
        self._shown = None  # the last image drawn, kept while a new size decodes
        # Small enough that the window still fits a laptop screen with the jobs panel open.
        self.setMinimumSize(160, 100)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._debounce = QTimer(self, singleShot=True, interval=80)
        self._debounce.timeout.connect(self._request)
        self.loader.loaded.connect(self._on_loaded)
        self.loader.failed.connect(self._on_failed)

    # -- public --------------------------------------------------------------------------

    def set_ratio(self, ratio: float) -> None:
        if ratio != self.ratio:
            self.ratio = ratio
            self._debounce.start()
            self.update()

    def set_image(self, path: Path | None, empty_text: str = "No image") -> None:
        """Show a file (None: show `empty_text` in the empty frame)."""
        self.path = Path(path) if path is not None else None
        self.message = "" if path is not None else empty_text
        self._shown = None
        self._key = None
        if self.path is not None:
            self.loader.forget_if_changed(self.path)  # a re-chosen version may be a rewritten file
            self._request()
        self.update()

    def set_message(self, text: str) -> None:
        self.path, self._key, self._shown, self.message = None, None, None, text
        self.update()

    @property
    def state(self) -> str:
        """'ready', 'loading', 'missing', 'error' or 'empty' (for tests and the pane)."""
        if self.path is None:
            return "empty"
        if self._key is None:
            return "loading"
        if self.loader.cached(self._key) is not None:
            return "ready"
        error = self.loader.error(self._key)
        if error is None:
            return "loading"
        return "missing" if error == MISSING else "error"

    def image(self):  # noqa: ANN201 - QImage | None
        return self.loader.cached(self._key) if self._key else None

    def frame_rect(self) -> QRectF:
        return fit_rect(self.rect(), self.ratio, FRAME_MARGIN)

    # -- loading ------------------------------------------------------------------------

    def _request(self) -> None:
        if self.path is None:
            return
        frame = self.frame_rect()
        dpr = self.devicePixelRatioF()
        size = QSize(max(1, round(frame.width() * dpr)), max(1, round(frame.height() * dpr)))
        self._key = self.loader.key(self.path, size, FIT)
        image = self.loader.image(self.path, size, FIT)
        if image is not None:
            self._shown = image
        self.update()

    def _on_loaded(self, key: ImageKey, image: object) -> None:
        if key == self._key:
            self._shown = image
            self.update()

    def _on_failed(self, key: ImageKey, _message: str) -> None:
        if key == self._key:
            self._shown = None
            self.update()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        if self.path is not None:
            self._debounce.start()

    # -- painting -----------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        p = QPainter(self)
        pal = self.palette()
        p.fillRect(self.rect(), stage_color(pal))
        frame = self.frame_rect()
        p.fillRect(frame, QColor(0, 0, 0))
        image = self._shown
        if image is not None and not image.isNull():
            p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
            dpr = self.devicePixelRatioF()
            logical = QSize(round(image.width() / dpr), round(image.height() / dpr))
            target = fit_size(logical, frame)
            if abs(target.width() - frame.width()) < 2 and abs(target.height() - frame.height()) < 2:
                target = frame  # same ratio: no hairline of frame showing from rounding
            p.drawImage(target, image)
        else:
            self._paint_text(p, frame)
        p.end()

    def _paint_text(self, p: QPainter, frame: QRectF) -> None:
        state = self.state
        if state == "missing" and self.path is not None:
            text, color = f"⚠ missing file\n{self.path.name}", QColor("#f59e0b")
        elif state == "error" and self._key is not None:
            text, color = f"⚠ {self.loader.error(self._key)}", QColor("#f59e0b")
        elif state == "loading":
            text, color = "Loading…", QColor(255, 255, 255, 150)
        else:
            text, color = self.message, QColor(255, 255, 255, 150)
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.05)
        p.setFont(font)
        p.setPen(color)
        p.drawText(frame.adjusted(12, 12, -12, -12), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, text)
