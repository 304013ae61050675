"""A network that goes silent mid-push (Wi-Fi drops: packets stop, nothing is reset),
through the fault proxy on 127.0.0.1, on the secured store with each person on their
own login. A's sync must give up within its bound and say why; the server must end A's
abandoned transaction within its bound, so B's push to the same project goes through;
after the network heals A's next sync applies every queued change exactly once.

Bounds are shortened through the environment (the defaults are in docs/sync.md)."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text

from storyclip_desktop.shared.install import install_shared
from storyclip_desktop.shared.people import share
from storyclip_desktop.store.db import make_engine
from tests.support.netproxy import FaultProxy, pg_unix_socket

from .conftest import snapshot_local, snapshot_server
from .test_security_support import add_person, url_parts

ANSWER_S = 1.5  # client: no answer for this long = the server stopped answering
SERVER_IDLE_S = 1.0  # server: a session idle inside a transaction this long is ended
LOCK_S = 0.5  # B waits this long per try for a project another installation holds


@pytest.fixture
def bounds(monkeypatch):
    monkeypatch.setenv("STORYCLIP_SYNC_ANSWER_SECONDS", str(ANSWER_S))
    monkeypatch.setenv("STORYCLIP_SYNC_LOCK_SECONDS", str(LOCK_S))
    monkeypatch.setenv("STORYCLIP_SERVER_IDLE_SECONDS", str(SERVER_IDLE_S))
    monkeypatch.setenv("STORYCLIP_PG_CONNECT_SECONDS", "2")


@pytest.fixture
def team(bounds, pg_url, tmp_path, shared_media):
    """Owner A (through the proxy) and editor B (direct), one shared project with three
    scenes, both synced."""
    from storyclip_desktop.services import Services
    from storyclip_desktop.sync import SyncEngine

    admin = make_engine(pg_url)
    install_shared(admin)
    host, db = url_parts(pg_url)
    pa, pb = add_person(admin, host, db, "a"), add_person(admin, host, db, "b")
    direct = {p.role: f"postgresql+psycopg://{p.role}:{p.password}@/{db}?host={host}" for p in (pa, pb)}
    proxy = FaultProxy(pg_unix_socket(pg_url), seed=13).start()
    made = []

    def install(node, person, url):
        sv = Services.open(f"sqlite:///{tmp_path / f'n{node}.sqlite3'}", node=node, email=person.email)
        made.append(sv)
        return sv, SyncEngine(sv, url, shared_media_dir=shared_media)

    a_sv, a = install(1, pa, proxy.url_for(direct[pa.role]))
    b_sv, b = install(2, pb, direct[pb.role])
    pid = a_sv.projects.create("Harbour", script="One. Two. Three.")
    a_sv.scenes.split(pid, chunks=["one", "two", "three"])
    a_sv.scenes.edit(pid, "S2", {"image_prompt": "the pier"})
    a_sv.reviews.confirm_prompt(pid, "S2")
    assert a.sync().error is None
    owner = make_engine(direct[pa.role])
    share(owner, pid, pb.email, "editor")
    owner.dispose()
    assert b.sync().error is None
    a.close()  # a fresh engine: no statement prepared yet, so the proxy sees its text
    a = SyncEngine(a_sv, proxy.url_for(direct[pa.role]), shared_media_dir=shared_media)
    engines = [a, b]
    yield type(
        "Team", (), {"a": a, "b": b, "a_sv": a_sv, "b_sv": b_sv, "pid": pid, "proxy": proxy,
                     "pa": pa, "pb": pb, "admin": admin, "engines": engines, "pg_url": pg_url},
    )
    proxy.stop()
    for e in engines:
        e.close()
    for sv in made:
        sv.close()
    for p in (pa, pb):
        p.conn.close()
    admin.dispose()


def idle_in_transaction(admin, role: str) -> int:
    with admin.connect() as c:
        return c.scalar(
            text("SELECT count(*) FROM pg_stat_activity WHERE usename = :r AND state = 'idle in transaction'"),
            {"r": role},
        )


class IdleWatch:
    """Polls pg_stat_activity: how long was a role's session idle in a transaction?"""

    def __init__(self, admin, role: str) -> None:
        self.admin, self.role = admin, role
        self.first: float | None = None
        self.last: float | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> IdleWatch:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    @property
    def seen(self) -> bool:
        return self.first is not None

    @property
    def longest(self) -> float:
        return 0.0 if self.first is None else self.last - self.first

    def _run(self) -> None:
        for _ in range(600):  # 30 s at most
            if self._stop.wait(0.05):
                return
            if idle_in_transaction(self.admin, self.role):
                now = time.monotonic()
                self.first = self.first or now
                self.last = now


