"""Decode images on a thread pool and hand them to the GUI thread through a signal.

Widgets ask `image(path, size)`: a cached QImage comes back at once; otherwise a
decode is queued (once per key, newest request first, so whatever is on screen after a
fast scroll wins) and `loaded(key, image)` fires later on the GUI thread. A file that
cannot be read is remembered as failed until `forget(path)`, so a missing file is not
retried on every paint.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path
from typing import NamedTuple

from PySide6.QtCore import (
    QCoreApplication,
    QObject,
    QRect,
    QRunnable,
    QSize,
    Qt,
    QThreadPool,
    Signal,
    Slot,
)
from PySide6.QtGui import QImage, QImageReader

from .cache import DEFAULT_MAX_BYTES, ImageCache

try:  # the media helper's disk thumbnails, when that module is installed
    from ...media.library import default_media_root
    from ...media.thumbnails import DEFAULT_SIZE as THUMB_DISK_SIZE
    from ...media.thumbnails import ensure_thumbnail
except ImportError:  # pragma: no cover - media layer not present
    ensure_thumbnail = None
    THUMB_DISK_SIZE = 0

FIT = "fit"  # scale to fit inside the size, keeping the aspect ratio
COVER = "cover"  # scale to cover the size and crop the middle: exactly that size

MISSING = "missing file"


class ImageKey(NamedTuple):
    path: str
    width: int
    height: int
    mode: str


class _Relay(QObject):
    """Lives on the GUI thread; workers emit through it so delivery is queued there."""

    done = Signal(object, object, str)  # key, QImage | None, error message


def file_stamp(path: str | Path) -> tuple[int, int] | None:
    """(mtime, size) of a file, None when it is not there: tells a rewritten file."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


class _DecodeTask(QRunnable):
    def __init__(self, key: ImageKey, relay: _Relay, use_disk_thumbnail: bool,
                 stamps: dict[str, tuple[int, int] | None] | None = None) -> None:
        super().__init__()
        self.key = key
        self.relay = relay
        self.use_disk_thumbnail = use_disk_thumbnail
        self.stamps = stamps

    def run(self) -> None:
        if self.stamps is not None:  # before reading: a later rewrite then shows as a change
            self.stamps[self.key.path] = file_stamp(self.key.path)
        try:
            image, error = decode(self.key, self.use_disk_thumbnail), ""
        except _DecodeError as e:
            image, error = None, str(e)
        except Exception as e:  # noqa: BLE001 - a worker must always answer
            image, error = None, f"cannot read image: {e}"
        try:
            self.relay.done.emit(self.key, image, error)
        except RuntimeError:
            pass  # the loader went away while we decoded (application exit)


class _DecodeError(Exception):
    pass


def decode(key: ImageKey, use_disk_thumbnail: bool = False) -> QImage:
    """Read `key.path` scaled to the key's size. Runs on a worker thread."""
    path = Path(key.path)
    if not path.is_file():
        raise _DecodeError(MISSING)
    source = path
    if use_disk_thumbnail and ensure_thumbnail is not None:
        try:
            # Small JPEGs made once by the media layer: a 1000-card timeline then
            # decodes 30 kB files instead of full-size PNGs on every cache miss.
            source = ensure_thumbnail(path, default_media_root())
        except Exception:  # noqa: BLE001 - fall back to the original file
            source = path
    reader = QImageReader(str(source))
    reader.setAutoTransform(True)
    natural = reader.size()
    if natural.isValid() and not natural.isEmpty():
        target = QSize(key.width, key.height)
        if key.mode == COVER:
            scaled = natural.scaled(target, Qt.AspectRatioMode.KeepAspectRatioByExpanding)
            reader.setScaledSize(scaled)
            x = (scaled.width() - target.width()) // 2
            y = (scaled.height() - target.height()) // 2
            reader.setScaledClipRect(QRect(x, y, target.width(), target.height()))
        else:
            scaled = natural.scaled(target, Qt.AspectRatioMode.KeepAspectRatio)
            if scaled.width() < natural.width():  # never upscale on decode
                reader.setScaledSize(scaled)
    image = reader.read()
    if image.isNull():
        raise _DecodeError(f"cannot read image: {reader.errorString()}")
    # Premultiplied ARGB (or RGB32) is what the raster painter blits without converting.
    fmt = QImage.Format.Format_ARGB32_Premultiplied if image.hasAlphaChannel() else QImage.Format.Format_RGB32
    if image.format() != fmt:
        image = image.convertToFormat(fmt)
    return image


