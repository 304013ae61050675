"""An LRU of decoded images bounded by their total size in bytes, not by a count, since
a full-size preview weighs as much as a hundred timeline thumbnails."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable

from PySide6.QtGui import QImage

DEFAULT_MAX_BYTES = 64 * 1024 * 1024


class ImageCache:
    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[Hashable, QImage] = OrderedDict()
        self._bytes = 0

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._items

    @property
    def total_bytes(self) -> int:
        return self._bytes

    def get(self, key: Hashable) -> QImage | None:
        image = self._items.get(key)
        if image is not None:
            self._items.move_to_end(key)
        return image

    def put(self, key: Hashable, image: QImage) -> None:
        size = image.sizeInBytes()
        if size > self.max_bytes:
            return  # would evict everything else and still not fit
        old = self._items.pop(key, None)
        if old is not None:
            self._bytes -= old.sizeInBytes()
        self._items[key] = image
        self._bytes += size
        while self._bytes > self.max_bytes and self._items:
            _, evicted = self._items.popitem(last=False)
            self._bytes -= evicted.sizeInBytes()

    def discard_where(self, predicate) -> int:  # noqa: ANN001 - a callable over keys
        """Drop every entry whose key matches; returns how many went."""
        doomed = [k for k in self._items if predicate(k)]
        for k in doomed:
            self._bytes -= self._items.pop(k).sizeInBytes()
        return len(doomed)

    def clear(self) -> None:
        self._items.clear()
        self._bytes = 0