def wait_until(predicate, timeout: float) -> float | None:
    """Seconds until `predicate()` held, or None."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if predicate():
            return time.monotonic() - t0
        time.sleep(0.05)
    return None


def lock_holders(admin, role: str) -> list[int]:
    """Sessions of `role` holding an advisory lock (the push lock is the only one)."""
    with admin.connect() as c:
        return list(c.scalars(
            text(
                "SELECT a.pid FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.locktype = 'advisory' AND l.granted AND a.usename = :r"
            ),
            {"r": role},
        ))


@pytest.mark.parametrize(
    ("silent_after", "back"),
    [(b"storyclip_sync_bump", "heal"), (b"COMMIT", "heal"), (b"COMMIT", "rejoin")],
    ids=["after-bump", "after-commit", "after-commit-new-address"],
)
def test_silent_network_mid_push(team, silent_after, back):
    t, pid = team, team.pid
    s2 = t.a_sv.scenes.get(pid, "S2")
    t.a_sv.scenes.edit(pid, "S1", {"image_prompt": "gulls over the pier"})
    t.a_sv.assets.add_scene_version(pid, "S2", "image", "https://cdn.example/pier.png")
    t.a_sv.scenes.edit(pid, "S3", {"image_prompt": "a lighthouse at dusk"})
    with t.a_sv.db.engine.connect() as c:
        queued = list(c.scalars(text("SELECT id FROM pending_change ORDER BY rowid")))
    assert len(queued) == 3
    t.b_sv.scenes.edit(pid, "S1", {"narration": "B's line"})

    # The network goes dark right after the server got the second change's bump (it
    # now holds the project) or its COMMIT (it committed; the answer never comes back).
    def arm(change):
        if change.id == queued[1]:
            t.proxy.stall_on(silent_after)

    t.a.before_apply = arm
    watch = IdleWatch(t.admin, t.pa.role).start()
    # B syncs the moment A goes silent, while A's transaction still holds the project.
    b_run: dict = {}

    def b_sync():
        if t.proxy.wait_fired(30):
            b_run["silent_at"] = time.monotonic()
            b_run["report"] = t.b.sync()
            b_run["done_at"] = time.monotonic()

    b_thread = threading.Thread(target=b_sync, daemon=True)
    b_thread.start()
    t0 = time.monotonic()
    rep = t.a.sync()
    a_took = time.monotonic() - t0
    assert rep.offline and rep.stalled, rep
    assert "the team server stopped answering" in rep.error
    assert a_took < ANSWER_S + 1.5, a_took
    assert t.proxy.fired
    # Everything not acknowledged is still queued: the first change was answered.
    assert t.a.status().pending == 2
    assert t.a.status().online is False

    # The server ends A's abandoned session within its bound ...
    if silent_after == b"storyclip_sync_bump":
        gone = wait_until(lambda: idle_in_transaction(t.admin, t.pa.role) == 0, SERVER_IDLE_S + 2)
        assert gone is not None, "A's session stayed idle in transaction"
        assert watch.seen, "A's session was never seen idle in transaction (the fault did not strike)"
    # ... and B's push to the same project completes a few seconds after A went silent.
    b_thread.join(15)
    watch.stop()
    rep_b = b_run["report"]
    b_after = b_run["done_at"] - b_run["silent_at"]
    assert rep_b.error is None and len(rep_b.applied) == 1 and not rep_b.waiting, rep_b
    assert watch.longest <= SERVER_IDLE_S + 0.6, watch.longest
    print(
        f"\n[{silent_after.decode()}] A returned after {a_took:.2f} s (bound {ANSWER_S} s); "
        f"A idle in transaction for {watch.longest:.2f} s (server bound {SERVER_IDLE_S} s); "
        f"B's push done {b_after:.2f} s after A went silent"
    )
    assert b_after < SERVER_IDLE_S + 3 * LOCK_S + 1.5, b_after

    # The network heals (or A is back on another address, and its old connection stays
    # dead: its server session lives on, idle, holding A's push lock); A's next sync
    # applies each queued change exactly once.
    zombies = lock_holders(t.admin, t.pa.role)
    if back == "rejoin":
        assert len(zombies) == 1, zombies  # what would make A's own push "busy" for good
    getattr(t.proxy, back)()
    t.a.before_apply = None
    rep = t.a.sync()
    assert not rep.busy, rep
    assert rep.error is None, rep.error
    assert t.a.status().pending == 0
    assert not set(zombies) & set(lock_holders(t.admin, t.pa.role))
    with t.admin.connect() as c:
        rows = c.execute(
            text("SELECT mutation_id, outcome FROM sync_mutation WHERE client_id = :c"), {"c": t.a.client_id}
        ).all()
        versions = c.scalars(
            text("SELECT version FROM asset WHERE parents_id = :p AND storage_url = :u"),
            {"p": f"{pid}-S2", "u": "https://cdn.example/pier.png"},
        ).all()
    answered = {m for m, o in rows if o == "applied"}
    assert set(queued[1:]) <= answered
    assert len(versions) == 1, versions  # the version was added once, whatever the cut saw
    if silent_after == b"COMMIT":
        assert rep.duplicates == 1  # the server had committed it: the stored answer came back
    assert t.b.sync().error is None
    assert snapshot_local(t.a_sv, pid) == snapshot_server(t.pg_url, pid) == snapshot_local(t.b_sv, pid)
    s2_now = t.a_sv.scenes.get(pid, "S2")
    assert s2_now.image_version != s2.image_version
    assert t.a_sv.scenes.get(pid, "S1").scene_json["narration"] == "B's line"


def test_busy_project_is_left_for_later_not_waited_on(team):
    """Another installation holds the project (here: an open transaction on it, as
    an abandoned push would). B's push waits a bounded time, then says the project is
    busy, keeps the change queued, and still pulls."""
    t, pid = team, team.pid
    t.b_sv.scenes.edit(pid, "S1", {"narration": "later"})
    holder = t.pa.conn  # A's own login, autocommit: open a transaction by hand
    holder.execute("SET idle_in_transaction_session_timeout = 0")  # outlast B's tries
    holder.execute("BEGIN")
    holder.execute("SELECT storyclip_sync_bump(%s)", (pid,))
    try:
        t0 = time.monotonic()
        rep = t.b.sync()
        took = time.monotonic() - t0
    finally:
        holder.execute("ROLLBACK")
    assert rep.error is None and rep.waiting == [pid], rep
    assert took < 3 * LOCK_S + 1.5, took
    assert t.b.status().pending == 1
    rep = t.b.sync()
    assert rep.waiting == [] and len(rep.applied) == 1


def test_connect_to_a_silent_server_is_bounded(team):
    t = team
    t.a_sv.scenes.edit(t.pid, "S1", {"image_prompt": "fog"})
    t.proxy.stall()
    done = threading.Event()
    reps = []

    def run():
        reps.append(t.a.sync())
        done.set()

    th = threading.Thread(target=run, daemon=True)
    t0 = time.monotonic()
    th.start()
    assert done.wait(10), "the sync hung on a silent network"
    took = time.monotonic() - t0
    assert reps[0].offline and "stopped answering" in (reps[0].error or ""), reps[0]
    assert took < ANSWER_S + 3, took
    assert t.a.status().pending == 1


def test_connections_carry_keepalives_and_user_timeout(team):
    """libpq's own bounds are on the socket of every PostgreSQL connection we open."""
    import os
    import socket

    from storyclip_desktop.store.network import libpq_bounds

    eng = make_engine(team.proxy.url_for(team.pg_url))
    try:
        with eng.connect() as c:
            fd = c.connection.driver_connection.fileno()
            s = socket.socket(fileno=os.dup(fd))
            try:
                assert s.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) == 1
                b = libpq_bounds()
                assert s.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPIDLE) == b["keepalives_idle"]
                assert s.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPINTVL) == b["keepalives_interval"]
                assert s.getsockopt(socket.IPPROTO_TCP, socket.TCP_KEEPCNT) == b["keepalives_count"]
                assert s.getsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT) == b["tcp_user_timeout"]
            finally:
                s.close()
    finally:
        eng.dispose()


