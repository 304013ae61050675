"""Every wait of a sync on the team server has an end.

libpq's keepalives and tcp_user_timeout (store/network.py) end waits the kernel can
see. They cannot end a wait on a path that still acknowledges packets but never
answers (a proxy or VPN whose far side went dark, a server that froze), and they take
~10 s. So the sync's server connections are *watched*: every blocking call (a
statement, a commit, a rollback) registers itself, and one watchdog thread shuts the
connection's socket down when a call gets no answer within `Bounds.answer`, or when
the whole push passes its own bound (checked between changes). A shut-down socket makes the blocked
libpq call fail at once ("server closed the connection"), the push ends with
everything still queued, and the report says the team server stopped answering.

Exactly-once is untouched: a change whose transaction was cut is either rolled back
by the server (never committed) or committed with its claim in sync_mutation, and the
next push gets that stored answer back.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import psycopg
import psycopg.errors
from sqlalchemy import Engine, event

from ..store.network import env_seconds
from .errors import Offline

ENV = {
    "answer": "STORYCLIP_SYNC_ANSWER_SECONDS",
    "push": "STORYCLIP_SYNC_PUSH_SECONDS",
    "lock": "STORYCLIP_SYNC_LOCK_SECONDS",
}
STOPPED = "the team server stopped answering"


@dataclass(frozen=True)
class Bounds:
    """Seconds. A push of a few changes takes well under a second (about 3 ms per
    change on a LAN), so a person notices long before these; they only decide when to
    stop waiting. docs/sync.md has the reasoning."""

    answer: float = 8.0  # one request: statement, commit, rollback
    push: float = 120.0  # a whole push: it stops between two changes, the rest stays queued
    lock: float = 2.0  # waiting for another installation's hold on a project, per try

    @classmethod
    def from_env(cls) -> Bounds:
        return cls(**{name: env_seconds(env, getattr(cls, name)) for name, env in ENV.items()})


class StoppedAnswering(Offline):
    """The team server (or the network to it) went silent; everything stays queued."""


class OutOfTime(Exception):
    """A push passed its whole bound with the server still answering: it stops
    between two changes, the rest waits for the next sync."""


@dataclass
class _Wait:
    fd: int
    started: float


class Watchdog:
    """Ends server waits that pass their bound. Thread-safe; its thread runs only
    while something waits (it ends itself after a short idle spell)."""

    IDLE_EXIT = 2.0

    def __init__(self, bounds: Bounds) -> None:
        self.bounds = bounds
        self._cv = threading.Condition()
        self._waits: dict[int, _Wait] = {}
        self._phase: tuple[str, float] | None = None  # (what, deadline)
        self._thread: threading.Thread | None = None
        self.fired: str | None = None
        self.aborted = False  # for good: the engine is closing

    # -- what the sync marks --------------------------------------------------------

    @contextmanager
    def phase(self, what: str, seconds: float) -> Iterator[None]:
        """A push: past `seconds` it stops at the next check(), between two changes."""
        with self._cv:
            self._phase = (what, time.monotonic() + seconds)
            self._cv.notify()
        try:
            yield
        finally:
            with self._cv:
                self._phase = None

    def check(self) -> None:
        """Between server calls: stop if a wait was cut (StoppedAnswering) or the push
        ran past its bound while the server kept answering (OutOfTime)."""
        if self.fired:
            raise StoppedAnswering(self.message())
        with self._cv:
            phase = self._phase
        if phase and time.monotonic() > phase[1]:
            raise OutOfTime(f"the {phase[0]} took longer than {self._bound_of(phase[0]):g} s")

    def reset(self) -> None:
        with self._cv:
            self.fired = "the sync was stopped" if self.aborted else None

    def waiting_for(self) -> float:
        """Seconds the oldest current server call has waited (0: none waiting)."""
        with self._cv:
            if not self._waits:
                return 0.0
            return time.monotonic() - min(w.started for w in self._waits.values())

    def abort(self, why: str = "the sync was stopped") -> None:
        """End every current wait now (the window is closing): the sync stops at once,
        everything not acknowledged stays queued."""
        with self._cv:
            self.fired = why
            self.aborted = True
            for w in self._waits.values():
                _shut(w.fd)
            self._waits.clear()
            self._cv.notify()

    def message(self) -> str:
        why = self.fired or "no answer"
        return f"{STOPPED} ({why}); everything stays queued and the next sync resumes"

    @contextmanager
    def waiting(self, conn: psycopg.Connection) -> Iterator[None]:
        """Around one blocking call on `conn`."""
        try:
            fd = conn.fileno()
        except Exception:  # noqa: BLE001 - a closed connection fails by itself, at once
            yield
            return
        key = id(conn)
        with self._cv:
            self._waits[key] = _Wait(fd, time.monotonic())
            self._ensure_thread()
            self._cv.notify()
        try:
            yield
        finally:
            # Under the lock: once this returns, the watchdog never touches the fd,
            # which the connection may close and the OS may reuse.
            with self._cv:
                self._waits.pop(key, None)

    # -- the thread -----------------------------------------------------------------

    def _bound_of(self, what: str) -> float:
        return float(getattr(self.bounds, what, self.bounds.answer))

    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="storyclip-sync-watchdog", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        idle_since = time.monotonic()
        with self._cv:
            while True:
                now = time.monotonic()
                if not self._waits:
                    if now - idle_since > self.IDLE_EXIT:
                        self._thread = None
                        return
                    self._cv.wait(0.5)
                    continue
                idle_since = now
                nearest = None
                for key, w in list(self._waits.items()):
                    # Only a silent wait is cut; a push past its whole bound
                    # stops at the next check(), between two answered calls.
                    due, why = w.started + self.bounds.answer, f"no answer for {self.bounds.answer:g} s"
                    if now >= due:
                        self.fired = why
                        _shut(w.fd)
                        del self._waits[key]
                    else:
                        nearest = due if nearest is None else min(nearest, due)
                if nearest is not None:
                    self._cv.wait(max(0.01, nearest - now))


def connect_timed_out(exc: BaseException | None) -> bool:
    """libpq's connect_timeout passed: the server (or the path to it) is silent."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(getattr(exc, "orig", None) or exc, psycopg.errors.ConnectionTimeout):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _shut(fd: int) -> None:
    """Shut the socket down under the blocked call (not close: the fd stays the
    connection's, which closes it as usual)."""
    try:
        s = socket.socket(fileno=os.dup(fd))
    except OSError:
        return
    try:
        s.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    finally:
        s.close()


