"""Reading the server's change feed: in one REPEATABLE READ snapshot, the project
versions this person can see, the rows changed past each cursor (or every live row
of a project to resync in full) and the checksums to verify the result against."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine, text

from .replica import FeedRow
from .server_schema import CHECKSUM_SQL


@dataclass
class ProjectPull:
    project_id: int
    version: int
    full: bool
    rows: list[FeedRow] = field(default_factory=list)
    checksum: tuple[int, int] = (0, 0)


@dataclass
class FeedBatch:
    projects: dict[int, ProjectPull]
    visible: set[int]
    checksums: dict[int, tuple[int, int]] = field(default_factory=dict)  # every project asked about


def fetch(
    engine: Engine,
    cursors: dict[int, int],
    *,
    skip: set[int] | None = None,
    full: set[int] | None = None,
) -> FeedBatch:
    """Everything changed since `cursors` ({project: version}); projects not in it are
    new to this replica and come in full, as do those in `full` and those whose
    tombstones were purged past their cursor."""
    skip, full = skip or set(), full or set()
    # One snapshot: every version read and every row fetched agree with each other.
    with engine.connect().execution_options(
        isolation_level="REPEATABLE READ", postgresql_readonly=True
    ) as conn, conn.begin():
        versions = conn.execute(
            text("SELECT project_id, version, purged_through FROM sync_project_version")
        ).all()
        visible = {r.project_id for r in versions}
        wanted: dict[int, ProjectPull] = {}
        for pid, version, purged in versions:
            if pid in skip:
                continue
            cur = cursors.get(pid, 0)
            whole = pid in full or cur == 0 or cur < purged
            if whole or version > cur:
                wanted[pid] = ProjectPull(pid, version, whole)
        incremental = [p for p in wanted.values() if not p.full]
        whole = [p.project_id for p in wanted.values() if p.full]
        rows = []
        if incremental:
            rows += conn.execute(
                text(
                    "SELECT f.tbl, f.row_id, f.project_id, f.version, f.op, f.data FROM sync_feed f "
                    "JOIN unnest(CAST(:pids AS bigint[]), CAST(:curs AS bigint[])) AS c(pid, cur) "
                    "ON f.project_id = c.pid WHERE f.version > c.cur ORDER BY f.project_id, f.version"
                ),
                {"pids": [p.project_id for p in incremental], "curs": [cursors[p.project_id] for p in incremental]},
            ).all()
        if whole:
            rows += conn.execute(
                text(
                    "SELECT tbl, row_id, project_id, version, op, data FROM sync_feed "
                    "WHERE project_id = ANY(CAST(:pids AS bigint[])) AND op <> 'd'"
                ),
                {"pids": whole},
            ).all()
        for r in rows:
            wanted[r.project_id].rows.append(FeedRow(r.tbl, r.row_id, r.project_id, r.version, r.op, r.data))
        sums: dict[int, tuple[int, int]] = {}
        asked = (set(wanted) | set(cursors)) & visible
        if asked:
            for pid, n, total in conn.execute(text(CHECKSUM_SQL), {"pids": list(asked)}):
                sums[pid] = (int(n), int(total))
        for pid, pp in wanted.items():
            pp.checksum = sums.get(pid, (0, 0))
    return FeedBatch(wanted, visible, {pid: sums.get(pid, (0, 0)) for pid in asked})
