"""64-bit ids that workstations create offline without colliding.

Layout (Snowflake-like, fits a signed bigint): 41 bits of milliseconds since
2025-01-01 UTC, 10 bits of installation node, 12 bits of per-millisecond sequence.
Ids sort by creation time, which keeps B-tree inserts cheap and sync cursors simple.
"""

from __future__ import annotations

import threading
import time

EPOCH_MS = 1_735_689_600_000  # 2025-01-01T00:00:00Z
NODE_BITS = 10
SEQ_BITS = 12
MAX_NODE = (1 << NODE_BITS) - 1
MAX_SEQ = (1 << SEQ_BITS) - 1
MAX_ID = (1 << 63) - 1  # the largest id this layout can ever produce


class IdGenerator:
    def __init__(self, node: int, clock: callable = time.time) -> None:  # type: ignore[valid-type]
        if not 0 <= node <= MAX_NODE:
            raise ValueError(f"node must be 0..{MAX_NODE}")
        self.node = node
        self._clock = clock
        self._lock = threading.Lock()
        self._last_ms = -1
        self._seq = 0

    def _now_ms(self) -> int:
        return int(self._clock() * 1000) - EPOCH_MS

    def next_id(self) -> int:
        with self._lock:
            ms = self._now_ms()
            # A clock that steps back must not reuse ids: keep counting from the last ms.
            ms = max(ms, self._last_ms)
            if ms == self._last_ms:
                self._seq = (self._seq + 1) & MAX_SEQ
                if self._seq == 0:
                    ms = self._last_ms + 1
            else:
                self._seq = 0
            self._last_ms = ms
            return (ms << (NODE_BITS + SEQ_BITS)) | (self.node << SEQ_BITS) | self._seq


def id_node(value: int) -> int:
    return (value >> SEQ_BITS) & MAX_NODE


def id_time_ms(value: int) -> int:
    return (value >> (NODE_BITS + SEQ_BITS)) + EPOCH_MS
