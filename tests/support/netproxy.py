"""A seeded, replayable TCP fault proxy for tests: it listens on 127.0.0.1 and forwards
to one upstream (a TCP address or a unix socket, e.g. PostgreSQL's `.s.PGSQL.5432`), and
the test thread decides what the network does:

- ``pass_through()`` (also ``heal()``): forward as is; stalled connections resume;
- ``rejoin()``: the laptop is back on another address: new connections pass, the ones
  open now stay dark for good (their far side never hears of them again);
- ``latency(seconds, jitter=0.0)``: every chunk is held that long in each direction
  (jitter drawn from the seed, so a run can be replayed);
- ``stall()``: black-hole -- nothing is forwarded either way on any connection, old or
  new, and nothing is closed (Wi-Fi gone: packets simply stop);
- ``cut()``: every open connection is reset (RST); new ones pass;
- ``partition()``: open connections stall and new ones are reset on arrival;
- ``stall_on(pattern)``: forward the chunk that carries ``pattern`` (client to server),
  then stall -- "the network went silent right after the server got this statement";
- ``cut_on(pattern)``: the same with a reset.

Every decision is appended to ``events`` (connection number, direction, byte offset,
what happened), so a failing run says where the fault struck; a ``seed`` makes jitter
and ``random_faults`` reproducible. Loops poll with short timeouts and check a stop
flag, and the proxy stops by itself after ``max_lifetime`` seconds, so a forgotten proxy
never outlives its test by long. Use it as a context manager.
"""

from __future__ import annotations

import random
import select
import socket
import struct
import threading
import time
from collections import deque
from dataclasses import dataclass, field

POLL = 0.02  # seconds; how often loops look at the controls
PASS, LATENCY, STALL, PARTITION = "pass", "latency", "stall", "partition"


@dataclass(frozen=True)
class Event:
    at: float  # seconds since the proxy started
    conn: int
    direction: str  # "up" (client to server), "down", or "-" for connection events
    offset: int  # bytes forwarded in that direction before the event
    what: str


@dataclass
class _Trigger:
    pattern: bytes
    action: str  # "stall" or "cut"
    fired: bool = False


@dataclass
class _Conn:
    number: int
    client: socket.socket
    server: socket.socket
    sent: dict[str, int] = field(default_factory=lambda: {"up": 0, "down": 0})
    closed: bool = False
    dark: bool = False  # black-holed for good (rejoin)


