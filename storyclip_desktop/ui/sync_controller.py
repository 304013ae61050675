"""The window's side of offline-first sync (docs/sync.md): a SyncEngine when a team
server is configured, syncing in the background (on a timer and shortly after local
writes) without ever blocking the GUI thread, the status line, "Sync now", the refused
changes dialog, publish, and the sign-in at start.

Every engine call that talks to the server runs on the controller's own lane of the
operations layer (an `Ops` of its own, ui/ops); results come back on the GUI thread. Only `engine.status()`
(cheap, never waits) and the small reads of `sync_report` run on the GUI thread.

The status stays truthful when the network goes silent: a sync whose server call has
waited longer than STUCK_SECONDS shows as waiting for the team server, one that gave
up shows "not answering", and Sync now works again at once. Closing the window cuts a
waiting sync off (nothing queued is lost) instead of waiting for it."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QAction

from ..config import LOCAL_EMAIL
from ..services.errors import one_line
from . import errors, theme
from .ops import Changes, Ops
from .status_bar import _clickable

if TYPE_CHECKING:
    from ..sync.engine import SyncEngine, SyncReport, SyncStatus

log = logging.getLogger(__name__)

SYNC_INTERVAL_MS = 60_000
AFTER_WRITE_MS = 3_000  # a burst of edits is pushed once, a few seconds after it ends
STATUS_POLL_MS = 5_000
SYNC_SHORTCUT = "Ctrl+Alt+S"  # Ctrl+Shift+S is Scene › Split into scenes…
STUCK_SECONDS = 3.0  # a push of a few changes takes well under a second: this is stuck
BUSY_RETRY_MS = 5_000  # a project another installation holds: try again this soon


class SyncHost(Protocol):
    """What the window offers the sync controller (MainWindow does)."""

    services: Any
    events: Any
    undo_stack: Any
    status: Any
    currentProjectChanged: Any

    def add_action(self, text: str, run: Any = None, keys: tuple[Any, ...] = (), icon: str = "",
                   tip: str = "") -> QAction: ...

    def place_sync_actions(self, actions: list[QAction]) -> None: ...

    def show_error(self, message: str) -> None: ...

    def current_project_id(self) -> int | None: ...

    def current_scene_id(self) -> str | None: ...


def status_text(st: SyncStatus | None, *, needs_login: bool = False,
                stuck_after: float = STUCK_SECONDS) -> tuple[str, str, str]:
    """(text, tone, tooltip) for the status line; tone: ok | warn | danger | plain."""
    if st is None or st.server is None and st.store_kind == "local":
        if needs_login:
            return "Shared · sign in needed", "warn", "Sign in to the team server to sync (File › Sync now)"
        return "Local store · this computer", "plain", "Scenes are stored on this computer; nothing syncs"
    if st.store_kind == "shared":
        return "Shared store · online", "ok", "Working on the team's shared store directly"
    parts = ["Shared"]
    stuck = st.syncing and st.waiting_seconds >= stuck_after
    if stuck:
        parts.append(f"waiting for the team server ({int(st.waiting_seconds)} s)…")
    elif st.syncing:
        parts.append("syncing…")
    elif st.online is False and st.stalled:
        parts.append("team server not answering")
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
    tone = (
        "warn" if stuck
        else "danger" if st.online is False
        else "warn" if st.refused or (st.last_error and st.online)
        else "ok"
    )
    tip = [f"Team server: {st.server}"]
    if stuck:
        tip.append("The team server has not answered yet; the sync gives up by itself soon and "
                   "everything stays queued")
    elif st.stalled and st.online is False:
        tip.append("The team server stopped answering; your changes wait on this computer. "
                   "File › Sync now tries again")
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

    def __init__(
        self,
        window: SyncHost,
        *,
        server_url: str | None = None,
        engine: SyncEngine | None = None,
        interval_ms: int = SYNC_INTERVAL_MS,
        after_write_ms: int = AFTER_WRITE_MS,
        poll_ms: int = STATUS_POLL_MS,
        ask_login: bool = True,
        stuck_after: float = STUCK_SECONDS,
    ) -> None:
        super().__init__(window)
        self.window = window
        self.services = window.services
        self.engine: SyncEngine | None = engine
        self.needs_login = False
        self.login_dialog = None
        self.refused_dialog = None
        self._closed = False
        self._running = False
        self._stuck_after = stuck_after
        self._started_at: float | None = None
        self._again = False
        self._publishing = False
        self._signed_in: str | None = None  # the email whose keyring password the engine uses
        self._base_url = server_url or ""
        self.last_report: SyncReport | None = None
        self._status: SyncStatus | None = None
        # Its own lane of the operations layer: a sync may wait seconds on a silent
        # network and must never hold the window's edits behind it.
        self.runner = Ops(lambda e: log.warning("sync call failed: %s", type(e).__name__), self)

        self._timer = self._make_timer(interval_ms, self.sync_now, single=False)
        self._after_write = self._make_timer(after_write_ms, self.sync_now)
        self._poll = self._make_timer(poll_ms, self.refresh_status, single=False)
        self._later_status = self._make_timer(150, self.refresh_status)
        self._stuck_check = self._make_timer(int(stuck_after * 1000) + 100, self.refresh_status)
        self._busy_retry = self._make_timer(BUSY_RETRY_MS, self.sync_now)

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
        self.act_sync = w.add_action("S&ync now", self.sync_now, (SYNC_SHORTCUT,), "",
                                     "Send local changes to the team server and fetch theirs")
        self.act_refused = w.add_action("Refused &changes…", self.show_refused, (), "",
                                        "Changes the team server would not apply, and sync notices")
        self.act_publish = w.add_action("&Publish to shared store…", self.publish_current, (), "",
                                        "Move this local project to the team server")
        w.place_sync_actions([self.act_sync, self.act_refused, self.act_publish])

    def _wire(self) -> None:
        w, ev = self.window, self.window.events
        ev.changed.connect(self._on_local_write)  # every write the window makes, with who made it
        w.undo_stack.indexChanged.connect(self._on_local_write)
        w.currentProjectChanged.connect(lambda _p: self.update_actions())
        _clickable(w.status.store_label, self).connect(self.show_refused)

    def _connect(self, *, ask_login: bool) -> None:
        """Build the engine from the configured URL; ask for a password first when the
        URL names no login and the keyring holds none for this person."""
        from ..sync.settings import resolve_login

        found = resolve_login(self._base_url, self._email())
        if found.base_url is None:
            self.window.show_error(f"Sync: {found.problem}.")
            return
        if found.needs_login:
            self._signed_in = None
            self.needs_login = True
            if ask_login:
                QTimer.singleShot(0, self.show_login)  # after the window paints
            return
        self._signed_in = found.email
        self._make_engine(found.url)

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
        except Exception as e:  # noqa: BLE001
            self.window.show_error(f"Could not sign in: {e}")
            return False
        from ..sync.settings import resolve_login

        found = resolve_login(self._base_url, email)
        if found.url is None or found.needs_login:
            self.window.show_error(f"Could not sign in: {found.problem}")
            return False
        url = found.url
        self._signed_in = email
        self._make_engine(url)
        self._start()
        self.refresh_status()
        self.update_actions()
        return self.engine is not None

    # ---- sync --------------------------------------------------------------------

    @property
    def syncing(self) -> bool:
        return self._running

    def sync_now(self) -> bool:
        """Start a background sync (one at a time; a request meanwhile runs after it).
        True when a sync is running or was started."""
        if self._closed:
            return False
        if self.engine is None:
            if self.needs_login:
                self.show_login()
            return False
        if self._running:
            self._again = True
            return True
        self._after_write.stop()
        self._busy_retry.stop()
        engine = self.engine
        self._running = True
        self._started_at = time.monotonic()
        self.runner.read(engine.sync, self._sync_done, failure=self._sync_failed)
        self.act_sync.setEnabled(False)
        self._later_status.start()
        self._stuck_check.start()
        return True

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
            self.runner.read(engine.close, lambda _r: None)
        self.window.show_error("The team server did not accept the password; please sign in again.")
        self.refresh_status()
        self.update_actions()
        self.show_login()

    def _finished_running(self) -> None:
        self._running = False
        self._started_at = None
        self._stuck_check.stop()
        self.act_sync.setEnabled(True)

    def _sync_failed(self, e: BaseException) -> None:
        self._finished_running()
        if self._closed:
            return
        log.warning("sync failed: %s", type(e).__name__)
        self.window.show_error(f"Sync failed: {one_line(e)}")
        self.refresh_status()

    def _sync_done(self, rep: SyncReport) -> None:
        self._finished_running()
        if self._closed:
            return
        self.last_report = rep
        if rep.auth_failed and self._signed_in:
            self._sign_in_again()
            return
        if rep.stalled:
            self.window.status.show_error("The team server stopped answering; your changes are kept")
        elif rep.error and not rep.offline:
            self.window.show_error(f"Sync: {rep.error}")
        if rep.refused:
            n = len(rep.refused)
            self.window.status.show_error(f"{n} change{'s' if n != 1 else ''} refused by the team server — "
                                          "click the store status to review")
        if rep.waiting:
            self.window.status.show_notice("A project is busy on the team server (another computer is "
                                           "syncing it); will retry")
            self._busy_retry.start()
        elif rep.unfinished:
            self._busy_retry.start()  # a long queue: the rest goes in the next round
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
        if st is not None and st.server is not None and not st.syncing and self._running:
            st = dataclasses.replace(st, syncing=True)  # queued on the worker, not started yet
        if st is not None and self._running:
            self._stuck_check.start()  # look again: a wait may grow into "stuck"
        text, tone, tip = status_text(st, needs_login=self.needs_login, stuck_after=self._stuck_after)
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
        self.act_sync.setEnabled((on or self.needs_login) and not self._running)
        self.act_refused.setEnabled(on)
        pid = self.window.current_project_id()
        self.act_publish.setEnabled(on and not self._publishing and self.is_local_only(pid))

    def publish_current(self, *, confirm: bool = True) -> bool:
        pid = self.window.current_project_id()
        if self.engine is None or not self.is_local_only(pid):
            return False
        if confirm and not errors.confirm(
            self.window, "Publish to shared store",
            "Move this project to the team server? Your team will see it and its changes will sync.",
            "Publish",
            detail="Scenes, reviews and image versions go along; files are copied to the shared media folder.",
        ):
            return False
        self._publishing = True
        self.update_actions()
        engine = self.engine
        started = self.runner.read(
            lambda: engine.publish(pid),
            lambda done: self._publish_done(pid, done, None),
            failure=lambda e: self._publish_done(pid, None, e),
            busy=("publish", pid),
        )
        if started:
            self.window.status.show_notice("Publishing to the shared store…")
        return started

    def _publish_done(self, pid: object, done: object, error: BaseException | None) -> None:
        self._publishing = False
        if self._closed:
            return
        if error is not None:
            self.window.show_error(f"Publish failed: {one_line(error)}")
            self.publishFinished.emit(pid, error)
        else:
            self.window.status.show_notice("The project is on the shared store now.")
            self.window.events.publish(Changes(pid, projects=True, project=True, scenes=True), self)
            self.publishFinished.emit(pid, done)
        self.refresh_status()
        self.update_actions()

    # ---- end ---------------------------------------------------------------------

    def close(self) -> None:
        """Stop the timers and the engine. A sync waiting on the network is cut off, not
        waited for: its changes stay queued (a change leaves the queue only with its
        answer) and go at the next start."""
        if self._closed:
            return
        self._closed = True
        for t in (self._timer, self._after_write, self._poll, self._later_status, self._stuck_check,
                  self._busy_retry):
            t.stop()
        if self.engine is not None:
            self.engine.abort()
        ended = self.runner.close(timeout=2.0)
        if self.engine is not None:
            self.engine.close(wait=ended)


def _configured_url() -> str | None:
    from ..sync.settings import sync_url

    return sync_url()


def _is_pg(url: str) -> bool:
    return url.startswith("postgresql")


def install_sync(window: SyncHost, **kw: Any) -> SyncController:
    """Make the controller and hang it on the window (`window.sync_controller`)."""
    controller = SyncController(window, **kw)
    window.sync_controller = controller
    return controller