def watched_class(watchdog: Watchdog) -> type[psycopg.Connection]:
    """A psycopg connection class whose blocking calls the watchdog bounds."""

    class WatchedCursor(psycopg.Cursor):
        def execute(self, *args: Any, **kwargs: Any) -> Any:
            with watchdog.waiting(self.connection):
                return super().execute(*args, **kwargs)

        def executemany(self, *args: Any, **kwargs: Any) -> Any:
            with watchdog.waiting(self.connection):
                return super().executemany(*args, **kwargs)

    class WatchedConnection(psycopg.Connection):
        def execute(self, *args: Any, **kwargs: Any) -> Any:
            with watchdog.waiting(self):
                return super().execute(*args, **kwargs)

        def commit(self) -> None:
            with watchdog.waiting(self):
                super().commit()

        def rollback(self) -> None:
            with watchdog.waiting(self):
                super().rollback()

    WatchedConnection.watched_cursor = WatchedCursor  # type: ignore[attr-defined]
    return WatchedConnection


def watch(engine: Engine, watchdog: Watchdog) -> Engine:
    """Make `engine` open watched connections."""
    cls = watched_class(watchdog)

    @event.listens_for(engine, "do_connect")
    def _connect(dialect, conn_rec, cargs, cparams):  # noqa: ANN001, ANN202
        if watchdog.fired:
            # This sync already found the server silent (or the engine is closing): a
            # new connection would only wait its whole connect_timeout on top.
            raise psycopg.OperationalError(watchdog.fired)
        cparams["cursor_factory"] = cls.watched_cursor  # type: ignore[attr-defined]
        return cls.connect(*cargs, **cparams)

    return engine
