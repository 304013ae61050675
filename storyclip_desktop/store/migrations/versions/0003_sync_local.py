"""Sync bookkeeping: the scene history (both stores; the server fills it and it travels
through the change feed) and, on the local SQLite store only, the installation's sync
state, per-project cursors, the last known server rows and the report of refused
changes (docs/sync.md).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
NOW = sa.func.now()


def upgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "scene_history",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("project_id", sa.BigInteger, sa.ForeignKey("project.id", ondelete="CASCADE"), nullable=False),
        sa.Column("scene_pk", sa.BigInteger, sa.ForeignKey("scene.id", ondelete="CASCADE"), nullable=False),
        sa.Column("scene_id", sa.String(20), nullable=False),
        sa.Column("field", sa.String(40), nullable=False),
        sa.Column("value", sa.Text),  # the text that lost
        sa.Column("winner", sa.Text),  # the text that was kept instead
        sa.Column("user_id", sa.BigInteger),  # who wrote the losing text
        sa.Column("change_id", sa.BigInteger),
        sa.Column("created_at", TZ, nullable=False, server_default=NOW),
    )
    op.create_index("ix_scene_history_project_id", "scene_history", ["project_id"])
    op.create_index("ix_scene_history_scene_pk", "scene_history", ["scene_pk"])
    if pg:
        return
    op.create_table(
        "sync_state",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("client_id", sa.String(40), nullable=False),
        sa.Column("server_id", sa.String(64)),  # fingerprint of the team server last seen
        sa.Column("server_user_id", sa.BigInteger),
        sa.Column("configured_at", TZ),
        sa.Column("last_sync_at", TZ),
        sa.Column("last_error", sa.Text),
    )
    op.create_table(
        "sync_project",
        sa.Column("project_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("mode", sa.String(10), nullable=False),  # shared | local
        sa.Column("cursor", sa.BigInteger, nullable=False, server_default=sa.text("0")),
        sa.Column("synced_at", TZ),
    )
    op.create_table(
        "sync_base",
        sa.Column("tbl", sa.String(40), primary_key=True),
        sa.Column("row_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("project_id", sa.BigInteger, nullable=False),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
    )
    op.create_index("ix_sync_base_project_id", "sync_base", ["project_id"])
    op.create_table(
        "sync_report",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),  # the change id
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("project_id", sa.BigInteger),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("outcome", sa.String(10), nullable=False),  # refused | notice
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("dismissed", sa.Boolean, nullable=False, server_default=sa.text("0")),
        sa.Column("created_at", TZ, nullable=False, server_default=NOW),
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        for t in ("sync_report", "sync_base", "sync_project", "sync_state"):
            op.drop_table(t)
    op.drop_table("scene_history")
