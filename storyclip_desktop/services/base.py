"""What every service shares: the database, who is acting, ids, and the outbox."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..domain.ids import IdGenerator
from ..store.db import Database
from ..store.models import PendingChange, Project, Scene
from .errors import NotFound


class ServiceBase:
    def __init__(self, db: Database, user_id: int, ids: IdGenerator, *, outbox: bool) -> None:
        self.db = db
        self.user_id = user_id
        self.ids = ids
        self.outbox = outbox

    def _record(self, s: Session, kind: str, project_id: int | None, **payload: object) -> None:
        """Note what the user meant, in the same transaction as its effect, so the sync
        engine can push it later (a crash leaves both or neither)."""
        if self.outbox:
            s.add(
                PendingChange(id=self.ids.next_id(), kind=kind, project_id=project_id, payload=payload)
            )

    def _project(self, s: Session, project_id: int, *, lock: bool = False) -> Project:
        """The user's project; with lock=True, serialise every writer of its scenes (a
        no-op on SQLite, where the transaction already holds the write lock)."""
        q = select(Project).where(Project.id == project_id, Project.user_id == self.user_id)
        if lock and self.db.is_postgres:
            q = q.with_for_update()
        project = s.scalars(q).one_or_none()
        if project is None:
            raise NotFound(f"no project with id {project_id}")
        return project

    def _scene(self, s: Session, project_id: int, scene_id: str) -> Scene:
        self._project(s, project_id)
        q = select(Scene).where(Scene.project_id == project_id, Scene.scene_id == scene_id)
        scene = s.scalars(q).one_or_none()
        if scene is None:
            raise NotFound(f"project {project_id} has no scene {scene_id}")
        return scene