def _reset(sock: socket.socket) -> None:
    """Close with RST instead of FIN, the way a dropped NAT entry or a reboot looks."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    try:
        sock.close()
    except OSError:
        pass


class FaultProxy:
    def __init__(
        self,
        upstream: tuple[str, int] | str,
        *,
        seed: int = 0,
        max_lifetime: float = 120.0,
        chunk: int = 65536,
    ) -> None:
        self.upstream = upstream
        self.seed = seed
        self.rng = random.Random(seed)
        self.max_lifetime = max_lifetime
        self.chunk = chunk
        self.events: list[Event] = []
        self._mode = PASS
        self._delay = 0.0
        self._jitter = 0.0
        self._fault_rate = 0.0
        self._triggers: list[_Trigger] = []
        self._conns: list[_Conn] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self._listener.settimeout(POLL)
        self.port: int = self._listener.getsockname()[1]
        self._started = time.monotonic()

    # -- lifecycle -------------------------------------------------------------------
    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> FaultProxy:
        self._started = time.monotonic()
        self._spawn(self._accept_loop)
        return self

    def stop(self) -> None:
        self._stop.set()
        for t in list(self._threads):
            if t is not threading.current_thread():
                t.join(timeout=2.0)
        try:
            self._listener.close()
        except OSError:
            pass
        with self._lock:
            for c in self._conns:
                self._close(c, reset=True)

    @property
    def address(self) -> tuple[str, int]:
        return ("127.0.0.1", self.port)

    def url_for(self, url: str) -> str:
        """A libpq/SQLAlchemy URL made to go through this proxy: host and port replaced,
        user, database and other query parameters kept."""
        from sqlalchemy.engine import make_url

        u = make_url(url)
        query = {k: v for k, v in u.query.items() if k != "host"}
        return u.set(host="127.0.0.1", port=self.port, query=query).render_as_string(hide_password=False)

    # -- controls (any thread) ------------------------------------------------------
    def pass_through(self) -> None:
        with self._lock:
            self._mode, self._delay, self._jitter = PASS, 0.0, 0.0
            self._note(0, "-", 0, "pass")

    heal = pass_through

    def rejoin(self) -> None:
        with self._lock:
            for c in self._conns:
                if not c.closed:
                    c.dark = True
                    self._note(c.number, "-", 0, "dark for good")
            self._mode, self._delay, self._jitter = PASS, 0.0, 0.0
            self._note(0, "-", 0, "rejoin")

    def latency(self, seconds: float, jitter: float = 0.0) -> None:
        with self._lock:
            self._mode, self._delay, self._jitter = LATENCY, seconds, jitter
            self._note(0, "-", 0, f"latency {seconds:.3f}s ±{jitter:.3f}")

    def stall(self) -> None:
        with self._lock:
            self._mode = STALL
            self._note(0, "-", 0, "stall")

    def partition(self) -> None:
        with self._lock:
            self._mode = PARTITION
            self._note(0, "-", 0, "partition")

    def cut(self) -> None:
        with self._lock:
            for c in self._conns:
                if not c.closed:
                    self._note(c.number, "-", 0, "cut")
                    self._close(c, reset=True)

    def stall_on(self, pattern: bytes) -> None:
        with self._lock:
            self._triggers.append(_Trigger(pattern, "stall"))

    def cut_on(self, pattern: bytes) -> None:
        with self._lock:
            self._triggers.append(_Trigger(pattern, "cut"))

    def random_faults(self, rate: float) -> None:
        """Each forwarded chunk has this chance (from the seeded generator) of resetting
        its connection: replayable chaos."""
        with self._lock:
            self._fault_rate = rate

    @property
    def mode(self) -> str:
        return self._mode

    @property
    def fired(self) -> bool:
        """Whether pattern triggers were set and every one has struck."""
        with self._lock:
            return bool(self._triggers) and all(t.fired for t in self._triggers)

    def wait_fired(self, timeout: float) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.fired:
                return True
            time.sleep(POLL)
        return self.fired

    def open_connections(self) -> int:
        with self._lock:
            return sum(1 for c in self._conns if not c.closed)

    # -- internals ------------------------------------------------------------------
    def _spawn(self, target, *args) -> None:  # noqa: ANN001
        t = threading.Thread(target=target, args=args, daemon=True, name="netproxy")
        self._threads.append(t)
        t.start()

    def _alive(self) -> bool:
        if self._stop.is_set():
            return False
        if time.monotonic() - self._started > self.max_lifetime:
            self._stop.set()
            return False
        return True

    def _note(self, conn: int, direction: str, offset: int, what: str) -> None:
        self.events.append(Event(round(time.monotonic() - self._started, 4), conn, direction, offset, what))

    def _connect_upstream(self) -> socket.socket:
        if isinstance(self.upstream, str):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        else:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(5.0)
        s.connect(self.upstream)
        return s

    def _accept_loop(self) -> None:
        number = 0
        while self._alive():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            number += 1
            if self._mode == PARTITION:
                with self._lock:
                    self._note(number, "-", 0, "refused (partition)")
                _reset(client)
                continue
            try:
                server = self._connect_upstream()
            except OSError:
                _reset(client)
                continue
            for s in (client, server):
                s.settimeout(POLL)
                if s.family == socket.AF_INET:
                    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn = _Conn(number, client, server)
            with self._lock:
                self._conns.append(conn)
                self._note(number, "-", 0, "open")
            self._spawn(self._pump, conn, "up", client, server)
            self._spawn(self._pump, conn, "down", server, client)

    def _close(self, conn: _Conn, *, reset: bool) -> None:
        if conn.closed:
            return
        conn.closed = True
        for s in (conn.client, conn.server):
            if reset:
                _reset(s)
            else:
                try:
                    s.close()
                except OSError:
                    pass

    def _blocked(self, conn: _Conn) -> bool:
        return conn.dark or self._mode in (STALL, PARTITION)

    def _pump(self, conn: _Conn, direction: str, src: socket.socket, dst: socket.socket) -> None:
        """Move bytes one way. While the network is stalled nothing is read, so the
        sender's buffers fill exactly as if the path had gone dark."""
        queue: deque[tuple[float, bytes]] = deque()
        while self._alive() and not conn.closed:
            if self._blocked(conn):
                time.sleep(POLL)
                continue
            now = time.monotonic()
            while queue and queue[0][0] <= now and not self._blocked(conn):
                _, data = queue.popleft()
                if not self._send(conn, dst, data):
                    return
                conn.sent[direction] += len(data)
            wait = POLL if not queue else max(0.0, min(POLL, queue[0][0] - now))
            try:
                ready, _, _ = select.select([src], [], [], wait)
            except (OSError, ValueError):
                break
            if not ready:
                continue
            try:
                data = src.recv(self.chunk)
            except TimeoutError:
                continue
            except OSError:
                break
            if not data:
                break
            action = self._decide(conn, direction, data)
            if action == "cut":
                with self._lock:
                    self._close(conn, reset=True)
                return
            queue.append((time.monotonic() + self._hold(), data))
            if action == "stall":
                # Go dark first (so no answer slips back), then forward what carried
                # the pattern: the far side gets it, and nothing more moves.
                with self._lock:
                    self._mode = STALL
                _, chunk = queue.pop()
                if not self._send(conn, dst, chunk, force=True):
                    return
                conn.sent[direction] += len(chunk)
        # drain what was held back for latency, then close the other way too
        while queue and not conn.closed and not self._blocked(conn) and not self._stop.is_set():
            _, data = queue.popleft()
            if not self._send(conn, dst, data):
                break
        with self._lock:
            if not conn.closed:
                self._note(conn.number, direction, conn.sent[direction], "closed")
                self._close(conn, reset=False)

    def _hold(self) -> float:
        if self._mode != LATENCY:
            return 0.0
        with self._lock:
            j = self.rng.uniform(-self._jitter, self._jitter) if self._jitter else 0.0
        return max(0.0, self._delay + j)

    def _decide(self, conn: _Conn, direction: str, data: bytes) -> str | None:
        with self._lock:
            if direction == "up":
                for t in self._triggers:
                    if not t.fired and t.pattern in data:
                        t.fired = True
                        self._note(conn.number, direction, conn.sent[direction], f"{t.action} on {t.pattern!r}")
                        return t.action
            if self._fault_rate and self.rng.random() < self._fault_rate:
                self._note(conn.number, direction, conn.sent[direction], "random cut")
                return "cut"
        return None

    def _send(self, conn: _Conn, dst: socket.socket, data: bytes, *, force: bool = False) -> bool:
        view = memoryview(data)
        while view and self._alive() and not conn.closed:
            if self._blocked(conn) and not force:
                time.sleep(POLL)
                continue
            try:
                n = dst.send(view)
            except (TimeoutError, BlockingIOError):
                continue
            except OSError:
                return False
            view = view[n:]
        return not view


def pg_unix_socket(url: str) -> str:
    """The unix socket path of a libpq URL whose host is a folder (`?host=/tmp/...`)."""
    from sqlalchemy.engine import make_url

    u = make_url(url)
    folder = u.query["host"]
    folder = folder if isinstance(folder, str) else folder[0]
    return f"{folder}/.s.PGSQL.{u.port or 5432}"
