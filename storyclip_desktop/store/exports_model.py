"""The `video_export` table: every finished video this person exported, so the window can
list them with Play and Show in folder. One row per file that really reached its path."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Double, Text
from sqlalchemy.orm import Mapped, mapped_column

from .models import EMPTY_JSON, Base, created, parent_key, row_id


class VideoExport(Base):
    __tablename__ = "video_export"
    id: Mapped[int] = row_id()
    user_id: Mapped[int] = parent_key("users")
    project_id: Mapped[int] = parent_key("project")
    job_id: Mapped[int | None] = mapped_column(BigInteger)  # the export job that made it
    path: Mapped[str] = mapped_column(Text, nullable=False)  # absolute, on the machine that rendered it
    settings: Mapped[dict] = mapped_column(JSON, nullable=False, server_default=EMPTY_JSON)
    duration_s: Mapped[float] = mapped_column(Double, nullable=False)
    size_bytes: Mapped[int] = mapped_column(BigInteger, nullable=False)
    render_s: Mapped[float | None] = mapped_column(Double)  # how long the render took
    created_at: Mapped[datetime] = created()
