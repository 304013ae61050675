"""The `project_model` table: the exact model id a person chose for one project and
provider kind (Settings › Models, per project). Each person's own choice, as their API
keys are: it is not synced, and a project without a row uses the choice made for every
project (config_dir()/models.json) or the catalogue's default."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, updated


class ProjectModel(Base):
    __tablename__ = "project_model"
    user_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    project_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("project.id", ondelete="CASCADE"), primary_key=True
    )
    provider: Mapped[str] = mapped_column(String(20), primary_key=True)
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)  # text | image | clip | narration
    model: Mapped[str] = mapped_column(String(80), nullable=False)
    updated_at: Mapped[datetime] = updated()
