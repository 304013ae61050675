"""Characters of a project (store/characters_model.py). Their reference images are
asset rows of type 'reference' and need no table of their own.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    tz = sa.DateTime(timezone=True)
    op.create_table(
        "project_character",
        sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column(
            "project_id", sa.BigInteger,
            sa.ForeignKey("project.id", ondelete="CASCADE", name="fk_project_character_project_id_project"),
            nullable=False,
        ),
        sa.Column("user_id", sa.BigInteger, nullable=False),
        sa.Column("label", sa.String(10), nullable=False),
        sa.Column("name", sa.String(20), nullable=False),
        sa.Column("created_at", tz, nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", tz, nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("id", name="pk_project_character"),
    )
    op.create_index("ix_project_character_project_id", "project_character", ["project_id"])
    # Same updated_at stamping as every other table (see 0001).
    if pg:
        op.execute(
            "CREATE TRIGGER trg_project_character_updated_at BEFORE UPDATE ON project_character "
            "FOR EACH ROW EXECUTE FUNCTION storyclip_touch_updated_at()"
        )
    else:
        op.execute(
            "CREATE TRIGGER trg_project_character_updated_at AFTER UPDATE ON project_character "
            "FOR EACH ROW WHEN NEW.updated_at IS OLD.updated_at BEGIN "
            "UPDATE project_character SET updated_at = strftime('%Y-%m-%d %H:%M:%f', 'now') "
            "WHERE id = NEW.id; END"
        )


def downgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    op.execute(
        "DROP TRIGGER IF EXISTS trg_project_character_updated_at" + (" ON project_character" if pg else "")
    )
    op.drop_index("ix_project_character_project_id", "project_character")
    op.drop_table("project_character")
