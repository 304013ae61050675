"""Render: the export records (store/exports_model.py) and "export" as a job kind.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

KINDS_BEFORE = ("text", "prompt", "image", "clip", "narration")
KINDS = (*KINDS_BEFORE, "export")
TRIGGER_SQLITE = (
    "CREATE TRIGGER trg_job_updated_at AFTER UPDATE ON job FOR EACH ROW "
    "WHEN NEW.updated_at IS OLD.updated_at BEGIN "
    "UPDATE job SET updated_at = strftime('%Y-%m-%d %H:%M:%f', 'now') "
    "WHERE id = NEW.id; END"
)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _job_kinds(kinds: tuple[str, ...]) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("ck_job_kind_known", "job", type_="check")
        op.create_check_constraint("ck_job_kind_known", "job", _in("kind", kinds))
        return
    # SQLite cannot alter a CHECK: batch mode rebuilds the table, which drops its trigger.
    op.execute("DROP TRIGGER IF EXISTS trg_job_updated_at")
    # Names go through the metadata's convention exactly as in 0002, so they stay the same.
    with op.batch_alter_table("job", recreate="always") as b:
        b.drop_constraint("ck_job_kind_known", type_="check")
        b.create_check_constraint("ck_job_kind_known", _in("kind", kinds))
    op.execute(TRIGGER_SQLITE)


def upgrade() -> None:
    op.create_table(
        "video_export",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("user_id", sa.BigInteger, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("project_id", sa.BigInteger, sa.ForeignKey("project.id", ondelete="CASCADE"), nullable=False),
        sa.Column("job_id", sa.BigInteger),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("settings", sa.JSON, nullable=False, server_default=sa.text("'{}'")),
        sa.Column("duration_s", sa.Double, nullable=False),
        sa.Column("size_bytes", sa.BigInteger, nullable=False),
        sa.Column("render_s", sa.Double),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("ix_video_export_user_id", "video_export", ["user_id"])
    op.create_index("ix_video_export_project_id", "video_export", ["project_id"])
    _job_kinds(KINDS)


def downgrade() -> None:
    op.execute("DELETE FROM job WHERE kind = 'export'")
    _job_kinds(KINDS_BEFORE)
    op.drop_index("ix_video_export_project_id", table_name="video_export")
    op.drop_index("ix_video_export_user_id", table_name="video_export")
    op.drop_table("video_export")
