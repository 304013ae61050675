"""Push: queued changes go to the server in the order they were made, each applied in
its own server transaction that also claims (client id, change id) in sync_mutation,
so a resend after a crash or a lost answer has no second effect and gets the first
answer back. A change the server refuses is recorded with its reason on both sides;
only after the local record is written does it leave the queue."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Connection, Engine, Text, cast, delete, select, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from ..services.errors import USER_ERRORS, one_line
from ..store.models import Project
from . import changes, media, mutators
from .changes import BadChange, Change, Outcome, Refused
from .deadline import OutOfTime
from .errors import LOCK_BUSY, Offline, is_offline_error, is_transient_error
from .link import Identity, mark_local, modes
from .mutators.side import ServerSide
from .replica import PENDING
from .tables import LOCAL_ONLY, sync_project, sync_report

log = logging.getLogger(__name__)

# One session advisory lock per installation: two processes of it never push at once.
_LOCK_KEY = "hashtext('storyclip-sync:' || :c)"
CREATES = frozenset({"create_project", "duplicate_project"})
ACK_BATCH = 200
RETRIES = 3
TAKE_TRIES = 40  # about 2 s for an ended session to let go of the push lock


@dataclass
class PushResult:
    outcomes: list[Outcome] = field(default_factory=list)
    projects: set[int] = field(default_factory=set)  # projects with acknowledged changes
    busy: bool = False  # another process of this installation was pushing
    waiting: set[int] = field(default_factory=set)  # projects another installation held
    unfinished: bool = False  # stopped at its time bound; the rest waits for the next sync
    seconds: float = 0.0
    server_pid: int | None = None  # the server session this push ran on


@dataclass
class Pusher:
    local: Engine
    server: Engine
    identity: Identity
    side: ServerSide
    shared_dir: Path | None = None
    # Test seam: called with each change just before its server transaction.
    before_apply: Callable[[Change], None] | None = None
    # Called between changes: raises to stop (the sync's deadline passed).
    checkpoint: Callable[[], None] | None = None
    # Server sessions this installation gave up on (their push stopped answering).
    abandoned: frozenset[int] = frozenset()
    # A holder of this installation's push lock idle (outside a transaction) for longer
    # than this is left over from a push that can no longer be running (every push ends
    # within its bound).
    stale_after: float = 120.0

    def push(self, result: PushResult | None = None) -> PushResult:
        """Send the queue. Pass `result` to keep what was acknowledged even when the
        server goes away midway (Offline is raised then)."""
        result = result if result is not None else PushResult()
        queue = self._queue()
        if not queue:
            return result
        try:
            conn = self.server.connect()
        except DBAPIError as e:
            raise Offline(f"cannot reach the team server: {_first_line(e)}") from e
        try:
            result.server_pid = conn.connection.dbapi_connection.info.backend_pid
            if not self._lock(conn):
                result.busy = True
                return result
            self._prune(conn, min(cid for cid, *_ in queue))
            self._send(conn, queue, result)
            self._unlock(conn)
        except DBAPIError as e:
            if is_offline_error(e) or is_transient_error(e):
                raise Offline(f"the team server went away during the push: {_first_line(e)}") from e
            raise
        finally:
            conn.close()
        return result

    # -- the queue ---------------------------------------------------------------

    def _queue(self) -> list[tuple]:
        with self.local.begin() as c:
            parked = {pid for pid, (mode, _) in modes(c).items() if mode == LOCAL_ONLY}
            # A local project deleted before it was ever published: its queued changes
            # can never go anywhere (nothing of it exists on either side).
            gone = parked - set(c.scalars(select(Project.id).where(Project.id.in_(parked))))
            if gone:
                c.execute(delete(PENDING).where(PENDING.c.project_id.in_(gone)))
                c.execute(delete(sync_project).where(sync_project.c.project_id.in_(gone)))
            rows = c.execute(
                select(PENDING.c.id, PENDING.c.kind, PENDING.c.project_id, cast(PENDING.c.payload, Text))
                .order_by(text("pending_change.rowid"))
            ).all()
        return [tuple(r) for r in rows if r[2] not in parked]

    def _send(self, conn: Connection, queue: list[tuple], result: PushResult) -> None:
        parked: set[int] = set()
        acks: list[tuple[Outcome, str]] = []
        try:
            for cid, kind, pid, raw in queue:
                if pid in parked:
                    continue
                try:
                    change = changes.parse(cid, kind, pid, raw)
                except BadChange as e:
                    bad = Change(cid if isinstance(cid, int) else 0, str(kind), pid or 0, {})
                    acks.append((Outcome(bad, applied=False, message=str(e)), raw or ""))
                    continue
                if self.checkpoint is not None:
                    try:
                        self.checkpoint()
                    except OutOfTime:
                        result.unfinished = True
                        break
                try:
                    outcome = self._apply_with_retry(conn, self._outgoing(change))
                except _ProjectBusy:
                    # Another installation holds the project (perhaps a laptop gone
                    # silent mid-push, until the server ends its session): this change
                    # and all after it stay queued, in order, for the next sync.
                    result.waiting.add(change.project_id)
                    break
                outcome.change = change
                acks.append((outcome, raw))
                if outcome.refused and change.kind in CREATES:
                    parked.add(change.project_id)  # the rest of it stays queued, locally
                if len(acks) >= ACK_BATCH:
                    self._ack(acks, result)
                    acks = []
        finally:
            # Whatever happened, what the server answered is recorded before we stop.
            self._ack(acks, result)

    def _outgoing(self, change: Change) -> Change:
        if change.kind in ("add_asset_version", "add_reference"):
            return Change(change.id, change.kind, change.project_id, media.for_push(change.payload, self.shared_dir))
        return change

    # -- one change, one server transaction ----------------------------------------

    def _apply_with_retry(self, conn: Connection, change: Change) -> Outcome:
        for attempt in range(RETRIES):
            if self.before_apply is not None:
                self.before_apply(change)
            try:
                return self._apply(conn, change)
            except DBAPIError as e:
                busy = getattr(e.orig, "sqlstate", None) == LOCK_BUSY
                if busy and attempt == RETRIES - 1:
                    raise _ProjectBusy(change.project_id) from None
                if not is_transient_error(e) or attempt == RETRIES - 1:
                    raise
                log.info("retrying change %s after %s", change.id, e.orig)
        raise AssertionError("unreachable")

    def _apply(self, conn: Connection, change: Change) -> Outcome:
        """Claim, bump, apply and log in one transaction. A refusal rolls all of it back
        and is logged in a second, small transaction: the common path stays short."""
        with conn.begin() as tx:
            if not self._claim(conn, change, "pending"):
                return self._earlier_answer(conn, change)
            try:
                outcome = self._run(conn, change)
            except _Refusal as r:
                if tx.is_active:  # a failed statement may have rolled it back already
                    tx.rollback()
                outcome = Outcome(change, applied=False, message=r.message)
            else:
                self._log(conn, change, outcome)
                return outcome
        with conn.begin():
            if not self._claim(conn, change, "refused", outcome.message):
                return self._earlier_answer(conn, change)
            self._log(conn, change, outcome)
        return outcome

    def _claim(self, conn: Connection, change: Change, outcome: str, message: str | None = None) -> bool:
        ident = self.identity
        return conn.execute(
            text(
                "INSERT INTO sync_mutation (client_id, mutation_id, user_id, project_id, kind, outcome, message) "
                "VALUES (:c, :m, :u, :p, :k, :o, :msg) ON CONFLICT DO NOTHING RETURNING 1"
            ),
            {
                "c": ident.client_id, "m": change.id, "u": ident.user_id, "p": change.project_id,
                "k": change.kind, "o": outcome, "msg": message,
            },
        ).first() is not None

    def _log(self, conn: Connection, change: Change, outcome: Outcome) -> None:
        conn.execute(
            text(
                "WITH m AS (UPDATE sync_mutation SET outcome = :o, message = :msg, result = CAST(:r AS jsonb) "
                "WHERE client_id = :c AND mutation_id = :m) "
                "UPDATE sync_client SET last_mutation_id = :m, last_seen = now() WHERE client_id = :c"
            ),
            {
                "o": "applied" if outcome.applied else "refused", "msg": outcome.message,
                "r": json.dumps(outcome.result), "c": self.identity.client_id, "m": change.id,
            },
        )

    def _run(self, conn: Connection, change: Change) -> Outcome:
        s = Session(bind=conn, join_transaction_mode="rollback_only")
        try:
            if change.kind not in CREATES:
                # First write of the transaction: writers of one project take turns on
                # its version row, which is what makes the feed's order the commit order.
                # No row back: the project is gone or not shared with this person.
                bumped = s.execute(
                    text("SELECT storyclip_sync_bump(id) FROM project WHERE id = :p"), {"p": change.project_id}
                ).first()
                if bumped is None:
                    if change.kind == "delete_project":
                        return Outcome(change, applied=True)
                    raise Refused(
                        f"project {change.project_id} was deleted or is no longer shared with you; "
                        f"your {change.kind.replace('_', ' ')} was not applied"
                    )
            applied = mutators.apply(s, self.side, change)
            s.flush()
            return Outcome(change, applied=True, message=applied.notice, result=applied.result)
        except Refused as e:
            raise _Refusal(e.message) from None
        except USER_ERRORS as e:
            raise _Refusal(one_line(e)) from None
        except DBAPIError as e:
            if is_offline_error(e) or is_transient_error(e):
                raise
            raise _Refusal(_db_message(e)) from None
        finally:
            s.close()

    def _earlier_answer(self, conn: Connection, change: Change) -> Outcome:
        row = conn.execute(
            text(
                "SELECT outcome, message, result FROM sync_mutation WHERE client_id = :c AND mutation_id = :m"
            ),
            {"c": self.identity.client_id, "m": change.id},
        ).one()
        return Outcome(change, applied=row.outcome == "applied", message=row.message, result=row.result or {}, duplicate=True)

    # -- bookkeeping ------------------------------------------------------------------

    def _lock(self, conn: Connection) -> bool:
        if self._try_lock(conn):
            return True
        # A push whose network went silent after its last COMMIT leaves its session idle
        # on the server, still holding the lock: no transaction is open, so the server's
        # idle-in-transaction bound never ends it, and its keepalives only do on a real
        # dead path. If the holder is such a leftover, end it and take the lock.
        holder = conn.execute(
            text(
                f"WITH k AS (SELECT {_LOCK_KEY}::bigint AS k) "
                "SELECT a.pid, a.state, EXTRACT(EPOCH FROM now() - a.state_change) AS idle "
                "FROM k, pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
                "AND l.classid = ((k.k >> 32) & 4294967295)::oid AND l.objid = (k.k & 4294967295)::oid"
            ),
            {"c": self.identity.client_id},
        ).first()
        conn.commit()
        if holder is None:
            return self._try_lock(conn)  # released in between
        left_over = holder.pid in self.abandoned or (
            holder.state == "idle" and holder.idle is not None and float(holder.idle) > self.stale_after
        )
        if not left_over:
            return False
        log.info("ending this installation's abandoned server session %s", holder.pid)
        conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": holder.pid})
        conn.commit()
        # The session ends, and lets go of the lock, a moment later.
        for _ in range(TAKE_TRIES):
            if self._try_lock(conn):
                return True
            time.sleep(0.05)
        return False

    def _try_lock(self, conn: Connection) -> bool:
        got = conn.execute(text(f"SELECT pg_try_advisory_lock({_LOCK_KEY})"), {"c": self.identity.client_id}).scalar()
        conn.commit()
        return bool(got)

    def _unlock(self, conn: Connection) -> None:
        conn.execute(text(f"SELECT pg_advisory_unlock({_LOCK_KEY})"), {"c": self.identity.client_id})
        conn.commit()

    def _prune(self, conn: Connection, oldest_pending: int) -> None:
        # Answers for changes this installation has acknowledged are no longer needed;
        # anything still queued (even if applied already) keeps its answer.
        conn.execute(
            text("SELECT storyclip_sync_prune(:c, :m)"),
            {"c": self.identity.client_id, "m": oldest_pending},
        )
        conn.commit()

    def _ack(self, acks: list[tuple[Outcome, str]], result: PushResult) -> None:
        if not acks:
            return
        with self.local.begin() as c:
            for outcome, raw in acks:
                ch = outcome.change
                if outcome.refused or outcome.message:
                    c.execute(
                        sqlite_insert(sync_report)
                        .values(
                            id=ch.id, kind=ch.kind, project_id=ch.project_id or None, payload=raw,
                            outcome="refused" if outcome.refused else "notice", message=outcome.message or "",
                        )
                        .on_conflict_do_nothing()
                    )
                if outcome.refused and ch.kind in CREATES:
                    mark_local(c, ch.project_id)
                c.execute(delete(PENDING).where(PENDING.c.id == ch.id))
                if ch.project_id:
                    result.projects.add(ch.project_id)
        result.outcomes += [o for o, _ in acks]


class _ProjectBusy(Exception):
    def __init__(self, project_id: int) -> None:
        super().__init__(project_id)
        self.project_id = project_id


class _Refusal(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _db_message(e: DBAPIError) -> str:
    orig = e.orig
    state = getattr(orig, "sqlstate", "") or ""
    text_ = str(getattr(orig, "diag", None) and orig.diag.message_primary or orig).strip()
    if state == "42501" or "row-level security" in text_:
        return f"the team server does not allow this change ({text_})"
    if state.startswith("23"):
        return f"the change conflicts with the data on the team server ({text_})"
    return f"the team server refused the change ({text_})"


def _first_line(e: BaseException) -> str:
    return (str(getattr(e, "orig", e)).strip().splitlines() or [""])[0]
