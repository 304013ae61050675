"""The `project_character` table: the named people of a project (민지, Jun), each with a
label (C1, C2, ...) that names its reference images' parents_id. Their reference images
are asset rows of type `reference` (services/references.py); which characters appear
in a scene is the `characters` list of its scene_json, so it merges like any field."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, created, parent_key, row_id, updated


class Character(Base):
    __tablename__ = "project_character"
    # Not unique on (project, name) or (project, label): two installations may both add
    # 민지 offline; the server merges them by name and renumbers labels (sync/mutators).
    __table_args__ = (Index("ix_project_character_project_id", "project_id"),)
    id: Mapped[int] = row_id()
    project_id: Mapped[int] = parent_key("project", index=False)
    user_id: Mapped[int] = mapped_column(BigInteger, nullable=False)
    label: Mapped[str] = mapped_column(String(10), nullable=False)
    name: Mapped[str] = mapped_column(String(20), nullable=False)
    created_at: Mapped[datetime] = created()
    updated_at: Mapped[datetime] = updated()
