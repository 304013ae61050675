"""The local replica of shared projects. `sync_base` holds the last server copy of
every row; the live tables are that copy with the still-pending changes replayed on
top. Rebasing a project = make its live rows equal the base again, then replay what
is still queued, all in one local transaction."""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Text, cast, delete, func, select, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from ..store.models import PendingChange, User
from . import changes, mutators
from .mutators.side import LocalSide
from .rows import (
    SYNCED,
    canonical,
    checksum,
    live_rows,
    live_rows_by_id,
    project_filter,
    table,
    to_columns,
)
from .tables import SHARED, sync_base, sync_project

log = logging.getLogger(__name__)
PENDING = PendingChange.__table__
Key = tuple[str, int]


@dataclass(frozen=True)
class FeedRow:
    tbl: str
    row_id: int
    project_id: int
    version: int
    op: str  # 'u' upsert, 'd' tombstone
    data: dict[str, Any] | None


def begin_rebase(conn: Connection) -> None:
    # Rows arrive table by table; foreign keys are checked once, at commit.
    conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")


def apply_to_base(conn: Connection, project_id: int, rows: list[FeedRow], *, full: bool) -> None:
    if full:
        conn.execute(delete(sync_base).where(sync_base.c.project_id == project_id))
    gone = [r for r in rows if r.op == "d"]
    for r in gone:
        conn.execute(delete(sync_base).where(sync_base.c.tbl == r.tbl, sync_base.c.row_id == r.row_id))
    live = [
        {"tbl": r.tbl, "row_id": r.row_id, "project_id": r.project_id, "version": r.version,
         "data": json.dumps(r.data, ensure_ascii=False)}
        for r in rows if r.op != "d" and r.tbl in SYNCED
    ]
    if live:
        stmt = sqlite_insert(sync_base)
        stmt = stmt.on_conflict_do_update(
            index_elements=["tbl", "row_id"],
            set_={c: stmt.excluded[c] for c in ("project_id", "version", "data")},
        )
        conn.execute(stmt, live)


def base_rows(conn: Connection, project_id: int, keys: set[Key] | None = None) -> dict[Key, dict]:
    q = select(sync_base.c.tbl, sync_base.c.row_id, sync_base.c.data)
    if keys is None:
        q = q.where(sync_base.c.project_id == project_id)
        return {(t, i): json.loads(d) for t, i, d in conn.execute(q)}
    out: dict[Key, dict] = {}
    by_tbl: dict[str, list[int]] = defaultdict(list)
    for t, i in keys:
        by_tbl[t].append(i)
    for t, ids in by_tbl.items():
        for k in range(0, len(ids), 500):
            chunk = ids[k : k + 500]
            for tt, i, d in conn.execute(q.where(sync_base.c.tbl == t, sync_base.c.row_id.in_(chunk))):
                out[(tt, i)] = json.loads(d)
    return out


def match_live(conn: Connection, project_id: int, keys: set[Key] | None = None) -> int:
    """Make live rows equal the base: every row of the project (keys None), or just
    `keys`. Returns the number of rows written or deleted."""
    base = base_rows(conn, project_id, keys)
    wanted: dict[str, dict[int, dict]] = defaultdict(dict)
    for (t, i), data in base.items():
        wanted[t][i] = to_columns(t, data)
    if keys is None:
        live = {t: live_rows(conn, t, project_id) for t in SYNCED}
        scope = {t: set(live[t]) | set(wanted[t]) for t in SYNCED}
    else:
        ids: dict[str, list[int]] = defaultdict(list)
        for t, i in keys:
            ids[t].append(i)
        live = {t: live_rows_by_id(conn, t, ids[t]) if ids[t] else {} for t in SYNCED}
        scope = {t: set(ids[t]) for t in SYNCED}
    touched = 0
    for t in reversed(SYNCED):  # children first
        gone = [i for i in scope[t] if i in live[t] and i not in wanted[t]]
        for k in range(0, len(gone), 500):
            touched += conn.execute(delete(table(t)).where(table(t).c.id.in_(gone[k : k + 500]))).rowcount
    writes: dict[str, list[dict]] = {}
    for t in SYNCED:
        rows = [
            values for i, values in wanted[t].items()
            if i in scope[t] and (i not in live[t] or canonical(t, values) != canonical(t, live[t][i]))
        ]
        if rows:
            writes[t] = rows
    _free_unique_values(conn, writes, live)
    _ensure_users(conn, writes.get("project", []))
    for t in SYNCED:
        if t in writes:
            _upsert(conn, t, writes[t])
            touched += len(writes[t])
    return touched


