"""SyncEngine: the one object the window and the CLI use. `sync()` pushes then pulls;
it is thread-safe and meant to run off the UI thread (`sync_in_background()` or
`await sync_async()`); `status()` is cheap and safe to call from the UI thread."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, func, select, update
from sqlalchemy.exc import DBAPIError

from ..services.errors import one_line
from ..store.db import make_engine
from ..store.models import PendingChange
from . import history, link, media, report
from . import publish as publishing
from .changes import Outcome
from .deadline import Bounds, StoppedAnswering, Watchdog, connect_timed_out, watch
from .errors import Offline, SyncError, is_auth_error, is_offline_error
from .mutators.side import LocalSide, ServerSide
from .pull import PullResult, pull
from .push import Pusher, PushResult
from .report import ReportedChange
from .settings import display, sync_url
from .tables import LOCAL_ONLY, sync_project, sync_state

if TYPE_CHECKING:
    from ..services.app import Services
    from ..services.views import SceneView

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SyncStatus:
    store_kind: str  # "local" (SQLite replica) or "shared" (working on PostgreSQL directly)
    server: str | None  # the team server, password hidden; None: sync not configured
    online: bool | None  # None until a sync was tried
    syncing: bool
    pending: int
    last_sync_at: datetime | None
    last_error: str | None
    refused: list[ReportedChange] = field(default_factory=list)
    notices: int = 0
    local_only: int = 0  # changes of projects not shared (yet): they wait for `publish`
    waiting_seconds: float = 0.0  # how long the running sync has waited on one server answer
    stalled: bool = False  # the last sync ended because the team server stopped answering


@dataclass(frozen=True)
class SyncReport:
    pushed: int = 0
    applied: list[int] = field(default_factory=list)  # change ids
    refused: list[Outcome] = field(default_factory=list)
    notices: list[Outcome] = field(default_factory=list)
    duplicates: int = 0  # answers the server had already given (a resend)
    pulled_rows: int = 0
    projects: list[int] = field(default_factory=list)
    resynced: list[int] = field(default_factory=list)
    dropped: list[int] = field(default_factory=list)
    offline: bool = False
    busy: bool = False  # another process of this installation was pushing
    stalled: bool = False  # the team server stopped answering midway (it is offline too)
    auth_failed: bool = False  # the server refused the login (password wrong or gone)
    waiting: list[int] = field(default_factory=list)  # projects another installation held: retried later
    unfinished: bool = False  # the push or pull ran out of time; the next sync continues
    error: str | None = None
    push_seconds: float = 0.0
    pull_seconds: float = 0.0


class SyncEngine:
    def __init__(
        self,
        services: Services,
        server_url: str | None = None,
        *,
        shared_media_dir: Path | str | None = None,
        connect_timeout: int | None = None,
        bounds: Bounds | None = None,
    ) -> None:
        self.services = services
        self.local: Engine = services.db.engine
        self.is_replica = not services.db.is_postgres
        # The store begins every transaction IMMEDIATE (even reads), which would make
        # status() wait for a sync's write; this reader takes no lock (WAL readers never
        # wait), so the window can poll it from the UI thread.
        self._reader = create_engine(self.local.url, connect_args={"timeout": 1}) if self.is_replica else None
        self.server_url = server_url or (sync_url() if self.is_replica else None)
        self.shared_dir = Path(shared_media_dir) if shared_media_dir else None
        self._shared_dir_set = shared_media_dir is not None
        self._connect_timeout = connect_timeout
        self.bounds = bounds or Bounds.from_env()
        self.watchdog = Watchdog(self.bounds)
        self._server: Engine | None = None
        self._lock = threading.Lock()
        self._syncing = False
        self._online: bool | None = None
        self._stalled = False
        self._executor: ThreadPoolExecutor | None = None
        # Server sessions whose push stopped answering: they may still hold this
        # installation's push lock (see Pusher._lock).
        self._abandoned: set[int] = set()
        self.identity: link.Identity | None = None
        # Test seam, handed to the pusher (see Pusher.before_apply).
        self.before_apply = None
        self.client_id = link.ensure_configured(self.local) if self.enabled else None

    @property
    def enabled(self) -> bool:
        return self.is_replica and bool(self.server_url)

    # -- status ---------------------------------------------------------------------

    def status(self) -> SyncStatus:
        kind = "local" if self.is_replica else "shared"
        if not self.is_replica:
            return SyncStatus(kind, None, True, False, 0, None, None)
        with self._reader.connect() as c:
            parked = select(sync_project.c.project_id).where(sync_project.c.mode == LOCAL_ONLY)
            pending = c.scalar(
                select(func.count()).select_from(PendingChange).where(PendingChange.project_id.not_in(parked))
            )
            local_only = c.scalar(select(func.count()).select_from(PendingChange).where(PendingChange.project_id.in_(parked)))
            st = c.execute(select(sync_state.c.last_sync_at, sync_state.c.last_error)).first()
        return SyncStatus(
            store_kind=kind,
            server=display(self.server_url),
            online=self._online,
            syncing=self._syncing,
            pending=pending,
            last_sync_at=st.last_sync_at if st else None,
            last_error=st.last_error if st else None,
            refused=self.refused(),
            notices=report.count(self._reader, "notice"),
            local_only=local_only,
            waiting_seconds=self.watchdog.waiting_for() if self._syncing else 0.0,
            stalled=self._stalled,
        )

    def is_local_only(self, project_id: int) -> bool:
        """True for a project that has not been published to the shared store yet."""
        if not self.enabled:
            return False
        with self._reader.connect() as c:
            mode = c.scalar(select(sync_project.c.mode).where(sync_project.c.project_id == project_id))
        return mode == LOCAL_ONLY

    def refused(self) -> list[ReportedChange]:
        """Changes the server would not apply, with the reason, until dismissed."""
        return report.reported(self._reader or self.local, outcome="refused")

    def notices(self) -> list[ReportedChange]:
        return report.reported(self._reader or self.local, outcome="notice")

    def dismiss(self, change_id: int) -> bool:
        return report.dismiss(self.local, change_id)

    # -- sync -------------------------------------------------------------------------

    def sync(self) -> SyncReport:
        """Push everything queued, then pull what changed. Never raises for being
        offline: the report says so and everything stays queued."""
        if not self.enabled:
            return SyncReport(error=None if not self.is_replica else "sync is not configured (no team server URL)")
        with self._lock:
            self._syncing = True
            try:
                rep = self._sync_once()
            finally:
                self._syncing = False
            self._stalled = rep.stalled
        self._remember(rep)
        return rep

    def abort(self) -> None:
        """Stop a running sync now (the window is closing): its current server wait is
        cut, it returns as offline, and everything not acknowledged stays queued."""
        self.watchdog.abort()

    def sync_in_background(self) -> Future:
        """Run sync() on the engine's worker thread; the Future holds the SyncReport."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="storyclip-sync")
        return self._executor.submit(self.sync)

    async def sync_async(self) -> SyncReport:
        return await asyncio.to_thread(self.sync)

    def _sync_once(self) -> SyncReport:
        pushed = PushResult()
        wd = self.watchdog
        wd.reset()
        try:
            t0 = time.perf_counter()
            with wd.phase("push", self.bounds.push):
                ident = self._identify()
                side = ServerSide(self.services.ids, ident.user_id, draw_function=ident.draw_function)
                pusher = Pusher(
                    self.local, self._engine(), ident, side, self._media_dir(), self.before_apply, wd.check,
                    abandoned=frozenset(self._abandoned), stale_after=self.bounds.push,
                )
                pusher.push(pushed)
            pushed.seconds = time.perf_counter() - t0
            local_side = LocalSide(self.services.ids, ident.user_id)
            t0 = time.perf_counter()
            # A pull is a handful of reads, each bounded by the answer bound.
            pulled = pull(self._engine(), self.local, local_side, acked=pushed.projects)
            pulled.seconds = time.perf_counter() - t0
        except Offline as e:
            return self._offline(pushed, str(e), e)
        except DBAPIError as e:
            if is_offline_error(e) or wd.fired:
                return self._offline(pushed, f"cannot reach the team server: {one_line(e)}", e)
            raise
        except SyncError as e:
            self._online = True
            return _report(pushed, error=str(e))
        self._online = True
        if pushed.server_pid is not None and not pushed.busy:
            self._abandoned.clear()  # none of them holds the lock now, and pids get reused
        return _report(pushed, pulled=pulled)

    def _offline(self, pushed: PushResult, message: str, exc: BaseException) -> SyncReport:
        self._online = False
        if not self.watchdog.fired and connect_timed_out(exc):
            self.watchdog.fired = "no answer to the connection attempt"
        stalled = bool(self.watchdog.fired) or isinstance(exc, StoppedAnswering)
        if pushed.server_pid is not None:
            self._abandoned.add(pushed.server_pid)
        if stalled:
            message = self.watchdog.message()
            self._drop_connections()  # they may be dead; the next sync connects afresh
        auth = is_auth_error(exc)
        if auth:
            message = "the team server did not accept the login (wrong or changed password)"
        return _report(pushed, offline=True, stalled=stalled, auth_failed=auth, error=message)

    def _drop_connections(self) -> None:
        if self._server is not None:
            self._server.dispose(close=False)  # closing could wait on a dead socket

    def _identify(self) -> link.Identity:
        try:
            with self._engine().connect() as conn:
                self.identity = link.identify(
                    conn, self.local, self.services, self.client_id, self.services.email
                )
        except DBAPIError as e:
            if is_offline_error(e):
                raise Offline(f"cannot reach the team server: {one_line(e)}") from e
            raise
        return self.identity

    def _remember(self, rep: SyncReport) -> None:
        values: dict = {"last_error": rep.error}
        if not rep.offline and rep.error is None:
            values["last_sync_at"] = datetime.now(UTC)
        with self.local.begin() as c:
            c.execute(update(sync_state).where(sync_state.c.id == 1).values(**values))

    def _engine(self) -> Engine:
        if self._server is None:
            args: dict[str, object] = {
                # A push that finds another installation holding its project waits this
                # long per try, then leaves that project for the next sync.
                "options": f"-c lock_timeout={int(self.bounds.lock * 1000)}",
            }
            if self._connect_timeout is not None:
                args["connect_timeout"] = self._connect_timeout
            self._server = watch(make_engine(self.server_url, connect_args=args), self.watchdog)
        return self._server

    def _media_dir(self) -> Path | None:
        return self.shared_dir if self._shared_dir_set else media.shared_media_dir()

    # -- other uses of the server --------------------------------------------------------

    def publish(self, project_id: int) -> publishing.Published:
        """Move a local project to the team server, then pull it back as shared."""
        if not self.enabled:
            raise SyncError("sync is not configured (no team server URL)")
        with self._lock:
            try:
                ident = self._identify()
                side = ServerSide(self.services.ids, ident.user_id, draw_function=ident.draw_function)
                done = publishing.publish(
                    self.local, self._engine(), ident, side, project_id, self.services.user_id, self._media_dir()
                )
            except DBAPIError as e:
                if is_offline_error(e):
                    raise Offline(f"cannot reach the team server: {one_line(e)}") from e
                raise
        self.sync()
        return done

    def history(self, project_id: int, scene_id: str | None = None) -> list[history.HistoryEntry]:
        return history.scene_history(self.services, project_id, scene_id)

    def restore(self, history_id: int) -> SceneView:
        return history.restore(self.services, history_id)

    def close(self, *, wait: bool = True) -> None:
        """`wait=False`: do not wait for a running sync (call abort() first)."""
        if self._executor is not None:
            self._executor.shutdown(wait=wait)
            self._executor = None
        if self._server is not None:
            self._server.dispose()
            self._server = None
        if self._reader is not None:
            self._reader.dispose()


def _report(pushed: PushResult, pulled: PullResult | None = None, **kw: object) -> SyncReport:
    outs = pushed.outcomes
    return SyncReport(
        pushed=len(outs),
        applied=[o.change.id for o in outs if o.applied],
        refused=[o for o in outs if o.refused],
        notices=[o for o in outs if o.applied and o.message],
        duplicates=sum(1 for o in outs if o.duplicate),
        pulled_rows=pulled.rows if pulled else 0,
        projects=sorted(pulled.projects) if pulled else [],
        resynced=sorted(pulled.resynced) if pulled else [],
        dropped=sorted(pulled.dropped) if pulled else [],
        busy=pushed.busy,
        waiting=sorted(pushed.waiting),
        unfinished=pushed.unfinished,
        push_seconds=pushed.seconds,
        pull_seconds=pulled.seconds if pulled else 0.0,
        **kw,  # type: ignore[arg-type]
    )

