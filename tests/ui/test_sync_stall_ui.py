"""The window's background sync when the network goes silent (through the fault proxy
on 127.0.0.1, real PostgreSQL, real SQLite): the status says the sync is stuck, then
that the team server is not answering; a later Sync now works; closing the window
while a sync hangs quits promptly and loses nothing."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from storyclip_desktop.ui.sync_controller import SyncController
from tests.support.netproxy import FaultProxy, pg_unix_socket
from tests.sync import conftest as _sync

pg_admin, sync_template, server_url, shared_media = (
    _sync.pg_admin, _sync.sync_template, _sync.server_url, _sync.shared_media)

ANSWER_S = 2.0  # the sync's bound on one server answer, shortened for the test
STUCK_S = 0.5  # the window calls a sync stuck after this long without an answer


def _label(window) -> str:
    return window.status.store_label.property("plain_text") or ""


def _tone(window) -> str:
    return window.status.store_label.property("sync_tone") or ""


@pytest.fixture
def stalling(qtbot, tmp_path, server_url, shared_media, monkeypatch):
    from storyclip_desktop.services import Services
    from storyclip_desktop.sync import SyncEngine
    from storyclip_desktop.ui.main_window import MainWindow

    monkeypatch.setenv("STORYCLIP_SYNC_ANSWER_SECONDS", str(ANSWER_S))
    monkeypatch.setenv("STORYCLIP_PG_CONNECT_SECONDS", "2")
    proxy = FaultProxy(pg_unix_socket(server_url), seed=11).start()
    url = f"sqlite:///{tmp_path / 'window.sqlite3'}"
    sv = Services.open(url, node=9)
    engine = SyncEngine(sv, proxy.url_for(server_url), shared_media_dir=shared_media)
    w = MainWindow(sv)
    qtbot.addWidget(w)
    ctl = SyncController(w, engine=engine, after_write_ms=60_000, poll_ms=200, stuck_after=STUCK_S)
    w.sync_controller = ctl
    qtbot.waitUntil(lambda: ctl.last_report is not None, timeout=15_000)
    assert _label(w).startswith("Shared · online")
    yield w, ctl, sv, proxy, url
    ctl.close()
    proxy.stop()
    w.undo_stack.clear()
    sv.close()


def _pending(url: str) -> int:
    from sqlalchemy import create_engine

    eng = create_engine(url)
    try:
        with eng.connect() as c:
            return c.scalar(text("SELECT count(*) FROM pending_change"))
    finally:
        eng.dispose()


def test_a_stalled_sync_shows_as_stuck_then_not_answering_and_sync_now_recovers(qtbot, stalling):
    w, ctl, sv, proxy, _url = stalling
    sv.projects.create("Pier")
    proxy.stall()
    t0 = time.monotonic()
    assert ctl.sync_now()
    qtbot.waitUntil(lambda: "waiting for the team server" in _label(w), timeout=5_000)
    stuck_at = time.monotonic() - t0
    assert _tone(w) == "warn" and not ctl.act_sync.isEnabled()
    qtbot.waitUntil(lambda: "team server not answering" in _label(w), timeout=10_000)
    gave_up_at = time.monotonic() - t0
    assert _tone(w) == "danger"
    assert "1 pending" in _label(w)
    assert ctl.last_report.stalled and "stopped answering" in ctl.last_report.error
    assert ctl.act_sync.isEnabled()  # a later Sync now is possible at once
    assert "stopped answering" in w.status.store_label.toolTip() or "not answered" in w.status.store_label.toolTip()
    print(f"\nwindow: stuck shown after {stuck_at:.2f} s, gave up after {gave_up_at:.2f} s (bound {ANSWER_S} s)")
    assert gave_up_at < ANSWER_S + 2.5

    proxy.heal()
    ctl.act_sync.trigger()
    qtbot.waitUntil(lambda: not ctl.syncing and _label(w).startswith("Shared · online"), timeout=15_000)
    assert ctl.status().pending == 0 and not ctl.last_report.stalled


def test_closing_while_a_sync_hangs_quits_promptly_and_keeps_the_queue(qtbot, stalling):
    w, ctl, sv, proxy, url = stalling
    sv.projects.create("Lighthouse")
    sv.projects.create("Harbour")
    proxy.stall()
    assert ctl.sync_now()
    qtbot.waitUntil(lambda: "waiting for the team server" in _label(w), timeout=5_000)
    t0 = time.monotonic()
    ctl.close()
    took = time.monotonic() - t0
    print(f"\nwindow: closed {took:.2f} s after asking, with a sync waiting on a silent server")
    assert took < 1.0, took
    assert not ctl.runner._thread.is_alive()
    assert _pending(url) == 2  # nothing was lost: both changes wait for the next start
