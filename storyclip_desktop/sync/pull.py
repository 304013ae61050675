"""Pull: bring the feed into the replica, project by project, each in one local
transaction (base rows, live rows, replay of what is still queued, new cursor). Then
check each project against the server's checksum and resync in full on a mismatch."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, select

from . import replica
from .feed import ProjectPull, fetch
from .link import modes
from .mutators.side import LocalSide
from .tables import LOCAL_ONLY, SHARED, sync_base


@dataclass
class PullResult:
    rows: int = 0
    projects: set[int] = field(default_factory=set)
    dropped: set[int] = field(default_factory=set)
    resynced: set[int] = field(default_factory=set)
    seconds: float = 0.0


def pull(server: Engine, local: Engine, side: LocalSide, *, acked: set[int] | None = None) -> PullResult:
    """`acked`: projects whose changes the push just settled (they are rebased even if
    the server sent nothing, so a refused change's local effect is undone)."""
    result = PullResult()
    acked = acked or set()
    mismatched = _round(server, local, side, acked, set(), result)
    if mismatched:
        result.resynced |= mismatched
        _round(server, local, side, set(), mismatched, result)
    return result


def _round(
    server: Engine, local: Engine, side: LocalSide, acked: set[int], full: set[int], result: PullResult
) -> set[int]:
    with local.connect() as c:
        state = modes(c)
        in_base = set(c.scalars(select(sync_base.c.project_id).distinct()))
    cursors = {pid: cur for pid, (mode, cur) in state.items() if mode == SHARED and cur > 0}
    local_only = {pid for pid, (mode, _) in state.items() if mode == LOCAL_ONLY}
    batch = fetch(server, cursors, skip=local_only, full=full)
    mismatched: set[int] = set()
    for pid, pp in batch.projects.items():
        result.rows += len(pp.rows)
        if not _apply_project(local, side, pp, pid in acked):
            mismatched.add(pid)
        result.projects.add(pid)
    # Known here, invisible there: deleted, or no longer shared with this person.
    for pid in (set(cursors) | in_base) - batch.visible:
        with local.begin() as c:
            replica.drop_project(c, pid)
        result.dropped.add(pid)
    # Changes refused without any server row changing: undo their local effects.
    for pid in (acked - set(batch.projects)) & in_base & batch.visible:
        with local.begin() as c:
            replica.begin_rebase(c)
            _rebase(c, pid, side)
    # The sanity check (as Anki does it): every project we hold, not only those that
    # changed, must add up to what the server has; if not, it is fetched whole.
    with local.connect() as c:
        for pid in set(cursors) - set(batch.projects) - result.dropped:
            if pid in batch.checksums and replica.base_checksum(c, pid) != batch.checksums[pid]:
                mismatched.add(pid)
    return mismatched


def _apply_project(local: Engine, side: LocalSide, pp: ProjectPull, acked: bool) -> bool:
    """False when the result does not match the server's checksum."""
    pid = pp.project_id
    with local.begin() as c:
        replica.begin_rebase(c)
        replica.apply_to_base(c, pid, pp.rows, full=pp.full)
        if pp.full and not any(r.tbl == "project" for r in pp.rows):
            replica.drop_project(c, pid)  # its rows are all tombstones: deleted there
            return True
        pending = replica.has_pending(c, pid)
        if pending or acked or pp.full:
            _rebase(c, pid, side)
        else:
            replica.match_live(c, pid, {(r.tbl, r.row_id) for r in pp.rows})
            if not replica.live_matches_base_counts(c, pid):
                replica.match_live(c, pid)
        replica.sync_counters(c, pid)
        replica.mark_synced(c, pid, pp.version)
        return replica.base_checksum(c, pid) == pp.checksum


def _rebase(c: Connection, pid: int, side: LocalSide) -> None:
    replica.match_live(c, pid)
    replica.replay_pending(c, pid, side)
    replica.sync_counters(c, pid)
