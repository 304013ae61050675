"""The window's side of offline-first sync (docs/sync.md): a SyncEngine when a team
server is configured, syncing in the background (on a timer and shortly after local
writes) without ever blocking the GUI thread, the status line, "Sync now", the refused
changes dialog, publish, and the sign-in at start.

Every engine call that talks to the server runs on a worker thread (the engine's own
executor, or a plain thread for publish); results come back through a queued signal.
Only `engine.status()` (cheap, never waits) and the small reads of `sync_report` run on
the GUI thread."""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QMenu

from ..config import LOCAL_EMAIL
from . import errors, theme
from .ops import Changes
from .status_bar import _clickable

if TYPE_CHECKING:
    from ..sync.engine import SyncEngine, SyncReport, SyncStatus
    from .main_window import MainWindow

log = logging.getLogger(__name__)

SYNC_INTERVAL_MS = 60_000
AFTER_WRITE_MS = 3_000  # a burst of edits is pushed once, a few seconds after it ends
STATUS_POLL_MS = 5_000
SYNC_SHORTCUT = "Ctrl+Alt+S"  # Ctrl+Shift+S is Scene › Split into scenes…


def status_text(st: SyncStatus | None, *, needs_login: bool = False) -> tuple[str, str, str]:
    """(text, tone, tooltip) for the status line; tone: ok | warn | danger | plain."""
    if st is None or st.server is None and st.store_kind == "local":
        if needs_login:
            return "Shared · sign in needed", "warn", "Sign in to the team server to sync (File › Sync now)"
        return "Local store · this computer", "plain", "Scenes are stored on this computer; nothing syncs"
    if st.store_kind == "shared":
        return "Shared store · online", "ok", "Working on the team's shared store directly"
    parts = ["Shared"]
    if st.syncing:
        parts.append("syncing…")
    elif st.online is False:
        parts.append("offline")
    elif st.online:
        parts.append("online")
    else:
        parts.append("not synced yet")
    if st.pending:
        parts.append(f"{st.pending} pending")
    if st.refused:
        parts.append(f"{len(st.refused)} refused")
    if st.last_sync_at is not None:
        parts.append(f"synced {_local_time(st.last_sync_at)}")
    tone = "danger" if st.online is False else "warn" if st.refused or (st.last_error and st.online) else "ok"
    tip = [f"Team server: {st.server}"]
    if st.local_only:
        tip.append(f"{st.local_only} change(s) of local projects wait for File › Publish to shared store…")
    if st.last_error:
        tip.append(f"Last problem: {st.last_error}")
    if st.refused or st.notices:
        tip.append(f"{len(st.refused)} refused change(s), {st.notices} notice(s): click to review")
    else:
        tip.append("Click to see refused changes and notices")
    return " · ".join(parts), tone, "\n".join(tip)


def _local_time(when: datetime) -> str:
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone().strftime("%H:%M")


TONES = {"ok": theme.ONLINE, "warn": "#D98E04", "danger": theme.DANGER, "plain": theme.ONLINE}


