"""The window's sync: status line, background sync, Sync now, refused changes, publish,
sign-in. Real PostgreSQL (the sync suite's shared-server fixtures) and real SQLite."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import text

from storyclip_desktop.ui.ops import Changes
from storyclip_desktop.ui.sync_controller import SyncController, status_text
from tests.support.netproxy import FaultProxy, pg_unix_socket
from tests.sync import conftest as _sync
from tests.sync.conftest import Installation

# The sync suite's fixtures: a shared server made from a migrated template, installations.
pg_admin, sync_template, server_url, shared_media, installs = (
    _sync.pg_admin, _sync.sync_template, _sync.server_url, _sync.shared_media, _sync.installs)


def _label(window) -> str:
    return window.status.store_label.property("plain_text") or ""


@pytest.fixture
def sync_window(qtbot, tmp_path, server_url, shared_media):
    from storyclip_desktop.ui.main_window import MainWindow

    inst = Installation(tmp_path, 7, server_url, shared_media)
    w = MainWindow(inst.sv)
    qtbot.addWidget(w)
    ctl = SyncController(w, engine=inst.engine, after_write_ms=50, poll_ms=200)
    w.sync_controller = ctl
    qtbot.waitUntil(lambda: ctl.last_report is not None, timeout=15_000)  # the first sync at start
    yield w, ctl, inst
    ctl.close()
    w.undo_stack.clear()
    inst.sv.close()


def test_without_a_server_the_status_says_local_store(qtbot, window, monkeypatch):
    monkeypatch.delenv("STORYCLIP_SYNC_URL", raising=False)
    ctl = SyncController(window)
    try:
        assert ctl.engine is None
        assert _label(window) == "Local store · this computer"
        assert not ctl.act_refused.isEnabled() and not ctl.act_publish.isEnabled()
        assert ctl.sync_now() is False
    finally:
        ctl.close()


def test_pending_goes_up_then_a_background_sync_brings_it_to_zero(qtbot, sync_window):
    w, ctl, inst = sync_window
    assert _label(w).startswith("Shared · online")
    assert "synced " in _label(w)

    # Watch the worker: the sync must not run on the GUI thread.
    threads: list[str] = []
    real = inst.engine.sync

    def watched():
        threads.append(threading.current_thread().name)
        time.sleep(0.4)  # a slow server: the window must keep going meanwhile
        return real()

    inst.engine.sync = watched
    pid = inst.sv.projects.create("Windowed")
    w.events.publish(Changes(projects=True))  # what a window command does after a write
    qtbot.waitUntil(lambda: ctl.status() is not None and ctl.status().pending == 1, timeout=3_000)
    assert "1 pending" in _label(w)

    ticks: list[float] = []
    from PySide6.QtCore import QTimer

    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start()
    qtbot.waitUntil(lambda: ctl.syncing, timeout=3_000)
    qtbot.waitUntil(lambda: not ctl.syncing and ctl.status().pending == 0, timeout=15_000)
    timer.stop()
    assert threads and all(t != threading.main_thread().name for t in threads)
    assert len(ticks) >= 5  # the event loop ran while the sync slept on its thread
    assert ctl.last_report.pushed == 1 and ctl.last_report.error is None
    st = ctl.status()
    assert st.pending == 0 and st.last_sync_at is not None
    assert _label(w).startswith("Shared · online") and "pending" not in _label(w)
    assert pid in {p.id for p in inst.sv.projects.list()}


def test_sync_now_action_and_pulled_changes_reload_the_views(qtbot, sync_window, installs):
    w, ctl, inst = sync_window
    other = installs(2)
    pid = other.sv.projects.create("Elsewhere")
    other.sync()
    seen: list[object] = []
    w.events.scenesChanged.connect(seen.append)
    assert ctl.act_sync.isEnabled()
    ctl.act_sync.trigger()
    qtbot.waitUntil(lambda: pid in seen, timeout=15_000)
    assert pid in {p.id for p in inst.sv.projects.list()}
    assert any(a is ctl.act_sync for a in w.menuBar().actions()[0].menu().actions())
    assert ctl.status().pending == 0  # reloading the views is not a local write
    assert not ctl._after_write.isActive()


def test_a_refused_change_is_listed_with_its_reason_and_dismiss_removes_it(qtbot, sync_window, installs):
    w, ctl, inst = sync_window
    other = installs(2)
    pid = inst.sv.projects.create("Both", script="One line. " * 10)
    inst.sv.scenes.split(pid, chunks=["first", "second"])
    ctl.sync_now()
    qtbot.waitUntil(lambda: not ctl.syncing and ctl.status().pending == 0, timeout=15_000)
    other.sync()
    other.sv.scenes.delete(pid, "S2")
    other.sync()
    inst.sv.scenes.edit(pid, "S2", {"narration": "my careful rewrite"})
    ctl.sync_now()
    qtbot.waitUntil(lambda: not ctl.syncing and bool(ctl.status() and ctl.status().refused), timeout=15_000)
    assert "1 refused" in _label(w)
    assert w.status.store_label.property("sync_tone") == "warn"

    ctl.act_refused.trigger()
    dlg = ctl.refused_dialog
    assert dlg is not None and dlg.isVisible()
    rows = [dlg.tree.topLevelItem(i) for i in range(dlg.tree.topLevelItemCount())]
    refused = [r for r in rows if r.text(0) == "Refused"]
    assert len(refused) == 1
    assert "deleted" in refused[0].text(2) and "S2" in refused[0].text(2)
    dlg.tree.clearSelection()
    refused[0].setSelected(True)
    assert dlg.dismiss_button.isEnabled()
    dlg.dismiss_button.click()
    assert inst.engine.refused() == []
    assert all(dlg.tree.topLevelItem(i).text(0) != "Refused" for i in range(dlg.tree.topLevelItemCount()))
    assert "refused" not in _label(w)
    dlg.close()


def test_publish_is_enabled_only_for_a_local_project_with_a_server(qtbot, tmp_path, server_url, shared_media,
                                                                      answer):
    from storyclip_desktop.services import Services
    from storyclip_desktop.sync import SyncEngine
    from storyclip_desktop.ui.main_window import MainWindow

    sv = Services.open(f"sqlite:///{tmp_path / 'pub.sqlite3'}", node=8)
    local_pid = sv.projects.create("Before")  # exists before sync: stays local
    engine = SyncEngine(sv, server_url, shared_media_dir=shared_media)
    w = MainWindow(sv)
    qtbot.addWidget(w)
    ctl = SyncController(w, engine=engine, poll_ms=200)
    try:
        qtbot.waitUntil(lambda: ctl.last_report is not None, timeout=15_000)
        shared_pid = sv.projects.create("After")
        w.events.projectsChanged.emit()  # the list is re-read off the GUI thread
        qtbot.waitUntil(lambda: w.sidebar.model.row_of(shared_pid) >= 0, timeout=5_000)
        assert w.open_project(local_pid)
        assert ctl.act_publish.isEnabled()
        assert w.open_project(shared_pid)
        assert not ctl.act_publish.isEnabled()

        assert w.open_project(local_pid)
        asked = answer.confirm(True)
        results: list = []
        ctl.publishFinished.connect(lambda pid, done: results.append((pid, done)))
        ctl.act_publish.trigger()
        assert asked
        qtbot.waitUntil(lambda: bool(results), timeout=20_000)
        assert results[0][0] == local_pid and not isinstance(results[0][1], Exception)
        assert not ctl.act_publish.isEnabled()  # shared now
    finally:
        ctl.close()
        w.undo_stack.clear()
        sv.close()


def test_publish_is_disabled_without_a_server(qtbot, window, monkeypatch):
    monkeypatch.delenv("STORYCLIP_SYNC_URL", raising=False)
    pid = window.services.projects.create("Alone")
    window.events.projectsChanged.emit()
    ctl = SyncController(window)
    try:
        window.open_project(pid)
        assert not ctl.act_publish.isEnabled()
    finally:
        ctl.close()


def test_login_is_asked_once_when_the_keyring_has_no_password(qtbot, window, monkeypatch):
    from storyclip_desktop.shared import login
    from storyclip_desktop.ui import login_dialog

    base = "postgresql+psycopg:///team?host=/nonexistent-socket-dir"
    monkeypatch.delenv(login.ENV_PASSWORD, raising=False)
    stored: dict = {}
    monkeypatch.setattr(login, "saved_password", lambda url, email: stored.get((url, email)))

    def remember(url, email, password):
        stored[(url, email)] = password
        return True

    monkeypatch.setattr(login, "remember_password", remember)
    opened: list = []
    monkeypatch.setattr(login_dialog.LoginDialog, "open", lambda self: opened.append(self))
    ctl = SyncController(window, server_url=base)
    try:
        assert ctl.engine is None and ctl.needs_login
        assert _label(window) == "Shared · sign in needed"
        qtbot.waitUntil(lambda: len(opened) == 1, timeout=2_000)
        dlg = opened[0]
        dlg.email_edit.setText("alice@example.com")
        dlg.password_edit.setText("s3cret")
        dlg.accept()
        assert stored == {(base, "alice@example.com"): "s3cret"}
        assert ctl.engine is not None and not ctl.needs_login
        # The server is not there: sync reports offline, local work goes on.
        qtbot.waitUntil(lambda: ctl.last_report is not None, timeout=15_000)
        assert ctl.last_report.offline
        assert "offline" in _label(window)
        assert window.status.store_label.property("sync_tone") == "danger"
        assert len(opened) == 1
    finally:
        ctl.close()


def test_status_text_formats():
    from datetime import UTC, datetime

    from storyclip_desktop.sync.engine import SyncStatus

    st = SyncStatus("local", "pg://team", True, False, 3, datetime(2024, 1, 1, 10, 42, tzinfo=UTC), None)
    text, tone, _tip = status_text(st)
    assert text.startswith("Shared · online · 3 pending · synced ") and tone == "ok"
    off = SyncStatus("local", "pg://team", False, False, 1, None, "cannot reach")
    assert status_text(off)[:2] == ("Shared · offline · 1 pending", "danger")


def test_a_refused_password_is_forgotten_and_asked_again(qtbot, window, monkeypatch):
    from storyclip_desktop.shared import login
    from storyclip_desktop.sync.engine import SyncReport
    from storyclip_desktop.ui import login_dialog

    base = "postgresql+psycopg:///team?host=/nonexistent-socket-dir"
    stored = {(base, "bob@example.com"): "old"}
    monkeypatch.delenv(login.ENV_PASSWORD, raising=False)
    monkeypatch.setattr(login, "saved_password", lambda url, email: stored.get((url, email)))
    monkeypatch.setattr(login, "forget_password", lambda url, email: stored.pop((url, email), None))
    monkeypatch.setattr(window.services, "email", "bob@example.com")
    opened: list = []
    monkeypatch.setattr(login_dialog.LoginDialog, "open", lambda self: opened.append(self))
    ctl = SyncController(window, server_url=base)
    try:
        assert ctl.engine is not None and not opened  # the keyring had a password: no dialog
        ctl.engine.sync = lambda: SyncReport(
            offline=True, auth_failed=True,
            error="the team server did not accept the login (wrong or changed password)")
        qtbot.waitUntil(lambda: ctl.needs_login, timeout=10_000)
        assert stored == {} and ctl.engine is None and len(opened) == 1
        assert _label(window) == "Shared · sign in needed"
    finally:
        ctl.close()


# ---- a network that goes silent (through the fault proxy on 127.0.0.1) ---------------
# The status says the sync is stuck, then that the team server is not answering; a
# later Sync now works; closing the window while a sync hangs quits promptly and loses
# nothing.

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
    assert not ctl.runner.working()  # the cut-off sync has ended, nothing runs on
    assert _pending(url) == 2  # nothing was lost: both changes wait for the next start
