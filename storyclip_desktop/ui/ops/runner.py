"""One way from the window to the services: calls run off the GUI thread, on one
executor, and come back on the GUI thread.

`Ops.write` runs a service call that changes something; when it succeeded, `changed`
carries a `Changes` and the initiator (the object that asked), so views refresh what
changed and skip their own echo. `Ops.read` runs a query and hands its result to a
callback; reads with the same `key` that are still waiting are superseded by the
newest. A failure becomes one line for the user (or the caller's `failure`).

One worker thread: calls run in the order they were asked for, so a read asked for
after a write sees it, and undo/redo steps never overtake each other.

The worker never touches the `Ops` (a QObject the window may be destroying at that very
moment): it hands each finished call to one delivery object that lives as long as the
process, which passes it on if the `Ops` is still there and open. Everything a call
holds (its callbacks, hence views and dialogs) is let go on the GUI thread, so a Qt
object is never freed on the worker.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Callable, Hashable
from concurrent import futures
from dataclasses import dataclass, field
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal, Slot

from ...jobs.tuning import lower_thread_priority
from .changes import Changes

log = logging.getLogger(__name__)

Report = Callable[[BaseException], object]


@dataclass
class _Call:
    fn: Callable[[], Any] | None
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

    def release(self) -> None:
        """Let go of the callbacks and the result (on the GUI thread)."""
        self.fn = self.success = self.failure = self.changes = self.initiator = None
        self.result = self.error = None


@dataclass
class _Lane:
    """What the worker may touch: plain Python, no Qt object but the delivery."""

    owner: weakref.ref
    delivery: _Delivery
    lock: threading.Lock = field(default_factory=threading.Lock)
    latest: dict[Hashable, int] = field(default_factory=dict)


class _Delivery(QObject):
    """Made once, on the GUI thread, by the first Ops, and never deleted: the worker
    emits through it, and Qt queues the call to the GUI thread."""

    done = Signal(object, object)  # weakref to the Ops, _Call

    def __init__(self) -> None:
        super().__init__()
        self.done.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    @Slot(object, object)
    def _deliver(self, owner: weakref.ref, call: _Call) -> None:
        ops = owner()
        if ops is None or not shiboken6.isValid(ops):  # the window went while it ran
            call.release()
            return
        ops._finish(call)


_delivery: _Delivery | None = None


def _gui_delivery() -> _Delivery:
    global _delivery
    if _delivery is None:
        _delivery = _Delivery()
    return _delivery


def _run(lane: _Lane, call: _Call) -> None:  # on the worker thread
    if call.key is not None:
        with lane.lock:
            call.skipped = lane.latest.get(call.key) != call.token
    if not call.skipped and call.fn is not None:
        try:
            call.result = call.fn()
        except BaseException as exc:  # noqa: BLE001 - every failure goes to the GUI thread
            call.error = exc
    lane.delivery.done.emit(lane.owner, call)


class Ops(QObject):
    changed = Signal(object, object)  # Changes, initiator (None: not a view)
    busyChanged = Signal(object, bool)  # busy key, busy
    settled = Signal()  # nothing is waiting or running

    def __init__(self, report: Report, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._report = report
        # At a lower priority: on a small, busy machine the window's thread gets the CPU
        # first, and the call waits on the network most of the time anyway.
        self._pool = futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="storyclip-ops",
                                                initializer=lower_thread_priority)
        self._lane = _Lane(weakref.ref(self), _gui_delivery())
        self._busy: dict[Hashable, int] = {}
        self._inflight: dict[int, tuple[futures.Future, _Call]] = {}  # token -> waiting or running
        self._tokens = 0
        self._closed = False

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
        return not self._inflight

    def working(self) -> bool:
        """True while a call is still running on the worker (after close too)."""
        return any(not future.done() for future, _call in self._inflight.values())

    def close(self, timeout: float = 0.0) -> bool:
        """No new calls, and nothing more comes back to the views. Reads still waiting
        are dropped; writes still waiting run all the same (they are the user's edits).
        Waits up to `timeout` seconds for what still runs (so it lands before the store
        closes); True if nothing does any more."""
        self._closed = True
        for token, (future, call) in list(self._inflight.items()):
            if call.changes is None and future.cancel():  # a read not started yet
                del self._inflight[token]
                call.release()
        self._pool.shutdown(wait=False)
        self._busy.clear()
        left = [future for future, _call in self._inflight.values()]
        return not left or not futures.wait(left, timeout).not_done

    # ---- running -------------------------------------------------------------------

    def _submit(self, call: _Call) -> bool:
        if self._closed or (call.busy is not None and self.is_busy(call.busy)):
            return False
        self._tokens += 1
        call.token = self._tokens
        if call.key is not None:
            with self._lane.lock:
                self._lane.latest[call.key] = call.token
        if call.busy is not None:
            self._busy[call.busy] = 1
            self.busyChanged.emit(call.busy, True)
        self._inflight[call.token] = (self._pool.submit(_run, self._lane, call), call)
        return True

    def _finish(self, call: _Call) -> None:  # on the GUI thread (from _Delivery)
        self._inflight.pop(call.token, None)
        try:
            if self._closed:
                return
            if call.busy is not None:
                self._busy.pop(call.busy, None)
                self.busyChanged.emit(call.busy, False)
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
            call.release()
            # Letting go of the callbacks may have dropped the last reference to a
            # parentless dialog that owns this Ops (a lane): then it is gone with it.
            if not self._inflight and not self._closed and shiboken6.isValid(self):
                self.settled.emit()
