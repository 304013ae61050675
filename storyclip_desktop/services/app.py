"""The one entry to the use cases, shared by the window and the CLI."""

from __future__ import annotations

import os

from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from ..config import LOCAL_EMAIL, Settings, database_url
from ..domain import validation as v
from ..domain.ids import IdGenerator
from ..store.db import Database, current_revision, head_revision, migration_files, upgrade
from ..store.models import User
from .assets import AssetService
from .base import StoreAccess, probe
from .errors import ServiceError
from .export import ExportService
from .generation import GenerationService
from .handoff import HandoffService
from .models import ModelChoiceService
from .ordering import OrderingService
from .preferences import PreferenceService
from .projects import ProjectService
from .references import ReferenceService
from .render_plan import RenderPlanService
from .reviews import ReviewService
from .scenes import SceneService
from .tokens import TokenService


class Services:
    def __init__(
        self, db: Database, *, node: int, email: str | None = None, access: StoreAccess | None = None
    ) -> None:
        self.db = db
        self.ids = IdGenerator(node)
        # Which store this is, asked once: the local file, an unsecured PostgreSQL, or the
        # team's secured store as a person (row-level security and definer functions).
        self.access = access or probe(db)
        if self.access.secured:
            # The server says who this login is; a person may not write users rows.
            self.user_id, self.email = self._person()
        else:
            self.email = v.email(email or os.environ.get("STORYCLIP_USER_EMAIL") or LOCAL_EMAIL)
            self.user_id = self._ensure_user(self.email)
        # Only the local store queues changes for sync; the shared store is the truth.
        args = (db, self.user_id, self.ids)
        kw = {"outbox": not db.is_postgres, "access": self.access}
        self.projects = ProjectService(*args, **kw)
        self.preferences = PreferenceService(*args, **kw)
        self.scenes = SceneService(*args, **kw)
        self.ordering = OrderingService(*args, **kw)
        self.reviews = ReviewService(*args, **kw)
        self.assets = AssetService(*args, **kw)
        self.tokens = TokenService(*args, **kw)
        self.references = ReferenceService(*args, scenes=self.scenes, assets=self.assets, **kw)
        self.tokens.ensure_rows()  # a no-op on the secured store: add-user made them
        # Each person's own model choices: never queued for sync.
        self.models = ModelChoiceService(*args, outbox=False, access=self.access)
        self.generation = GenerationService(self)
        self.render_plan = RenderPlanService(self)
        self.exports = ExportService(self)
        self.handoff = HandoffService(self)

    @classmethod
    def open(cls, url: str | None = None, *, node: int | None = None, email: str | None = None) -> Services:
        """Open (creating and migrating on first use) the configured store. A person on
        the secured shared store never migrates it: that is the admin's init-shared."""
        db = Database.open(url or database_url(), migrate=False)
        try:
            access = probe(db)
            _up_to_date(db, access)
            return cls(db, node=node if node is not None else Settings.load().node, email=email, access=access)
        except BaseException:
            db.dispose()
            raise

    @property
    def store_kind(self) -> str:
        return "shared" if self.db.is_postgres else "local"

    def close(self) -> None:
        self.db.dispose()

    def _person(self) -> tuple[int, str]:
        try:
            with self.db.sessions() as s:
                uid = s.execute(text("SELECT storyclip_current_user_id()")).scalar()
                email = s.scalar(select(User.email).where(User.id == uid)) if uid is not None else None
        except DBAPIError:
            uid = None  # not even allowed to ask: not a StoryClip login
        if uid is None:
            raise ServiceError(
                "this database login is not a StoryClip person; ask the admin to add you "
                "(`storyclip admin add-user`)"
            )
        return uid, email or LOCAL_EMAIL

    def _ensure_user(self, email: str) -> int:
        with self.db.transaction() as s:
            uid = s.scalar(select(User.id).where(User.email == email).order_by(User.id).limit(1))
            if uid is None:
                method = "local" if email == LOCAL_EMAIL else "password"
                uid = self.ids.next_id()
                s.add(User(id=uid, login_method=method, email=email))
            return uid


def _up_to_date(db: Database, access: StoreAccess) -> None:
    """Migrate the local file or an unsecured PostgreSQL; on the secured store only say
    what to do (a person has no right to change the schema, and init-shared must run
    after every migration anyway)."""
    have, need = current_revision(db.engine), head_revision()
    if have == need:
        return
    if not access.secured:
        upgrade(db.engine)
        return
    known = {f.name.split("_", 1)[0] for f in migration_files()}
    if have is not None and have not in known:
        raise ServiceError(
            f"the shared store's schema ({have}) is newer than this StoryClip knows; update StoryClip"
        )
    raise ServiceError(
        f"the shared store's schema is at {have or 'nothing'} but this StoryClip needs {need}; "
        "ask the admin to run `storyclip admin init-shared`"
    )
