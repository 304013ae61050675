"""The engine as the window uses it: status, background sync, offline, and the
self-checks (checksum resync, purged tombstones, identity)."""

from __future__ import annotations

import asyncio

from sqlalchemy import delete, select, text

from storyclip_desktop.services import Services
from storyclip_desktop.sync import SyncEngine, server_schema
from storyclip_desktop.sync.tables import sync_base

from .conftest import assert_converged, server_engine


def test_status_and_background_sync(installs, server_url):
    a = installs(1)
    st = a.engine.status()
    assert (st.store_kind, st.online, st.pending, st.last_sync_at) == ("local", None, 0, None)
    assert "postgres" in st.server
    pid = a.sv.projects.create("Bg")
    assert a.engine.status().pending == 1
    fut = a.engine.sync_in_background()
    rep = fut.result(timeout=30)
    assert rep.pushed == 1
    st = a.engine.status()
    assert st.online is True and st.pending == 0 and st.last_sync_at is not None and not st.syncing
    a.sv.projects.rename(pid, "Async")
    rep = asyncio.run(a.engine.sync_async())
    assert rep.applied


def test_status_does_not_wait_for_a_write(installs):
    import time

    a = installs(1)
    a.sv.projects.create("Busy")
    with a.sv.db.transaction() as s:  # a long write holds SQLite's write lock
        s.execute(text("UPDATE project SET title = 'Held'"))
        t = time.perf_counter()
        st = a.engine.status()
        assert time.perf_counter() - t < 0.5 and st.pending == 1


def test_offline_keeps_working_and_queues(tmp_path):
    sv = Services.open(f"sqlite:///{tmp_path / 'off.sqlite3'}", node=3)
    engine = SyncEngine(sv, f"postgresql+psycopg://nobody@/nodb?host={tmp_path}/no-socket-here", connect_timeout=1)
    try:
        pid = sv.projects.create("Offline")
        rep = engine.sync()
        assert rep.offline and "cannot reach" in rep.error
        sv.projects.rename(pid, "Still ok")
        st = engine.status()
        assert st.online is False and st.pending == 2 and st.last_error
    finally:
        engine.close()
        sv.close()


def test_shared_mode_has_nothing_to_sync(server_url):
    sv = Services.open(server_url, node=4)
    engine = SyncEngine(sv)
    try:
        assert engine.status().store_kind == "shared"
        assert engine.sync().pushed == 0
    finally:
        engine.close()
        sv.close()


def test_one_person_on_two_machines_gets_one_user_id(installs, server_url):
    a, b = installs(1), installs(2)
    assert a.sv.user_id != b.sv.user_id
    a.sync()
    b.sync()
    assert a.sv.user_id == b.sv.user_id
    pid = b.sv.projects.create("Mine too")
    b.sync()
    a.sync()
    assert a.sv.projects.get(pid).user_id == a.sv.user_id
    assert a.sv.tokens.usage()  # the token rows followed the id


def test_a_checksum_mismatch_resyncs_the_project(installs, server_url):
    a, b = installs(1), installs(2)
    pid = a.sv.projects.create("Check", script="A. B. C.")
    a.sv.scenes.split(pid, chunks=["a", "b", "c"])
    a.sync()
    b.sync()
    # Lose a row on B as a missed feed entry would: from the base and the live table.
    victim = b.sv.scenes.list(pid)[1]
    with b.sv.db.engine.begin() as c:
        c.execute(delete(sync_base).where(sync_base.c.tbl == "scene", sync_base.c.row_id == victim.id))
        c.execute(text("DELETE FROM scene WHERE id = :i"), {"i": victim.id})
    rep = b.sync()
    assert rep.resynced == [pid]
    assert [s.id for s in b.sv.scenes.list(pid)] == [s.id for s in a.sv.scenes.list(pid)]
    assert_converged(server_url, a, b)


def test_purged_tombstones_force_a_full_resync(installs, server_url):
    a, b = installs(1), installs(2)
    pid = a.sv.projects.create("Purge", script="A. B.")
    a.sv.scenes.split(pid, chunks=["a", "b", "c"])
    a.sync()
    b.sync()
    a.sv.scenes.delete(pid, "S2")
    for i in range(3):
        a.sv.projects.rename(pid, f"R{i}")
    a.sync()
    eng = server_engine(server_url)
    with eng.begin() as c:
        assert server_schema.purge_tombstones(c, keep_versions=0) == 1
    eng.dispose()
    rep = b.sync()
    assert pid in rep.projects
    assert [s.scene_id for s in b.sv.scenes.list(pid)] == ["S1", "S3"]
    assert_converged(server_url, a, b)


def test_the_feed_follows_commit_order_under_concurrent_writers(installs, server_url):
    """Writers of one project take turns on its version row: a slow transaction that
    started first cannot commit a version below one a reader already passed."""
    import threading

    a = installs(1)
    pid = a.sv.projects.create("Order")
    a.sync()
    eng = server_engine(server_url)
    started = threading.Event()

    def slow_writer():
        with eng.begin() as c:
            c.execute(text("SELECT storyclip_sync_bump(:p)"), {"p": pid})
            c.execute(text("UPDATE project SET title = 'Slow' WHERE id = :p"), {"p": pid})
            started.set()
            c.execute(text("SELECT pg_sleep(0.5)"))

    t = threading.Thread(target=slow_writer)
    t.start()
    started.wait(5)
    with eng.begin() as c:  # blocks on the version row until the slow one commits
        c.execute(text("SELECT storyclip_sync_bump(:p)"), {"p": pid})
        c.execute(text("UPDATE project SET description = 'Fast' WHERE id = :p"), {"p": pid})
    t.join()
    with eng.connect() as c:
        v = c.execute(select(text("version")).select_from(text("sync_project_version")).where(text(f"project_id = {pid}"))).scalar()
    eng.dispose()
    assert v == 3  # create, slow, fast: one version each, in commit order
    a.sync()
    p = a.sv.projects.get(pid)
    assert (p.title, p.description) == ("Slow", "Fast")
    assert_converged(server_url, a)
