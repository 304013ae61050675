"""The seed schema, and what the product needs beside it (docs/schema.md).

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)
NOW = sa.func.now()
EMPTY = sa.text("'{}'")
# The seed says varchar(15), but its own status 'prompt_confirmed' has 16 characters and
# PostgreSQL refuses it. Widened by one, the only seed length changed (docs/schema.md).
STATUS_LEN = 16

SEED_TABLES = ("users", "project", "video_preference", "token", "scene", "asset")
STAMPED = (*SEED_TABLES, "token_reservation")


def _stamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", TZ, nullable=False, server_default=NOW),
        sa.Column("updated_at", TZ, nullable=False, server_default=NOW),
    ]


def upgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"

    op.create_table(
        "users",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("login_method", sa.String(10), nullable=False),
        sa.Column("email", sa.Text, nullable=False),
        *_stamps(),
    )
    op.create_table(
        "project",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("user_id", sa.BigInteger, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("title", sa.String(10), nullable=False),
        sa.Column("description", sa.String(200)),
        sa.Column("script", sa.String(2000)),
        sa.Column("narration_version", sa.Integer),
        *_stamps(),
    )
    op.create_index("ix_project_user_id", "project", ["user_id"])
    op.create_table(
        "video_preference",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("project_id", sa.BigInteger, sa.ForeignKey("project.id", ondelete="CASCADE"), nullable=False),
        sa.Column("image_gen_model", sa.String(50), nullable=False, server_default=sa.text("'Gemini'")),
        sa.Column("video_gen_model", sa.String(50), nullable=False, server_default=sa.text("'Seedance'")),
        sa.Column("voice_gen_model", sa.String(50), nullable=False, server_default=sa.text("'Bin'")),
        sa.Column("stability", sa.Double, nullable=False, server_default=sa.text("0.5")),
        sa.Column("resolution", sa.String(10), nullable=False, server_default=sa.text("'480p'")),
        sa.Column("ratio", sa.String(10), nullable=False, server_default=sa.text("'9:16'")),
        sa.Column("custom_style", sa.String(200)),
        sa.Column("split_rule", sa.String(1200)),
        *_stamps(),
    )
    op.create_index("ix_video_preference_project_id", "video_preference", ["project_id"])
    op.create_table(
        "token",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("user_id", sa.BigInteger, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("type", sa.String(10), nullable=False),
        sa.Column("usage", sa.Integer, nullable=False, server_default=sa.text("0")),
        sa.Column("limit", sa.Integer, nullable=False),
        *_stamps(),
        # Backstop for the conditional UPDATE that reserves tokens: never overspent.
        sa.CheckConstraint('usage >= 0 AND usage <= "limit"', name="usage_within_limit"),
    )
    op.create_index("ix_token_user_id_type", "token", ["user_id", "type"], unique=True)
    op.create_table(
        "scene",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("project_id", sa.BigInteger, sa.ForeignKey("project.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", sa.BigInteger, nullable=False),
        sa.Column("status", sa.String(STATUS_LEN), nullable=False, server_default=sa.text("'init'")),
        sa.Column("scene_id", sa.String(20), nullable=False),
        sa.Column("scene_json", sa.JSON, nullable=False, server_default=EMPTY),
        sa.Column("image_version", sa.Integer),
        sa.Column("clip_version", sa.Integer),
        sa.Column("order", sa.Integer, nullable=False),
        sa.Column("no_subject", sa.Boolean, nullable=False, server_default=sa.text("false")),
        *_stamps(),
    )
    op.create_index("ix_scene_project_id", "scene", ["project_id"])
    op.create_index("ix_scene_scene_id", "scene", ["scene_id"])
    op.create_index("uq_scene_project_id_scene_id", "scene", ["project_id", "scene_id"], unique=True)
    if pg:
        # Checked at commit, so one UPDATE can permute positions; a duplicate position
        # can never be committed, whatever two clients do at once.
        op.execute(
            'ALTER TABLE scene ADD CONSTRAINT uq_scene_project_id_order '
            'UNIQUE (project_id, "order") DEFERRABLE INITIALLY DEFERRED'
        )
    op.create_table(
        "asset",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("parents_id", sa.String(30), nullable=False),
        sa.Column("version", sa.Integer, nullable=False, server_default=sa.text("1")),
        sa.Column("user_id", sa.BigInteger, nullable=False),
        sa.Column("type", sa.String(10), nullable=False),
        sa.Column("storage_url", sa.String(300), nullable=False),
        sa.Column("metadata", sa.JSON, nullable=False, server_default=EMPTY),
        *_stamps(),
        sa.Column("project_id", sa.BigInteger, sa.ForeignKey("project.id", ondelete="CASCADE"), nullable=False),
    )
    op.create_index(
        "ix_asset_parents_id_type_version", "asset", ["parents_id", "type", "version"], unique=True
    )
    op.create_index("ix_asset_project_id", "asset", ["project_id"])

    op.create_table(
        "asset_version_counter",
        sa.Column("parents_id", sa.String(30), primary_key=True),
        sa.Column("type", sa.String(10), primary_key=True),
        sa.Column("last_version", sa.Integer, nullable=False),
    )
    op.create_table(
        "scene_review",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("scene_pk", sa.BigInteger, sa.ForeignKey("scene.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", sa.BigInteger, nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("from_status", sa.String(STATUS_LEN), nullable=False),
        sa.Column("to_status", sa.String(STATUS_LEN), nullable=False),
        sa.Column("comment", sa.String(1000)),
        sa.Column("created_at", TZ, nullable=False, server_default=NOW),
    )
    op.create_index("ix_scene_review_scene_pk", "scene_review", ["scene_pk"])
    op.create_table(
        "token_reservation",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("token_id", sa.BigInteger, sa.ForeignKey("token.id", ondelete="CASCADE"), nullable=False),
        sa.Column("request_key", sa.String(80), nullable=False),
        sa.Column("amount", sa.Integer, nullable=False),
        sa.Column("charged", sa.Integer),
        sa.Column("state", sa.String(10), nullable=False),
        *_stamps(),
        sa.UniqueConstraint("request_key", name="uq_token_reservation_request_key"),
    )
    op.create_index("ix_token_reservation_token_id", "token_reservation", ["token_id"])
    op.create_table(
        "pending_change",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("project_id", sa.BigInteger),
        sa.Column("payload", sa.JSON, nullable=False, server_default=EMPTY),
        sa.Column("state", sa.String(10), nullable=False, server_default=sa.text("'pending'")),
        sa.Column("error", sa.Text),
        sa.Column("created_at", TZ, nullable=False, server_default=NOW),
    )
    op.create_index("ix_pending_change_project_id", "pending_change", ["project_id"])

    _updated_at_triggers(pg)


def _updated_at_triggers(pg: bool) -> None:
    if pg:
        op.execute(
            """
            CREATE FUNCTION storyclip_touch_updated_at() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                NEW.updated_at := now();
                RETURN NEW;
            END $$
            """
        )
        for t in STAMPED:
            op.execute(
                f"CREATE TRIGGER trg_{t}_updated_at BEFORE UPDATE ON {t} "
                "FOR EACH ROW EXECUTE FUNCTION storyclip_touch_updated_at()"
            )
        return
    # SQLite has no BEFORE-row assignment: stamp after, unless the statement set it.
    for t in STAMPED:
        op.execute(
            f"CREATE TRIGGER trg_{t}_updated_at AFTER UPDATE ON {t} FOR EACH ROW "
            "WHEN NEW.updated_at IS OLD.updated_at BEGIN "
            f"UPDATE {t} SET updated_at = strftime('%Y-%m-%d %H:%M:%f', 'now') "
            "WHERE id = NEW.id; END"
        )


def downgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    for t in STAMPED:
        op.execute(f"DROP TRIGGER IF EXISTS trg_{t}_updated_at" + (f" ON {t}" if pg else ""))
    if pg:
        op.execute("DROP FUNCTION IF EXISTS storyclip_touch_updated_at()")
    for t in (
        "pending_change",
        "token_reservation",
        "scene_review",
        "asset_version_counter",
        "asset",
        "scene",
        "token",
        "video_preference",
        "project",
        "users",
    ):
        op.drop_table(t)
