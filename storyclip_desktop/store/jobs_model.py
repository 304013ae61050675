"""The `job` table: one row per generation request, so a paid remote task survives a
crash or restart and is polled again instead of being paid for twice."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Double,
    Index,
    Integer,
    String,
    Text,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..domain.job_kinds import JobKind
from .models import EMPTY_JSON, Base, created, parent_key, row_id, updated

JOB_KINDS = tuple(k.value for k in JobKind)
JOB_STATES = ("queued", "running", "polling", "downloading", "succeeded", "failed", "cancelled")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Job(Base):
    __tablename__ = "job"
    __table_args__ = (
        Index("ix_job_state", "state"),
        CheckConstraint(_in("state", JOB_STATES), name="state_known"),
        CheckConstraint(_in("kind", JOB_KINDS), name="kind_known"),
    )
    id: Mapped[int] = row_id()
    user_id: Mapped[int] = parent_key("users")
    project_id: Mapped[int] = parent_key("project")
    scene_id: Mapped[str | None] = mapped_column(String(20))  # editor label; None for narration
    kind: Mapped[str] = mapped_column(String(10), nullable=False)
    provider: Mapped[str] = mapped_column(String(20), nullable=False)
    model: Mapped[str] = mapped_column(String(80), nullable=False, server_default=text("''"))
    request: Mapped[dict] = mapped_column(JSON, nullable=False, server_default=EMPTY_JSON)
    state: Mapped[str] = mapped_column(String(12), nullable=False, server_default=text("'queued'"))
    progress: Mapped[float] = mapped_column(Double, nullable=False, server_default=text("0"))
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
    remote_task_id: Mapped[str | None] = mapped_column(String(200))
    reservation_key: Mapped[str | None] = mapped_column(String(80))
    error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict | None] = mapped_column(JSON)
    # Which engine runs the job ("host:pid:nonce") and until when its claim holds without
    # a heartbeat (epoch seconds), so two processes never run one job at once.
    owner: Mapped[str | None] = mapped_column(String(120))
    lease_until: Mapped[float | None] = mapped_column(Double)
    created_at: Mapped[datetime] = created()
    updated_at: Mapped[datetime] = updated()