class ImageLoader(QObject):
    loaded = Signal(object, QImage)  # ImageKey, image
    failed = Signal(object, str)  # ImageKey, message ("missing file", ...)

    _shared: ImageLoader | None = None

    def __init__(
        self,
        parent: QObject | None = None,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        threads: int | None = None,
    ) -> None:
        super().__init__(parent)
        self.cache = ImageCache(max_bytes)
        self._errors: dict[ImageKey, str] = {}
        self._pending: set[ImageKey] = set()
        # path -> the file's stamp when it was last decoded (written by the workers)
        self._stamps: dict[str, tuple[int, int] | None] = {}
        self._priority = itertools.count()
        # The pool before the relay: children go in the order they were made, and the
        # pool waits for its decodes as it goes, so none emits through a deleted relay.
        self.pool = QThreadPool(self)
        ideal = QThreadPool.globalInstance().maxThreadCount()
        self.pool.setMaxThreadCount(threads or max(2, min(4, ideal - 1)))
        self._relay = _Relay(self)
        self._relay.done.connect(self._on_done)

    @classmethod
    def shared(cls) -> ImageLoader:
        """The application-wide loader, so timeline and preview share one cache."""
        if cls._shared is None:
            cls._shared = ImageLoader()
            app = QCoreApplication.instance()
            if app is not None:
                app.aboutToQuit.connect(cls._shared.shutdown)
        return cls._shared

    @staticmethod
    def key(path: str | Path, size: QSize, mode: str = FIT) -> ImageKey:
        return ImageKey(str(path), max(1, size.width()), max(1, size.height()), mode)

    def cached(self, key: ImageKey) -> QImage | None:
        return self.cache.get(key)

    def error(self, key: ImageKey) -> str | None:
        return self._errors.get(key)

    def is_pending(self, key: ImageKey) -> bool:
        return key in self._pending

    def image(
        self, path: str | Path, size: QSize, mode: str = FIT, *, thumbnail: bool = False
    ) -> QImage | None:
        """The cached image, or None after queueing its decode (unless it failed)."""
        key = self.key(path, size, mode)
        hit = self.cache.get(key)
        if hit is None:
            self.request(key, thumbnail=thumbnail)
        return hit

    def request(self, key: ImageKey, *, thumbnail: bool = False) -> None:
        if key in self._pending or key in self._errors or key in self.cache:
            return
        self._pending.add(key)
        # Disk thumbnails are only worth it when they are at least as large as asked.
        use_disk = thumbnail and max(key.width, key.height) <= THUMB_DISK_SIZE
        task = _DecodeTask(key, self._relay, use_disk, self._stamps)
        # Newest first: after a fast scroll, the cards now on screen decode before the
        # ones that scrolled past.
        self.pool.start(task, next(self._priority) % 2_000_000_000)

    def forget(self, path: str | Path) -> None:
        """Drop cached images and remembered failures of a file (it changed or came)."""
        p = str(path)
        self.cache.discard_where(lambda k: k.path == p)
        for k in [k for k in self._errors if k.path == p]:
            del self._errors[k]

    def forget_if_changed(self, path: str | Path) -> bool:
        """forget(path) only when the file changed since it was decoded: media files are
        named by their content and never change, so showing one in the preview keeps
        the timeline's thumbnail of it (no "Loading…" flash on the card)."""
        p = str(path)
        if p in self._stamps and self._stamps[p] == file_stamp(p):
            return False
        self.forget(p)
        self._stamps.pop(p, None)
        return True

    def wait(self, msecs: int = 5000) -> bool:
        """Block until queued decodes finish (tests and shutdown only)."""
        ok = self.pool.waitForDone(msecs)
        QCoreApplication.processEvents()
        return ok

    @Slot()
    def shutdown(self) -> None:
        self.pool.clear()
        self.pool.waitForDone(3000)

    def _on_done(self, key: ImageKey, image: QImage | None, error: str) -> None:
        self._pending.discard(key)
        if image is None:
            self._errors[key] = error or "cannot read image"
            self.failed.emit(key, self._errors[key])
            return
        self.cache.put(key, image)
        self.loaded.emit(key, image)