class SyncController(QObject):
    statusChanged = Signal(object)  # SyncStatus (None: nothing to sync)
    syncFinished = Signal(object)  # SyncReport
    publishFinished = Signal(object, object)  # project id, Published or the exception
    loginNeeded = Signal()
    _delivered = Signal(object, object, object)  # (what, future, extra): worker -> GUI thread

    def __init__(
        self,
        window: MainWindow,
        *,
        server_url: str | None = None,
        engine: SyncEngine | None = None,
        interval_ms: int = SYNC_INTERVAL_MS,
        after_write_ms: int = AFTER_WRITE_MS,
        poll_ms: int = STATUS_POLL_MS,
        ask_login: bool = True,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.services = window.services
        self.engine: SyncEngine | None = engine
        self.needs_login = False
        self.login_dialog = None
        self.refused_dialog = None
        self._closed = False
        self._running: Future | None = None
        self._again = False
        self._publishing = False
        self._signed_in: str | None = None  # the email whose keyring password the engine uses
        self._base_url = server_url or ""
        self.last_report: SyncReport | None = None
        self._status: SyncStatus | None = None
        self._delivered.connect(self._on_delivered, Qt.ConnectionType.QueuedConnection)

        self._timer = self._make_timer(interval_ms, self.sync_now, single=False)
        self._after_write = self._make_timer(after_write_ms, self.sync_now)
        self._poll = self._make_timer(poll_ms, self.refresh_status, single=False)
        self._later_status = self._make_timer(150, self.refresh_status)

        self._build_actions()
        self._wire()
        if self.engine is None and self.services.store_kind == "local":
            self._base_url = server_url or _configured_url() or ""
            if self._base_url:
                self._connect(ask_login=ask_login)
        self._start()
        self.refresh_status()
        self.update_actions()

    # ---- setup -------------------------------------------------------------------

    def _make_timer(self, ms: int, fn: Callable[[], Any], single: bool = True) -> QTimer:
        t = QTimer(self)
        t.setSingleShot(single)
        t.setInterval(ms)
        t.timeout.connect(fn)
        return t

    def _build_actions(self) -> None:
        w = self.window
        self.act_sync = w._action("S&ync now", self.sync_now, SYNC_SHORTCUT, None,
                                  "Send local changes to the team server and fetch theirs")
        self.act_refused = w._action("Refused &changes…", self.show_refused, None, None,
                                     "Changes the team server would not apply, and sync notices")
        self.act_publish = w._action("&Publish to shared store…", self.publish_current, None, None,
                                     "Move this local project to the team server")
        file_menu = _menu(w, "File")
        if file_menu is not None:
            before = getattr(w, "act_settings", None)
            if before not in file_menu.actions():
                before = None
            for a in (self.act_sync, self.act_refused, self.act_publish):
                file_menu.insertAction(before, a) if before else file_menu.addAction(a)
            sep = file_menu.insertSeparator(before) if before else file_menu.addSeparator()
            self._separator = sep

    def _wire(self) -> None:
        w, ev = self.window, self.window.events
        ev.changed.connect(self._on_local_write)  # every write the window makes, with who made it
        w.undo_stack.indexChanged.connect(self._on_local_write)
        w.currentProjectChanged.connect(lambda _p: self.update_actions())
        _clickable(w.status.store_label, self).connect(self.show_refused)

    def _connect(self, *, ask_login: bool) -> None:
        """Build the engine from the configured URL; ask for a password first when the
        URL names no login and the keyring holds none for this person."""
        from sqlalchemy.engine import make_url

        from ..shared import login

        url = self._base_url
        try:
            u = make_url(url)
        except Exception:  # noqa: BLE001 - a malformed setting is reported, not raised
            self.window.show_error("The team server URL in the sync settings is not valid.")
            return
        if u.username is None and u.password is None:
            email = self._email()
            try:
                url = login.connect_url(url, email) if email else None
            except Exception:  # noqa: BLE001 - LoginRequired, or a URL shared mode refuses
                url = None
            self._signed_in = email if url else None
            if url is None:
                self.needs_login = True
                if ask_login:
                    QTimer.singleShot(0, self.show_login)  # after the window paints
                return
        self._make_engine(url)

    def _email(self) -> str | None:
        email = getattr(self.services, "email", None)
        return email if email and email != LOCAL_EMAIL else None

    def _make_engine(self, url: str) -> None:
        from ..sync import SyncEngine

        try:
            self.engine = SyncEngine(self.services, url)
        except Exception as e:  # noqa: BLE001 - local work goes on without sync
            self.window.show_error(f"Sync could not start: {e}")
            self.engine = None
            return
        self.needs_login = False

    def _start(self) -> None:
        if self.engine is not None and self.engine.enabled:
            self._timer.start()
            self._poll.start()
            QTimer.singleShot(0, self.sync_now)

    # ---- login -------------------------------------------------------------------

    def show_login(self) -> None:
        """Non-modal: local work goes on while the dialog is open."""
        from ..shared import login
        from .login_dialog import LoginDialog

        if self._closed or self.login_dialog is not None:
            return
        self.loginNeeded.emit()
        dlg = LoginDialog(self.window, server=login.settings_url(self._base_url) if _is_pg(self._base_url) else "",
                          email=self._email() or "")
        self.login_dialog = dlg

        def done(result: int) -> None:
            self.login_dialog = None
            creds = dlg.credentials()
            dlg.deleteLater()
            if not result or creds is None:
                self.refresh_status()
                return
            self.sign_in(creds.email, creds.password, remember=creds.remember)

        dlg.finished.connect(done)
        dlg.open()

    def sign_in(self, email: str, password: str, *, remember: bool = True) -> bool:
        from ..shared import login

        try:
            if not remember or not login.remember_password(self._base_url, email, password):
                login.remember_for_session(self._base_url, email, password)
            url = login.connect_url(self._base_url, email)
        except Exception as e:  # noqa: BLE001
            self.window.show_error(f"Could not sign in: {e}")
            return False
        self._signed_in = email
        self._make_engine(url)
        self._start()
        self.refresh_status()
        self.update_actions()
        return self.engine is not None

    # ---- sync --------------------------------------------------------------------

    @property
    def syncing(self) -> bool:
        return self._running is not None

    def sync_now(self) -> Future | None:
        """Start a background sync (one at a time; a request meanwhile runs after it)."""
        if self._closed:
            return None
        if self.engine is None:
            if self.needs_login:
                self.show_login()
            return None
        if self._running is not None:
            self._again = True
            return self._running
        self._after_write.stop()
        fut = self.engine.sync_in_background()
        self._running = fut
        fut.add_done_callback(lambda f: self._deliver("sync", f, None))
        self.act_sync.setEnabled(False)
        self._later_status.start()
        return fut

    def _deliver(self, what: str, fut: Future, extra: object) -> None:
        """On a worker thread: hand the result to the GUI thread."""
        try:
            self._delivered.emit(what, fut, extra)
        except RuntimeError:  # the controller is gone (window closed)
            pass

    def _on_delivered(self, what: str, fut: Future, extra: object) -> None:
        if what == "sync":
            self._sync_done(fut)
        elif what == "publish":
            self._publish_done(extra, fut)

    def _sign_in_again(self) -> None:
        """The saved password no longer works: forget it and ask again."""
        from ..shared import login

        engine, self.engine = self.engine, None
        self._timer.stop()
        self._poll.stop()
        if self._signed_in:
            login.forget_password(self._base_url, self._signed_in)
        self._signed_in = None
        self.needs_login = True
        if engine is not None:
            threading.Thread(target=engine.close, name="storyclip-sync-close", daemon=True).start()
        self.window.show_error("The team server did not accept the password; please sign in again.")
        self.refresh_status()
        self.update_actions()
        self.show_login()

    def _sync_done(self, fut: Future) -> None:
        self._running = None
        self.act_sync.setEnabled(True)
        try:
            rep = fut.result()
        except Exception as e:  # noqa: BLE001 - e.g. a refused login: say so, keep working
            log.warning("sync failed: %s", type(e).__name__)
            self.window.show_error(f"Sync failed: {_line(e)}")
            self.refresh_status()
            return
        self.last_report = rep
        if rep.offline and self._signed_in and _bad_password(rep.error):
            self._sign_in_again()
            return
        if rep.error and not rep.offline:
            self.window.show_error(f"Sync: {rep.error}")
        if rep.refused:
            n = len(rep.refused)
            self.window.status.show_error(f"{n} change{'s' if n != 1 else ''} refused by the team server — "
                                          "click the store status to review")
        self._reload_changed(rep)
        self.refresh_status()
        self.update_actions()
        self.syncFinished.emit(rep)
        if self._again and not self._closed:
            self._again = False
            self.sync_now()

    def _reload_changed(self, rep: SyncReport) -> None:
        """Pulled rows: refresh the views that show them, through the usual events."""
        touched = [*dict.fromkeys([*rep.projects, *rep.resynced, *rep.dropped])]
        if not touched and not rep.pulled_rows:
            return
        ev = self.window.events
        ev.publish(Changes(projects=True), self)  # initiator self: not a local write
        for pid in touched:
            if pid not in rep.dropped:
                ev.publish(Changes(pid, project=True, scenes=True), self)

    def _on_local_write(self, _changes: object = None, initiator: object = None) -> None:
        if initiator is self or self.engine is None:
            return
        self._later_status.start()
        self._after_write.start()

    # ---- status ------------------------------------------------------------------

    def status(self) -> SyncStatus | None:
        return self._status

    def refresh_status(self) -> None:
        if self._closed:
            return
        st = None
        if self.engine is not None:
            try:
                st = self.engine.status()
            except Exception as e:  # noqa: BLE001 - a status read must not break the window
                log.warning("sync status failed: %s", type(e).__name__)
                st = self._status
        elif self.services.store_kind == "shared":
            from ..sync.engine import SyncStatus

            st = SyncStatus("shared", None, True, False, 0, None, None)
        self._status = st
        if st is not None and st.server is not None and not st.syncing and self._running is not None:
            st = dataclasses.replace(st, syncing=True)  # queued on the worker, not started yet
        text, tone, tip = status_text(st, needs_login=self.needs_login)
        label = self.window.status.store_label
        label.setText(f"<span style='color:{TONES[tone]}'>●</span>&nbsp;{text}")
        label.setProperty("sync_tone", tone)
        label.setProperty("plain_text", text)
        label.setStyleSheet(f"color: {TONES[tone]};" if tone in ("warn", "danger") else "")
        label.setToolTip(tip)
        if self.refused_dialog is not None and self.refused_dialog.isVisible():
            self.refused_dialog.reload()
        self.statusChanged.emit(st)

    # ---- refused changes -----------------------------------------------------------

    def show_refused(self) -> None:
        from .refused_dialog import RefusedDialog

        if self.engine is None:
            if self.needs_login:
                self.show_login()
            return
        if self.refused_dialog is None:
            self.refused_dialog = RefusedDialog(self.engine, self.window)
            self.refused_dialog.dismissed.connect(lambda _id: self.refresh_status())
        self.refused_dialog.reload()
        self.refused_dialog.show()
        self.refused_dialog.raise_()

    # ---- publish -----------------------------------------------------------------

    def is_local_only(self, project_id: int | None) -> bool:
        if self.engine is None or not self.engine.enabled or project_id is None:
            return False
        try:
            return self.engine.is_local_only(project_id)
        except Exception:  # noqa: BLE001 - an unreadable state disables Publish, no more
            return False

    def update_actions(self) -> None:
        on = self.engine is not None and self.engine.enabled
        self.act_sync.setEnabled((on or self.needs_login) and self._running is None)
        self.act_refused.setEnabled(on)
        pid = self.window.current_project_id()
        self.act_publish.setEnabled(on and not self._publishing and self.is_local_only(pid))

    def publish_current(self, *, confirm: bool = True) -> Future | None:
        pid = self.window.current_project_id()
        if self.engine is None or not self.is_local_only(pid):
            return None
        if confirm and not errors.confirm(
            self.window, "Publish to shared store",
            "Move this project to the team server? Your team will see it and its changes will sync.",
            "Publish",
            detail="Scenes, reviews and image versions go along; files are copied to the shared media folder.",
        ):
            return None
        self._publishing = True
        self.update_actions()
        fut: Future = Future()
        engine = self.engine

        def work() -> None:
            try:
                fut.set_result(engine.publish(pid))
            except BaseException as e:  # noqa: BLE001 - delivered to the GUI thread
                fut.set_exception(e)

        fut.add_done_callback(lambda f: self._deliver("publish", f, pid))
        threading.Thread(target=work, name="storyclip-publish", daemon=True).start()
        self.window.status.show_notice("Publishing to the shared store…")
        return fut

    def _publish_done(self, pid: object, fut: Future) -> None:
        self._publishing = False
        try:
            done = fut.result()
        except Exception as e:  # noqa: BLE001
            self.window.show_error(f"Publish failed: {_line(e)}")
            self.publishFinished.emit(pid, e)
        else:
            self.window.status.show_notice("The project is on the shared store now.")
            self.window.events.publish(Changes(pid, projects=True, project=True, scenes=True), self)
            self.publishFinished.emit(pid, done)
        self.refresh_status()
        self.update_actions()

    # ---- end ---------------------------------------------------------------------

    def close(self) -> None:
        """Stop the timers and let the engine finish (waits for a running sync)."""
        if self._closed:
            return
        self._closed = True
        for t in (self._timer, self._after_write, self._poll, self._later_status):
            t.stop()
        if self.engine is not None:
            self.engine.close()


def _menu(window: MainWindow, title: str) -> QMenu | None:
    for a in window.menuBar().actions():
        if a.text().replace("&", "") == title and a.menu() is not None:
            return a.menu()
    return None


def _configured_url() -> str | None:
    from ..sync.settings import sync_url

    return sync_url()


def _bad_password(error: str | None) -> bool:
    text = (error or "").lower()
    return "password authentication failed" in text or "no password supplied" in text


def _is_pg(url: str) -> bool:
    return url.startswith("postgresql")


def _line(e: BaseException) -> str:
    return (str(getattr(e, "orig", e)).strip().splitlines() or [type(e).__name__])[0]


def install_sync(window: MainWindow, **kw: Any) -> SyncController:
    """Make the controller and hang it on the window (`window.sync_controller`)."""
    controller = SyncController(window, **kw)
    window.sync_controller = controller
    return controller

