"""The tables migration 0003 adds. `scene_history` lives on both stores (the server
writes it, the feed carries it), so it is an ORM model on the shared metadata; the
sync bookkeeping exists on the local SQLite store only and has its own metadata, so
nothing that walks `Base.metadata` expects it on PostgreSQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from ..store.models import Base


class SceneHistory(Base):
    """A text that lost a same-field conflict, kept so a person can bring it back."""

    __tablename__ = "scene_history"
    __table_args__ = {"extend_existing": True}
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    project_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("project.id", ondelete="CASCADE"), nullable=False, index=True
    )
    scene_pk: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("scene.id", ondelete="CASCADE"), nullable=False, index=True
    )
    scene_id: Mapped[str] = mapped_column(String(20), nullable=False)
    field: Mapped[str] = mapped_column(String(40), nullable=False)
    value: Mapped[str | None] = mapped_column(Text)
    winner: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(BigInteger)
    change_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )


LOCAL = MetaData()
TZ = DateTime(timezone=True)

sync_state = Table(
    "sync_state",
    LOCAL,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("client_id", String(40), nullable=False),
    Column("server_id", String(64)),
    Column("server_user_id", BigInteger),
    Column("configured_at", TZ),
    Column("last_sync_at", TZ),
    Column("last_error", Text),
)

sync_project = Table(
    "sync_project",
    LOCAL,
    Column("project_id", BigInteger, primary_key=True, autoincrement=False),
    Column("mode", String(10), nullable=False),
    Column("cursor", BigInteger, nullable=False, server_default=text("0")),
    Column("synced_at", TZ),
)

sync_base = Table(
    "sync_base",
    LOCAL,
    Column("tbl", String(40), primary_key=True),
    Column("row_id", BigInteger, primary_key=True, autoincrement=False),
    Column("project_id", BigInteger, nullable=False),
    Column("version", BigInteger, nullable=False),
    Column("data", Text, nullable=False),
)

sync_report = Table(
    "sync_report",
    LOCAL,
    Column("id", BigInteger, primary_key=True, autoincrement=False),
    Column("kind", String(40), nullable=False),
    Column("project_id", BigInteger),
    Column("payload", Text, nullable=False),
    Column("outcome", String(10), nullable=False),
    Column("message", Text, nullable=False),
    Column("dismissed", Boolean, nullable=False, server_default=text("0")),
    Column("created_at", TZ, nullable=False, server_default=func.now()),
)

SHARED = "shared"
LOCAL_ONLY = "local"