def test_people_get_a_short_idle_in_transaction_bound(team):
    with team.admin.connect() as c:
        conf = c.scalar(
            text(
                "SELECT s.setconfig FROM pg_db_role_setting s JOIN pg_roles r ON r.oid = s.setrole "
                "WHERE r.rolname = :r"
            ),
            {"r": team.pa.role},
        )
    assert f"idle_in_transaction_session_timeout={int(SERVER_IDLE_S * 1000)}ms" in conf


def test_a_push_past_its_whole_bound_stops_between_changes_and_the_next_sync_continues(
    installs, monkeypatch
):
    """A slow but answering server: the push stops at its bound, not as offline; what
    was answered is acknowledged, the rest waits, and the next sync finishes it."""
    monkeypatch.setenv("STORYCLIP_SYNC_PUSH_SECONDS", "0.6")
    a = installs(1)
    pid = a.sv.projects.create("Slow")
    a.sync()
    for i in range(6):
        a.sv.projects.rename(pid, f"Slow {i}")
    a.engine.before_apply = lambda change: time.sleep(0.25)  # each change takes a while
    rep = a.engine.sync()
    assert rep.unfinished and not rep.offline and rep.error is None, rep
    done = len(rep.applied)
    assert 1 <= done < 6
    assert a.engine.status().pending == 6 - done
    a.engine.before_apply = None
    rep = a.engine.sync()
    assert not rep.unfinished and len(rep.applied) == 6 - done
    assert a.sv.projects.get(pid).title == "Slow 5"


def test_push_lock_held_by_a_live_process_is_waited_for_a_dead_one_is_taken(team):
    """Another process of A's installation holds A's push lock. While it could still be
    pushing (idle less than a whole push's bound) A's sync leaves the queue alone and
    says so; past that bound the holder is a leftover, and A's sync ends it and pushes."""
    import dataclasses

    t, pid = team, team.pid
    t.a_sv.scenes.edit(pid, "S1", {"image_prompt": "a crane at dawn"})
    other = t.pa.conn  # A's own login, as A's CLI would hold it
    other.execute("SELECT pg_advisory_lock(hashtext('storyclip-sync:' || %s))", (t.a.client_id,))
    rep = t.a.sync()
    assert rep.busy and rep.error is None, rep
    assert t.a.status().pending == 1
    assert other.execute("SELECT 1").fetchone() == (1,)  # left alone

    t.a.bounds = dataclasses.replace(t.a.bounds, push=2.0)  # also the push's own bound
    time.sleep(2.3)
    rep = t.a.sync()
    assert not rep.busy and rep.error is None, rep
    assert t.a.status().pending == 0
    assert lock_holders(t.admin, t.pa.role) == []
    with pytest.raises(Exception, match="terminat"):
        other.execute("SELECT 1")
