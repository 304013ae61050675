"""The sync controller's one background lane: server calls (sync, publish, closing an
engine) run here, one at a time and in order, off the GUI thread; each result or error
comes back on the GUI thread.

It is shaped like the operations layer's `Ops.read(fn, success, failure=, busy=)`
(ui/ops), so the controller can move onto it by handing it `window.ops` -- but on a
lane of its own: a sync may wait seconds on a silent network and must never hold up
the window's edits queued behind it on the one ops executor. The worker is a daemon
thread, so a sync still waiting when the app quits never keeps the process alive
(every wait is bounded anyway, and nothing queued is lost: a change leaves the queue
only in the transaction that records its answer)."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal

log = logging.getLogger(__name__)


@dataclass
class _Call:
    fn: Callable[[], Any] | None
    success: Callable[[Any], object] | None
    failure: Callable[[BaseException], object] | None
    busy: Hashable | None
    result: Any = None
    error: BaseException | None = None


class BackgroundRunner(QObject):
    _done = Signal(object)  # a _Call, from the worker (queued to the GUI thread)

    def __init__(self, parent: QObject | None = None, name: str = "storyclip-sync") -> None:
        super().__init__(parent)
        self._name = name
        self._calls: queue.Queue[_Call | None] = queue.Queue()
        self._busy: set[Hashable] = set()
        self._thread: threading.Thread | None = None
        self._closed = False
        self._done.connect(self._finish, Qt.ConnectionType.QueuedConnection)

    def read(self, fn: Callable[[], Any], success: Callable[[Any], object] | None = None, *,
             failure: Callable[[BaseException], object] | None = None, busy: Hashable | None = None) -> bool:
        """Run `fn` in the background. False, and nothing runs, when closed or when
        `busy` names a call still waiting or running (no double submit)."""
        if self._closed or (busy is not None and busy in self._busy):
            return False
        if busy is not None:
            self._busy.add(busy)
        if self._thread is None:
            self._thread = threading.Thread(target=self._work, name=self._name, daemon=True)
            self._thread.start()
        self._calls.put(_Call(fn, success, failure, busy))
        return True

    def is_busy(self, key: Hashable) -> bool:
        return key in self._busy

    def close(self, timeout: float = 2.0) -> bool:
        """No new calls; waits up to `timeout` for the running one. True if it ended."""
        self._closed = True
        self._calls.put(None)
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _work(self) -> None:  # the worker thread
        while True:
            call = self._calls.get()
            if call is None or self._closed:
                return  # closing: what still waits is dropped, never half-run
            try:
                call.result = call.fn()
            except BaseException as exc:  # noqa: BLE001 - every failure goes to the GUI thread
                call.error = exc
            try:
                self._done.emit(call)
            except RuntimeError:  # the controller is gone (window closed)
                return

    def _finish(self, call: _Call) -> None:  # the GUI thread
        if call.busy is not None:
            self._busy.discard(call.busy)
        try:
            if call.error is not None:
                if call.failure is not None:
                    call.failure(call.error)
                else:
                    log.warning("background call failed: %s", type(call.error).__name__)
                return
            if call.success is not None:
                call.success(call.result)
        finally:
            # Its callbacks (the controller, the window) are let go here, not on the
            # worker, which still holds the call until the next one comes.
            call.fn = call.success = call.failure = call.result = call.error = None
