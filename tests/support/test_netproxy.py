"""The fault proxy itself, against a tiny echo server on 127.0.0.1."""

from __future__ import annotations

import socket
import threading
import time

import pytest

from tests.support.netproxy import FaultProxy


@pytest.fixture
def echo():
    """An echo server; stops with the test."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    srv.settimeout(0.05)
    stop = threading.Event()

    def serve(conn: socket.socket) -> None:
        conn.settimeout(0.05)
        while not stop.is_set():
            try:
                data = conn.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            if not data:
                return
            conn.sendall(data)
        conn.close()

    def accept() -> None:
        while not stop.is_set():
            try:
                c, _ = srv.accept()
            except TimeoutError:
                continue
            threading.Thread(target=serve, args=(c,), daemon=True).start()

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    yield srv.getsockname()
    stop.set()
    t.join(1)
    srv.close()


def client(proxy: FaultProxy, timeout: float = 1.0) -> socket.socket:
    s = socket.create_connection(proxy.address, timeout=timeout)
    return s


def roundtrip(s: socket.socket, data: bytes = b"hello") -> float:
    t0 = time.monotonic()
    s.sendall(data)
    got = b""
    while len(got) < len(data):
        chunk = s.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        got += chunk
    assert got == data
    return time.monotonic() - t0


def test_pass_through_forwards_both_ways(echo) -> None:
    with FaultProxy(echo) as p:
        s = client(p)
        assert roundtrip(s, b"x" * 200_000) < 1.0
        s.close()


def test_latency_is_added_each_way(echo) -> None:
    with FaultProxy(echo) as p:
        p.latency(0.1)
        s = client(p)
        took = roundtrip(s)
        assert 0.2 <= took < 0.6, took
        p.pass_through()
        assert roundtrip(s) < 0.1
        s.close()


def test_stall_stops_forwarding_without_closing_and_heal_resumes(echo) -> None:
    with FaultProxy(echo) as p:
        s = client(p, timeout=0.3)
        roundtrip(s)
        p.stall()
        s.sendall(b"lost?")
        with pytest.raises(TimeoutError):
            s.recv(10)  # no answer, and no FIN/RST either
        assert p.open_connections() == 1
        p.heal()
        s.settimeout(1.0)
        assert s.recv(10) == b"lost?"
        s.close()


def test_stall_applies_to_new_connections_too(echo) -> None:
    with FaultProxy(echo) as p:
        p.stall()
        s = client(p, timeout=0.3)  # the TCP handshake is the proxy's, so it connects
        s.sendall(b"hi")
        with pytest.raises(TimeoutError):
            s.recv(10)
        s.close()


def test_cut_resets_open_connections(echo) -> None:
    with FaultProxy(echo) as p:
        s = client(p)
        roundtrip(s)
        p.cut()
        with pytest.raises((ConnectionResetError, ConnectionError, BrokenPipeError)):
            for _ in range(50):  # the RST may land after the first send
                roundtrip(s)
                time.sleep(0.01)
        s2 = client(p)
        assert roundtrip(s2) < 1.0  # new connections pass
        s2.close()


def test_partition_refuses_new_connections_and_stalls_old(echo) -> None:
    with FaultProxy(echo) as p:
        old = client(p, timeout=0.3)
        roundtrip(old)
        p.partition()
        with pytest.raises((ConnectionResetError, ConnectionError)):
            new = client(p, timeout=0.5)  # reset at once, or on first use
            new.sendall(b"x")
            if not new.recv(10):
                raise ConnectionError("closed")
        old.sendall(b"y")
        with pytest.raises(TimeoutError):
            old.recv(10)
        p.heal()
        old.settimeout(1.0)
        assert old.recv(10) == b"y"


def test_stall_on_pattern_forwards_that_chunk_then_goes_dark(echo) -> None:
    with FaultProxy(echo) as p:
        assert not p.fired  # nothing armed yet
        p.stall_on(b"COMMIT")
        s = client(p, timeout=0.3)
        roundtrip(s, b"BEGIN")
        s.sendall(b"COMMIT")
        assert p.wait_fired(1.0)
        with pytest.raises(TimeoutError):
            s.recv(10)  # the echo came back to the proxy but is held
        assert p.mode == "stall"
        assert any("stall on b'COMMIT'" in e.what for e in p.events)


def test_cut_on_pattern(echo) -> None:
    with FaultProxy(echo) as p:
        p.cut_on(b"BOOM")
        s = client(p)
        roundtrip(s)
        s.sendall(b"BOOM")
        with pytest.raises((ConnectionResetError, ConnectionError)):
            if not s.recv(10):
                raise ConnectionError("closed")


def test_same_seed_same_faults(echo) -> None:
    def run(seed: int) -> list[tuple[int, str, int, str]]:
        with FaultProxy(echo, seed=seed) as p:
            p.random_faults(0.3)
            for _ in range(12):
                try:
                    s = client(p)
                    for _ in range(4):
                        roundtrip(s, b"abcd")
                    s.close()
                except OSError:
                    pass
            return [(e.conn, e.direction, e.offset, e.what) for e in p.events if "cut" in e.what]

    first = run(7)
    assert first, "a 30% fault rate over 48 chunks must strike"
    assert run(7) == first
    assert run(8) != first


def test_stops_by_itself(echo) -> None:
    p = FaultProxy(echo, max_lifetime=0.3).start()
    s = client(p)
    roundtrip(s)
    time.sleep(0.6)
    assert all(not t.is_alive() for t in p._threads)
    s.close()
    p.stop()
