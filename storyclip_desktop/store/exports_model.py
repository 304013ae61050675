"""The `video_export` table: every finished video this person exported, so the window can
list them with Play and Show in folder. One row per file that really reached its path."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, DateTime, Double, ForeignKey, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from .models import EMPTY_JSON, Base


class VideoExport(Base):
    __tablename__ = "video_export"
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    project_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("project.id", ondelete="CASCADE"), nullable=False, index=True
    )
    job_id: Mapped[int | None] = mapped_column(BigInteger)  # the export job that made it
    path: Mapped[str] = mapped_column(Text, nullable=False)  # absolute, on the machine that rendered it
    settings: Mapped[dict] = mapped_column(JSON, nullable=False, server_default=EMPTY_JSON)
    duration_s: Mapped[float] = mapped_column(Double, nullable=False)
    size_bytes: Mapped[int] = mapped_column(BigInteger, nullable=False)
    render_s: Mapped[float | None] = mapped_column(Double)  # how long the render took
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.now()
    )
