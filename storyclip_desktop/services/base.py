"""What every service shares: the database, who is acting, ids, the outbox, and how the
store decides who sees what (`StoreAccess`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from ..domain.ids import IdGenerator
from ..store.db import Database
from ..store.models import PendingChange, Project, Scene
from .errors import Forbidden, NotFound

LOCAL = "local"  # the SQLite file: everything in it is its person's (own + synced shared)
OPEN_PG = "postgres"  # PostgreSQL without the security install (dev/test, a superuser)
SECURED = "secured"  # the team's shared store, as a person: row-level security decides

# What a use case needs of the project it touches (checked on the secured store only).
READ, REVIEW, EDIT, OWN = "read", "review", "edit", "own"
_ROLES_FOR = {
    READ: ("owner", "editor", "reviewer"),
    REVIEW: ("owner", "editor", "reviewer"),
    EDIT: ("owner", "editor"),
    OWN: ("owner",),
}

_WRITING = "storyclip_writing"  # Session.info key: this session is a write transaction
_BUMPED = "storyclip_bumped"  # Session.info key: projects whose version this tx bumped


@dataclass(frozen=True)
class StoreAccess:
    """Decided once per Services (`probe`)."""

    kind: str = LOCAL
    # The sync part's storyclip_sync_bump(project) exists and may be called by us: every
    # project-writing transaction calls it first (docs/shared-mode.md, "Changes").
    sync_bump: bool = False

    @property
    def secured(self) -> bool:
        return self.kind == SECURED

    @property
    def owner_only(self) -> bool:
        """Only an unsecured PostgreSQL filters projects by owner: on SQLite every
        project in the file is its person's, on the secured store RLS decides."""
        return self.kind == OPEN_PG


def probe(db: Database) -> StoreAccess:
    """Which kind of store this is, asked once when the services open."""
    if not db.is_postgres:
        return StoreAccess(LOCAL)
    with db.engine.connect() as c:
        has_security, has_bump, is_super = c.execute(
            text(
                "SELECT to_regprocedure('public.storyclip_current_user_id()') IS NOT NULL, "
                "to_regprocedure('public.storyclip_sync_bump(bigint)') IS NOT NULL, "
                "current_setting('is_superuser') = 'on'"
            )
        ).one()
    if has_security and not is_super:
        return StoreAccess(SECURED, sync_bump=bool(has_bump))
    # A superuser on a secured store is the admin: no RLS applies to them, and the
    # bump (which checks membership) would refuse them; the feed trigger bumps instead.
    return StoreAccess(OPEN_PG, sync_bump=bool(has_bump) and not has_security)


def server_message(e: DBAPIError) -> str:
    """The server's one-line message (never SQLAlchemy's text with the statement)."""
    diag = getattr(e.orig, "diag", None)
    return getattr(diag, "message_primary", None) or type(e.orig).__name__


def sqlstate(e: DBAPIError) -> str | None:
    return getattr(e.orig, "sqlstate", None)


def translate(e: DBAPIError) -> Exception:
    """A refusal of the shared store as a one-line ServiceError; anything else as is."""
    code = sqlstate(e)
    if code == "42501":
        return Forbidden(server_message(e))
    if code == "P0002":
        return NotFound(server_message(e))
    return e


