"""What the person is told: changes the server refused (with the reason) and notices
about applied ones (their text lost a conflict, a scene got another label). Read by
`storyclip sync` and by the window."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Engine, func, select, update

from .tables import sync_report

if TYPE_CHECKING:
    from ..services.app import Services

def _engine(store: Engine | Services) -> Engine:
    """The CLI and the window hand over their services; the sync layer alone knows
    these rows live in the local store's engine."""
    return store if isinstance(store, Engine) else store.db.engine


@dataclass(frozen=True)
class ReportedChange:
    change_id: int
    kind: str
    project_id: int | None
    outcome: str  # refused | notice
    message: str
    payload: dict
    created_at: datetime | None


def reported(store: Engine | Services, *, outcome: str | None = "refused", include_dismissed: bool = False) -> list[ReportedChange]:
    q = select(sync_report).order_by(sync_report.c.created_at, sync_report.c.id)
    if outcome is not None:
        q = q.where(sync_report.c.outcome == outcome)
    if not include_dismissed:
        q = q.where(sync_report.c.dismissed.is_(False))
    with _engine(store).connect() as c:
        return [
            ReportedChange(r.id, r.kind, r.project_id, r.outcome, r.message, _payload(r.payload), r.created_at)
            for r in c.execute(q)
        ]


def count(store: Engine | Services, outcome: str = "refused") -> int:
    with _engine(store).connect() as c:
        return c.scalar(
            select(func.count()).where(sync_report.c.outcome == outcome, sync_report.c.dismissed.is_(False))
        )


def dismiss(store: Engine | Services, change_id: int) -> bool:
    """The person has read it; it stays on record but is no longer shown."""
    with _engine(store).begin() as c:
        return c.execute(update(sync_report).where(sync_report.c.id == change_id).values(dismissed=True)).rowcount > 0


def _payload(raw: str) -> dict:
    try:
        value = json.loads(raw)
    except ValueError:
        return {"raw": raw[:200]}
    return value if isinstance(value, dict) else {"raw": value}
