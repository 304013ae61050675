"""The one entry to the use cases, shared by the window and the CLI."""

from __future__ import annotations

import os

from sqlalchemy import select

from ..config import LOCAL_EMAIL, Settings, database_url
from ..domain import validation as v
from ..domain.ids import IdGenerator
from ..store.db import Database
from ..store.models import User
from .assets import AssetService
from .generation import GenerationService
from .ordering import OrderingService
from .preferences import PreferenceService
from .projects import ProjectService
from .reviews import ReviewService
from .scenes import SceneService
from .tokens import TokenService


class Services:
    def __init__(self, db: Database, *, node: int, email: str | None = None) -> None:
        self.db = db
        self.ids = IdGenerator(node)
        self.email = v.email(email or os.environ.get("STORYCLIP_USER_EMAIL") or LOCAL_EMAIL)
        self.user_id = self._ensure_user(self.email)
        # Only the local store queues changes for sync; the shared store is the truth.
        args = (db, self.user_id, self.ids)
        kw = {"outbox": not db.is_postgres}
        self.projects = ProjectService(*args, **kw)
        self.preferences = PreferenceService(*args, **kw)
        self.scenes = SceneService(*args, **kw)
        self.ordering = OrderingService(*args, **kw)
        self.reviews = ReviewService(*args, **kw)
        self.assets = AssetService(*args, **kw)
        self.tokens = TokenService(*args, **kw)
        self.tokens.ensure_rows()
        self.generation = GenerationService(self)

    @classmethod
    def open(cls, url: str | None = None, *, node: int | None = None, email: str | None = None) -> Services:
        """Open (creating and migrating on first use) the configured store."""
        db = Database.open(url or database_url())
        return cls(db, node=node if node is not None else Settings.load().node, email=email)

    @property
    def store_kind(self) -> str:
        return "shared" if self.db.is_postgres else "local"

    def close(self) -> None:
        self.db.dispose()

    def _ensure_user(self, email: str) -> int:
        with self.db.transaction() as s:
            uid = s.scalar(select(User.id).where(User.email == email).order_by(User.id).limit(1))
            if uid is None:
                method = "local" if email == LOCAL_EMAIL else "password"
                uid = self.ids.next_id()
                s.add(User(id=uid, login_method=method, email=email))
            return uid