class ServiceBase:
    def __init__(
        self, db: Database, user_id: int, ids: IdGenerator, *, outbox: bool,
        access: StoreAccess | None = None,
    ) -> None:
        self.db = db
        self.user_id = user_id
        self.ids = ids
        self.outbox = outbox
        self.access = access or StoreAccess(OPEN_PG if db.is_postgres else LOCAL)

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        """`Database.transaction()`, marked as writing (so `_project` bumps the project
        version first on the shared store), with the shared store's refusals turned into
        one-line errors."""
        try:
            with self.db.transaction() as s:
                s.info[_WRITING] = True
                yield s
        except DBAPIError as e:
            err = translate(e)
            if err is e:
                raise
            raise err from None
        except StaleDataError:
            if not self.access.secured:
                raise
            # Row-level security filtered the row out of an UPDATE or DELETE.
            raise Forbidden("the shared store refused this change (is the project still shared with you?)") from None

    def _record(self, s: Session, kind: str, project_id: int | None, **payload: object) -> None:
        """Note what the user meant, in the same transaction as its effect, so the sync
        engine can push it later (a crash leaves both or neither)."""
        if self.outbox:
            s.add(
                PendingChange(id=self.ids.next_id(), kind=kind, project_id=project_id, payload=payload)
            )

    def _visible(self) -> list:
        return [Project.user_id == self.user_id] if self.access.owner_only else []

    def _project(self, s: Session, project_id: int, *, lock: bool = False, need: str | None = None) -> Project:
        """The project, if this person may see it. In a write transaction (`need`
        defaults to EDIT there, READ elsewhere) on the shared store: the person's role is
        checked first (a clear "not allowed" instead of a row that silently does not
        change) and the project's sync version is bumped before any row is written or
        locked, so services and the sync apply take their locks in one order. lock=True
        serialises every writer of the project's scenes (SELECT ... FOR UPDATE; a no-op
        on SQLite, where the transaction already holds the write lock): only ever asked
        by editing use cases, since RLS lets only owners and editors lock the row."""
        writing = bool(s.info.get(_WRITING))
        need = need or (EDIT if writing else READ)
        if writing and need != READ:
            self._check_and_bump(s, project_id, need)
        q = select(Project).where(Project.id == project_id, *self._visible())
        if lock and self.db.is_postgres:
            q = q.with_for_update()
        project = s.scalars(q).one_or_none()
        if project is None:
            raise NotFound(f"no project with id {project_id}")
        return project

    def _check_and_bump(self, s: Session, project_id: int, need: str) -> None:
        if not (self.access.secured or self.access.sync_bump):
            return
        done: dict[int, str | None] = s.info.setdefault(_BUMPED, {})  # project -> role
        if project_id not in done:
            if self.access.secured:
                # One round trip: the role, and the bump only for a member (the bump
                # itself refuses anyone else with 42501, which would read as a crash).
                bump = "storyclip_sync_bump(:p)" if self.access.sync_bump else "NULL"
                role, _ = s.execute(
                    text(f"SELECT r, CASE WHEN r IS NOT NULL THEN {bump} END "
                         "FROM (SELECT storyclip_project_role(:p) AS r) x"),
                    {"p": project_id},
                ).one()
                if role is None:
                    raise NotFound(f"no project with id {project_id}")
            else:
                s.execute(text("SELECT storyclip_sync_bump(:p)"), {"p": project_id})
                role = None
            done[project_id] = role
        role = done[project_id]
        if role is not None and role not in _ROLES_FOR[need]:
            raise Forbidden(_refusal(project_id, role, need))

    def _require_role(self, s: Session, project_id: int, need: str) -> None:
        """On the secured store, the person's role in the project must allow `need` (a
        check only, no version bump: for rows the sync does not carry, such as jobs)."""
        if not self.access.secured:
            return
        role = s.execute(text("SELECT storyclip_project_role(:p)"), {"p": project_id}).scalar()
        if role is None:
            raise NotFound(f"no project with id {project_id}")
        if role not in _ROLES_FOR[need]:
            raise Forbidden(_refusal(project_id, role, need))

    def _scene(self, s: Session, project_id: int, scene_id: str, *, need: str | None = None) -> Scene:
        self._project(s, project_id, need=need)
        q = select(Scene).where(Scene.project_id == project_id, Scene.scene_id == scene_id)
        scene = s.scalars(q).one_or_none()
        if scene is None:
            raise NotFound(f"project {project_id} has no scene {scene_id}")
        return scene


def _refusal(project_id: int, role: str, need: str) -> str:
    if need == OWN:
        return f"only the owner of project {project_id} may do that (you are its {role})"
    return f"you are a {role} of project {project_id}; only its owner or an editor may change it"

