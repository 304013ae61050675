"""The generation job table (store/jobs_model.py says why each column exists).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

STATES = ("queued", "running", "polling", "downloading", "succeeded", "failed", "cancelled")
KINDS = ("text", "prompt", "image", "clip", "narration")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    tz = sa.DateTime(timezone=True)
    op.create_table(
        "job",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("user_id", sa.BigInteger, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("project_id", sa.BigInteger, sa.ForeignKey("project.id", ondelete="CASCADE"), nullable=False),
        sa.Column("scene_id", sa.String(20)),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("provider", sa.String(20), nullable=False),
        sa.Column("model", sa.String(80), nullable=False, server_default=sa.text("''")),
        sa.Column("request", sa.JSON, nullable=False, server_default=sa.text("'{}'")),
        sa.Column("state", sa.String(12), nullable=False, server_default=sa.text("'queued'")),
        sa.Column("progress", sa.Double, nullable=False, server_default=sa.text("0")),
        sa.Column("attempts", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("remote_task_id", sa.String(200)),
        sa.Column("reservation_key", sa.String(80)),
        sa.Column("error", sa.Text),
        sa.Column("result", sa.JSON),
        sa.Column("owner", sa.String(120)),
        sa.Column("lease_until", sa.Double),
        sa.Column("created_at", tz, nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", tz, nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint(_in("state", STATES), name="ck_job_state_known"),
        sa.CheckConstraint(_in("kind", KINDS), name="ck_job_kind_known"),
    )
    op.create_index("ix_job_user_id", "job", ["user_id"])
    op.create_index("ix_job_project_id", "job", ["project_id"])
    op.create_index("ix_job_state", "job", ["state"])
    # Same updated_at stamping as every other table (see 0001).
    if pg:
        op.execute(
            "CREATE TRIGGER trg_job_updated_at BEFORE UPDATE ON job "
            "FOR EACH ROW EXECUTE FUNCTION storyclip_touch_updated_at()"
        )
    else:
        op.execute(
            "CREATE TRIGGER trg_job_updated_at AFTER UPDATE ON job FOR EACH ROW "
            "WHEN NEW.updated_at IS OLD.updated_at BEGIN "
            "UPDATE job SET updated_at = strftime('%Y-%m-%d %H:%M:%f', 'now') "
            "WHERE id = NEW.id; END"
        )


def downgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    op.execute("DROP TRIGGER IF EXISTS trg_job_updated_at" + (" ON job" if pg else ""))
    op.drop_table("job")