def _free_unique_values(conn: Connection, writes: dict[str, list[dict]], live: dict[str, dict]) -> None:
    """A scene label or an asset number can move between rows (renumbered by the
    server); park the rows that change one on a value nobody uses, so the final
    writes never trip the unique indexes midway."""
    for t, cols, parked in (
        ("scene", ("project_id", "scene_id"), "scene_id"),
        ("asset", ("parents_id", "type", "version"), "parents_id"),
    ):
        ids = [
            r["id"] for r in writes.get(t, [])
            if r["id"] in live[t] and any(r.get(c) != live[t][r["id"]].get(c) for c in cols)
        ]
        for k in range(0, len(ids), 500):
            tb = table(t)
            conn.execute(
                tb.update().where(tb.c.id.in_(ids[k : k + 500])).values({parked: "~" + cast(tb.c.id, Text)})
            )


def _ensure_users(conn: Connection, projects: list[dict]) -> None:
    # project.user_id references users: a teammate's project needs a row for them.
    owners = {p["user_id"] for p in projects if p.get("user_id") is not None}
    if not owners:
        return
    have = set(conn.scalars(select(User.id).where(User.id.in_(owners))))
    for uid in owners - have:
        conn.execute(
            User.__table__.insert().values(id=uid, login_method="password", email=f"user-{uid}@team.invalid")
        )


def _upsert(conn: Connection, t: str, rows: list[dict]) -> None:
    tb = table(t)
    by_shape: dict[tuple[str, ...], list[dict]] = defaultdict(list)
    for r in rows:
        by_shape[tuple(sorted(r))].append(r)
    for shape, group in by_shape.items():
        stmt = sqlite_insert(tb)
        stmt = stmt.on_conflict_do_update(
            index_elements=["id"], set_={c: stmt.excluded[c] for c in shape if c != "id"}
        )
        conn.execute(stmt, group)


def has_pending(conn: Connection, project_id: int) -> bool:
    return conn.scalar(select(func.count()).where(PENDING.c.project_id == project_id)) > 0


def replay_pending(conn: Connection, project_id: int, side: LocalSide) -> int:
    """Re-run this project's queued changes on top of the base, in the order they were
    made. One that no longer fits is skipped here; the server will refuse it on push
    and the person is told then."""
    rows = conn.execute(
        select(PENDING.c.id, PENDING.c.kind, PENDING.c.project_id, cast(PENDING.c.payload, Text))
        .where(PENDING.c.project_id == project_id)
        .order_by(text("pending_change.rowid"))
    ).all()
    done = 0
    for cid, kind, pid, payload in rows:
        try:
            change = changes.parse(cid, kind, pid, payload)
        except changes.BadChange:
            continue
        s = Session(bind=conn, join_transaction_mode="create_savepoint")
        try:
            mutators.apply(s, side, change)
            s.commit()
            done += 1
        except Exception as e:  # noqa: BLE001 - any failure only skips this replay
            log.debug("replay of change %s skipped: %s", cid, e)
            s.rollback()
        finally:
            s.close()
    return done


def sync_counters(conn: Connection, project_id: int) -> None:
    """Keep the local version counters above every number the server handed out, so a
    version made offline next never collides with one pulled."""
    conn.execute(
        text(
            "INSERT INTO asset_version_counter (parents_id, type, last_version) "
            "SELECT parents_id, type, max(version) FROM asset WHERE project_id = :p GROUP BY parents_id, type "
            "ON CONFLICT (parents_id, type) DO UPDATE SET last_version = max(last_version, excluded.last_version)"
        ),
        {"p": project_id},
    )


def mark_synced(conn: Connection, project_id: int, cursor: int) -> None:
    stmt = sqlite_insert(sync_project).values(
        project_id=project_id, mode=SHARED, cursor=cursor, synced_at=datetime.now(UTC)
    )
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=["project_id"],
            set_={"mode": SHARED, "cursor": cursor, "synced_at": stmt.excluded.synced_at},
        )
    )


def drop_project(conn: Connection, project_id: int) -> None:
    """The project is gone from the server (deleted, or no longer shared with us)."""
    conn.execute(delete(sync_base).where(sync_base.c.project_id == project_id))
    conn.execute(delete(table("project")).where(table("project").c.id == project_id))
    conn.execute(delete(sync_project).where(sync_project.c.project_id == project_id))


def base_checksum(conn: Connection, project_id: int) -> tuple[int, int]:
    rows = conn.execute(
        select(sync_base.c.tbl, sync_base.c.row_id, sync_base.c.version).where(sync_base.c.project_id == project_id)
    ).all()
    return checksum([tuple(r) for r in rows])


def live_matches_base_counts(conn: Connection, project_id: int) -> bool:
    """Cheap check that the live tables hold as many rows as the base (the full
    comparison happens when a project is rebased)."""
    counts = dict(
        conn.execute(
            select(sync_base.c.tbl, func.count()).where(sync_base.c.project_id == project_id).group_by(sync_base.c.tbl)
        ).all()
    )
    for t in SYNCED:
        n = conn.scalar(select(func.count()).select_from(table(t)).where(project_filter(t, project_id)))
        if n != counts.get(t, 0):
            return False
    return True
