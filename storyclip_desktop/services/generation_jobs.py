"""Job rows: the persistent half of the job engine. Every state change is one conditional
UPDATE, so a job that was cancelled (here or in another process) is never overwritten
and a job is only ever run by the engine that holds its claim."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.sql import ColumnElement

from ..domain.providers import label as provider_label
from ..store.jobs_model import Job
from ..store.models import TokenReservation
from .base import EDIT, ServiceBase
from .convert import from_row
from .errors import NotFound

ACTIVE_STATES = ("queued", "running", "polling", "downloading")
TERMINAL_STATES = ("succeeded", "failed", "cancelled")


@dataclass(frozen=True)
class JobSpec:
    """What to make; the provider was chosen when the job was asked for."""

    project_id: int
    scene_id: str | None
    kind: str
    provider: str
    model: str
    request: dict = field(default_factory=dict)


@dataclass(frozen=True)
class JobView:
    id: int
    project_id: int
    scene_id: str | None
    kind: str
    provider: str
    model: str
    request: dict
    state: str
    progress: float
    attempts: int
    remote_task_id: str | None
    reservation_key: str | None
    error: str | None
    result: dict | None
    owner: str | None
    lease_until: float | None
    created_at: datetime | None
    updated_at: datetime | None

    @property
    def provider_label(self) -> str:
        return provider_label(self.provider)

    @property
    def active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def terminal(self) -> bool:
        return self.state in TERMINAL_STATES


def job_view(j: Job) -> JobView:
    return from_row(
        JobView,
        j,
        request=dict(j.request or {}),
        progress=float(j.progress or 0.0),
        result=dict(j.result) if j.result is not None else None,
    )


class JobRecords(ServiceBase):
    """Jobs are this machine's work, not the user's intent: nothing goes to the outbox."""

    def create(self, specs: Iterable[JobSpec]) -> list[int]:
        ids: list[int] = []
        specs = list(specs)
        with self._transaction() as s:
            for project_id in dict.fromkeys(spec.project_id for spec in specs):
                self._require_role(s, project_id, EDIT)  # a reviewer generates nothing
            for spec in specs:
                jid = self.ids.next_id()
                s.add(
                    Job(
                        id=jid, user_id=self.user_id, project_id=spec.project_id,
                        scene_id=spec.scene_id, kind=spec.kind, provider=spec.provider,
                        model=spec.model, request=dict(spec.request), state="queued",
                        progress=0.0, attempts=0,
                    )
                )
                ids.append(jid)
        return ids

    def get(self, job_id: int) -> JobView:
        view = self.find(job_id)
        if view is None:
            raise NotFound(f"no job with id {job_id}")
        return view

    def find(self, job_id: int) -> JobView | None:
        with self.db.sessions() as s:
            row = s.scalars(select(Job).where(Job.id == job_id, Job.user_id == self.user_id)).one_or_none()
            return job_view(row) if row is not None else None

    def many(self, job_ids: Iterable[int]) -> list[JobView]:
        ids = list(job_ids)
        if not ids:
            return []
        with self.db.sessions() as s:
            rows = s.scalars(select(Job).where(Job.id.in_(ids), Job.user_id == self.user_id)).all()
            return [job_view(r) for r in rows]

    def list(
        self,
        project_id: int | None = None,
        *,
        states: Iterable[str] | None = None,
        limit: int = 200,
    ) -> list[JobView]:
        """Newest first."""
        q = select(Job).where(Job.user_id == self.user_id)
        if project_id is not None:
            q = q.where(Job.project_id == project_id)
        if states is not None:
            q = q.where(Job.state.in_(list(states)))
        with self.db.sessions() as s:
            rows = s.scalars(q.order_by(Job.id.desc()).limit(limit)).all()
            return [job_view(r) for r in rows]

    def active_for(self, project_id: int, kind: str) -> dict[str | None, int]:
        """scene label (None for narration) -> id of a job of this kind still running."""
        with self.db.sessions() as s:
            rows = s.execute(
                select(Job.scene_id, Job.id).where(
                    Job.user_id == self.user_id, Job.project_id == project_id,
                    Job.kind == kind, Job.state.in_(ACTIVE_STATES),
                )
            ).all()
            return {scene: jid for scene, jid in rows}

    # ---- claims -------------------------------------------------------------------

    def claim(self, job_id: int, owner: str, lease_until: float, *, expected_owner: str | None) -> JobView | None:
        """Take over an active job whose owner is `expected_owner` (None: nobody). A
        compare-and-swap: two engines resuming the same job cannot both win."""
        cond = Job.owner.is_(None) if expected_owner is None else Job.owner == expected_owner
        with self._transaction() as s:
            done = s.execute(
                update(Job)
                .where(Job.id == job_id, Job.user_id == self.user_id, Job.state.in_(ACTIVE_STATES), cond)
                .values(owner=owner, lease_until=lease_until)
            ).rowcount
            if not done:
                return None
            return job_view(s.get(Job, job_id))

    def renew(self, owner: str, lease_until: float) -> int:
        with self._transaction() as s:
            return s.execute(
                update(Job)
                .where(Job.owner == owner, Job.state.in_(ACTIVE_STATES))
                .values(lease_until=lease_until)
            ).rowcount

    def release(self, owner: str, job_ids: Iterable[int] | None = None) -> int:
        """Give up claims (engine shutdown) so the next engine resumes the jobs at once."""
        q = update(Job).where(Job.owner == owner)
        if job_ids is not None:
            q = q.where(Job.id.in_(list(job_ids)))
        with self._transaction() as s:
            return s.execute(q.values(owner=None, lease_until=None)).rowcount

    def resumable(self) -> list[JobView]:
        return self.list(states=ACTIVE_STATES, limit=10_000)[::-1]

    # ---- transitions --------------------------------------------------------------

    def update(self, job_id: int, owner: str, **values: object) -> bool:
        """Change an active job this engine owns; False when it was cancelled, finished,
        deleted with its project, or taken over meanwhile."""
        return self._update(job_id, Job.owner == owner, values)

    def start(self, job_id: int, owner: str, *, reservation_key: str | None = None) -> bool:
        """queued -> running, counting the attempt (and naming its reservation)."""
        values: dict = {"state": "running", "attempts": Job.attempts + 1, "error": None}
        if reservation_key is not None:
            values["reservation_key"] = reservation_key
        with self._transaction() as s:
            return bool(
                s.execute(
                    update(Job)
                    .where(Job.id == job_id, Job.owner == owner, Job.state == "queued")
                    .values(**values)
                ).rowcount
            )

    def finish(self, job_id: int, owner: str, state: str, **values: object) -> bool:
        if state not in TERMINAL_STATES:
            raise ValueError(f"{state} is not a final state")
        return self._update(job_id, Job.owner == owner, {**values, "state": state, "owner": None, "lease_until": None})

    def cancel(self, job_id: int, message: str | None = None) -> bool:
        """Mark any active job cancelled, whoever runs it; its engine notices and stops."""
        return self._update(
            job_id, None, {"state": "cancelled", "error": message, "owner": None, "lease_until": None}
        )

    def requeue(self, job_id: int, state: str) -> bool:
        """A failed job goes back to `state` (queued, or polling to fetch a paid result again)."""
        with self._transaction() as s:
            return bool(
                s.execute(
                    update(Job)
                    .where(Job.id == job_id, Job.user_id == self.user_id, Job.state == "failed")
                    .values(state=state, error=None, owner=None, lease_until=None, progress=0.0)
                ).rowcount
            )

    def reservation(self, request_key: str) -> tuple[str, int] | None:
        """(state, amount) of a token reservation, or None when it was never made."""
        with self.db.sessions() as s:
            row = s.execute(
                select(TokenReservation.state, TokenReservation.amount).where(
                    TokenReservation.request_key == request_key
                )
            ).first()
            return (row[0], row[1]) if row is not None else None

    def _update(self, job_id: int, owner_cond: ColumnElement[bool] | None, values: dict) -> bool:
        conds = [Job.id == job_id, Job.user_id == self.user_id, Job.state.in_(ACTIVE_STATES)]
        if owner_cond is not None:
            conds.append(or_(owner_cond))
        with self._transaction() as s:
            return bool(s.execute(update(Job).where(*conds).values(**values)).rowcount)
