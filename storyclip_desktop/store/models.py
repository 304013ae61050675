"""The seed schema (../shared/seed-schema.md) as SQLAlchemy 2 models, plus the tables the
product needs beside it (docs/schema.md says why each one exists).

The migrations are the source of truth for DDL; these models must match them, which
tests/store/test_schema.py checks on both SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Double,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
}

EMPTY_JSON = text("'{}'")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def row_id() -> Mapped[int]:
    """The bigint key every row gets from the client's id allocator, never the database."""
    return mapped_column(BigInteger, primary_key=True, autoincrement=False)


def parent_key(table: str, *, index: bool = True) -> Mapped[int]:
    """A required link to the row that owns this one; deleting the owner deletes it."""
    return mapped_column(
        BigInteger, ForeignKey(f"{table}.id", ondelete="CASCADE"), nullable=False, index=index
    )


def created() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())


def updated() -> Mapped[datetime]:
    # Set by a trigger on both stores (see the first migration), so raw SQL and every
    # client keep it honest without remembering to.
    return mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = row_id()
    login_method: Mapped[str] = mapped_column(String(10), nullable=False)
    email: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = created()
    updated_at: Mapped[datetime] = updated()


class Project(Base):
    __tablename__ = "project"
    id: Mapped[int] = row_id()
    user_id: Mapped[int] = parent_key("users")
    title: Mapped[str] = mapped_column(String(10), nullable=False)
    description: Mapped[str | None] = mapped_column(String(200))
    script: Mapped[str | None] = mapped_column(String(2000))
    narration_version: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = created()
    updated_at: Mapped[datetime] = updated()


class VideoPreference(Base):
    __tablename__ = "video_preference"
    id: Mapped[int] = row_id()
    project_id: Mapped[int] = parent_key("project")
    image_gen_model: Mapped[str] = mapped_column(
        String(50), nullable=False, server_default=text("'Gemini'")
    )
    video_gen_model: Mapped[str] = mapped_column(
        String(50), nullable=False, server_default=text("'Seedance'")
    )
    voice_gen_model: Mapped[str] = mapped_column(
        String(50), nullable=False, server_default=text("'Bin'")
    )
    stability: Mapped[float] = mapped_column(Double, nullable=False, server_default=text("0.5"))
    resolution: Mapped[str] = mapped_column(String(10), nullable=False, server_default=text("'480p'"))
    ratio: Mapped[str] = mapped_column(String(10), nullable=False, server_default=text("'9:16'"))
    custom_style: Mapped[str | None] = mapped_column(String(200))
    split_rule: Mapped[str | None] = mapped_column(String(1200))
    created_at: Mapped[datetime] = created()
    updated_at: Mapped[datetime] = updated()


class Token(Base):
    __tablename__ = "token"
    __table_args__ = (
        Index("ix_token_user_id_type", "user_id", "type", unique=True),
        CheckConstraint('usage >= 0 AND usage <= "limit"', name="usage_within_limit"),
    )
    id: Mapped[int] = row_id()
    user_id: Mapped[int] = parent_key("users", index=False)
    type: Mapped[str] = mapped_column(String(10), nullable=False)
    usage: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("0"))
    limit: Mapped[int] = mapped_column("limit", Integer, nullable=False)
    created_at: Mapped[datetime] = created()
    updated_at: Mapped[datetime] = updated()


class Scene(Base):
    __tablename__ = "scene"
    __table_args__ = (
        Index("uq_scene_project_id_scene_id", "project_id", "scene_id", unique=True),
    )
    id: Mapped[int] = row_id()
    project_id: Mapped[int] = parent_key("project")
    user_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    # varchar(16), not the seed's 15: 'prompt_confirmed' is 16 characters (docs/schema.md).
    status: Mapped[str] = mapped_column(String(16), nullable=False, server_default=text("'init'"))
    scene_id: Mapped[str] = mapped_column(String(20), nullable=False, index=True)
    scene_json: Mapped[dict] = mapped_column(JSON, nullable=False, server_default=EMPTY_JSON)
    image_version: Mapped[int | None] = mapped_column(Integer)
    clip_version: Mapped[int | None] = mapped_column(Integer)
    order: Mapped[int] = mapped_column("order", Integer, nullable=False)
    no_subject: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=text("false"))
    created_at: Mapped[datetime] = created()
    updated_at: Mapped[datetime] = updated()


class Asset(Base):
    __tablename__ = "asset"
    __table_args__ = (
        Index("ix_asset_parents_id_type_version", "parents_id", "type", "version", unique=True),
    )
    id: Mapped[int] = row_id()
    parents_id: Mapped[str] = mapped_column(String(30), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, server_default=text("1"))
    user_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    type: Mapped[str] = mapped_column(String(10), nullable=False)
    storage_url: Mapped[str] = mapped_column(String(300), nullable=False)
    metadata_: Mapped[dict] = mapped_column(
        "metadata", JSON, nullable=False, server_default=EMPTY_JSON
    )
    created_at: Mapped[datetime] = created()
    updated_at: Mapped[datetime] = updated()
    # Beside the seed: parents_id is a composite string and cannot be a real foreign key,
    # so this column carries the project link for cascading deletes and row security.
    project_id: Mapped[int] = parent_key("project")


# ---- beside the seed -------------------------------------------------------------


class AssetVersionCounter(Base):
    """Hands out version numbers: one UPSERT ... RETURNING per new asset, so two
    concurrent generations never race on max(version)+1."""

    __tablename__ = "asset_version_counter"
    parents_id: Mapped[str] = mapped_column(String(30), primary_key=True)
    type: Mapped[str] = mapped_column(String(10), primary_key=True)
    last_version: Mapped[int] = mapped_column(Integer, nullable=False)


class SceneReview(Base):
    """What reviewers said: each confirm and reject, with its comment, kept with the scene."""

    __tablename__ = "scene_review"
    id: Mapped[int] = row_id()
    scene_pk: Mapped[int] = parent_key("scene")
    user_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    action: Mapped[str] = mapped_column(String(20), nullable=False)
    from_status: Mapped[str] = mapped_column(String(16), nullable=False)
    to_status: Mapped[str] = mapped_column(String(16), nullable=False)
    comment: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = created()


class TokenReservation(Base):
    """Ledger of reservations, keyed by an idempotency key so a retried reservation is
    never counted twice and a crash can be settled later."""

    __tablename__ = "token_reservation"
    __table_args__ = (UniqueConstraint("request_key", name="uq_token_reservation_request_key"),)
    id: Mapped[int] = row_id()
    token_id: Mapped[int] = parent_key("token")
    request_key: Mapped[str] = mapped_column(String(80), nullable=False)
    amount: Mapped[int] = mapped_column(Integer, nullable=False)
    charged: Mapped[int | None] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(10), nullable=False)  # reserved|committed|refunded
    created_at: Mapped[datetime] = created()
    updated_at: Mapped[datetime] = updated()


class PendingChange(Base):
    """Outbox: every local write records what the user meant, in the same transaction,
    so the sync engine can push it later. Unused on the shared store."""

    __tablename__ = "pending_change"
    id: Mapped[int] = row_id()
    kind: Mapped[str] = mapped_column(String(40), nullable=False)
    project_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    payload: Mapped[dict] = mapped_column(JSON, nullable=False, server_default=EMPTY_JSON)
    state: Mapped[str] = mapped_column(String(10), nullable=False, server_default=text("'pending'"))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = created()
