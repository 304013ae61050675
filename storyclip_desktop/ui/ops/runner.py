"""One way from the window to the services: calls run off the GUI thread, on one
executor, and come back on the GUI thread.

`Ops.write` runs a service call that changes something; when it succeeded, `changed`
carries a `Changes` and the initiator (the object that asked), so views refresh what
changed and skip their own echo. `Ops.read` runs a query and hands its result to a
callback; reads with the same `key` that are still waiting are superseded by the
newest. A failure becomes one line for the user (or the caller's `failure`).

One worker thread: calls run in the order they were asked for, so a read asked for
after a write sees it, and undo/redo steps never overtake each other.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from ...jobs.tuning import lower_thread_priority
from .changes import Changes

log = logging.getLogger(__name__)

Report = Callable[[BaseException], object]


@dataclass
class _Call:
    fn: Callable[[], Any]
    success: Callable[[Any], object] | None
    failure: Callable[[BaseException], object] | None
    changes: Changes | Callable[[Any], Changes] | None
    initiator: object
    busy: Hashable | None
    key: Hashable | None
    token: int
    result: Any = None
    error: BaseException | None = None
    skipped: bool = False


class Ops(QObject):
    changed = Signal(object, object)  # Changes, initiator (None: not a view)
    busyChanged = Signal(object, bool)  # busy key, busy
    settled = Signal()  # nothing is waiting or running

    _done = Signal(object)  # a _Call, from the worker thread (Qt queues it to ours)

    def __init__(self, report: Report, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._report = report
        # At a lower priority: on a small, busy machine the window's thread gets the CPU
        # first, and the call waits on the network most of the time anyway.
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="storyclip-ops",
                                        initializer=lower_thread_priority)
        self._busy: dict[Hashable, int] = {}
        self._latest: dict[Hashable, int] = {}
        self._lock = threading.Lock()
        self._tokens = 0
        self._pending = 0
        self._closed = False
        self._done.connect(self._finish)

    # ---- asking ------------------------------------------------------------------

    def write(self, fn: Callable[[], Any], *, changes: Changes | Callable[[Any], Changes],
              initiator: object = None, busy: Hashable | None = None,
              success: Callable[[Any], object] | None = None,
              failure: Callable[[BaseException], object] | None = None) -> bool:
        """Run `fn` (a service call that writes). False, and nothing runs, if `busy`
        names something a call is still working on (no double submit)."""
        return self._submit(_Call(fn, success, failure, changes, initiator, busy, None, 0))

    def read(self, fn: Callable[[], Any], success: Callable[[Any], object], *,
             failure: Callable[[BaseException], object] | None = None,
             key: Hashable | None = None, busy: Hashable | None = None) -> bool:
        return self._submit(_Call(fn, success, failure, None, None, busy, key, 0))

    def is_busy(self, key: Hashable) -> bool:
        return self._busy.get(key, 0) > 0

    def idle(self) -> bool:
        return self._pending == 0

    def close(self) -> None:
        """Calls still waiting are dropped; the one running finishes on its own."""
        self._closed = True
        self._pool.shutdown(wait=False, cancel_futures=True)

    # ---- running -------------------------------------------------------------------

    def _submit(self, call: _Call) -> bool:
        if self._closed or (call.busy is not None and self.is_busy(call.busy)):
            return False
        self._tokens += 1
        call.token = self._tokens
        if call.key is not None:
            with self._lock:
                self._latest[call.key] = call.token
        if call.busy is not None:
            self._busy[call.busy] = 1
            self.busyChanged.emit(call.busy, True)
        self._pending += 1
        self._pool.submit(self._run, call)
        return True

    def _run(self, call: _Call) -> None:  # on the worker thread
        if call.key is not None:
            with self._lock:
                call.skipped = self._latest.get(call.key) != call.token
        if not call.skipped:
            try:
                call.result = call.fn()
            except BaseException as exc:  # noqa: BLE001 - every failure goes to the GUI thread
                call.error = exc
        try:
            self._done.emit(call)
        except RuntimeError:  # the window closed meanwhile
            pass

    @Slot(object)
    def _finish(self, call: _Call) -> None:  # on the GUI thread
        self._pending -= 1
        if call.busy is not None:
            self._busy.pop(call.busy, None)
            self.busyChanged.emit(call.busy, False)
        try:
            if call.skipped:
                return
            if call.error is not None:
                if not isinstance(call.error, Exception):
                    raise call.error
                (call.failure or self._report)(call.error)
                return
            # The views hear what changed first, so a success callback that selects
            # what the call made finds it there.
            if call.changes is not None:
                changes = call.changes(call.result) if callable(call.changes) else call.changes
                self.changed.emit(changes, call.initiator)
            if call.success is not None:
                call.success(call.result)
        finally:
            if self._pending == 0:
                self.settled.emit()
