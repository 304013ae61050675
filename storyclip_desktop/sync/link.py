"""Who this installation is to the team server, and who its person is.

Configuring sync (the first SyncEngine on a local store) gives the installation a
client id and keeps the projects that already exist local: they go to the team only
when published. Projects made afterwards are shared as they are pushed. On every
connection the server says who the person is; the local user row takes that id, so
every installation of one person agrees on owner ids."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, delete, inspect, select, text, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..store.models import Project, User
from .errors import SyncError
from .tables import LOCAL_ONLY, SHARED, sync_base, sync_project, sync_state

if TYPE_CHECKING:
    from ..services.app import Services


@dataclass(frozen=True)
class Identity:
    client_id: str
    server_id: str
    user_id: int
    draw_function: bool  # the security part's storyclip_next_asset_version exists


def ensure_configured(local: Engine) -> str:
    """The installation's client id, creating the sync state on first use."""
    with local.begin() as c:
        row = c.execute(select(sync_state.c.client_id).where(sync_state.c.id == 1)).first()
        if row is not None:
            return row[0]
        client_id = uuid.uuid4().hex
        c.execute(sync_state.insert().values(id=1, client_id=client_id, configured_at=datetime.now(UTC)))
        known = set(c.scalars(select(sync_project.c.project_id)))
        for pid in c.scalars(select(Project.id)):
            if pid not in known:
                c.execute(sync_project.insert().values(project_id=pid, mode=LOCAL_ONLY, cursor=0))
        return client_id


def identify(server: Connection, local: Engine, services: Services, client_id: str, email: str) -> Identity:
    """Ask the server who we are (and remember which server it is)."""
    has = server.execute(
        text(
            "SELECT to_regprocedure('public.storyclip_sync_server_id()') IS NOT NULL, "
            "to_regprocedure('public.storyclip_current_user_id()') IS NOT NULL, "
            "to_regprocedure('public.storyclip_next_asset_version(text,text)') IS NOT NULL"
        )
    ).one()
    if not has[0]:
        raise SyncError("the team server has no sync schema yet; an admin runs `storyclip admin init-shared`")
    server_id = server.execute(text("SELECT storyclip_sync_server_id()")).scalar_one()
    if has[1]:
        user_id = server.execute(text("SELECT storyclip_current_user_id()")).scalar()
        if user_id is None:
            raise SyncError("this database login is not a StoryClip person; ask an admin to add you")
    else:
        user_id = _dev_user(server, email, services.user_id)
    server.execute(
        text(
            "INSERT INTO sync_client (client_id, user_id) VALUES (:c, :u) "
            "ON CONFLICT (client_id) DO UPDATE SET last_seen = now()"
        ),
        {"c": client_id, "u": user_id},
    )
    server.commit()
    _remember_server(local, server_id, user_id)
    adopt_user_id(local, services, user_id)
    return Identity(client_id, server_id, user_id, bool(has[2]))


def _dev_user(server: Connection, email: str, local_id: int) -> int:
    """Without the security part there are no logins to map: people are their email."""
    uid = server.execute(
        text("SELECT id FROM users WHERE email = :e ORDER BY id LIMIT 1"), {"e": email}
    ).scalar()
    if uid is None:
        uid = local_id
        server.execute(
            text("INSERT INTO users (id, login_method, email) VALUES (:i, 'local', :e) ON CONFLICT DO NOTHING"),
            {"i": uid, "e": email},
        )
    return uid


def _remember_server(local: Engine, server_id: str, user_id: int) -> None:
    with local.begin() as c:
        known = c.execute(select(sync_state.c.server_id).where(sync_state.c.id == 1)).scalar()
        if known is not None and known != server_id:
            # Another team's server: what we knew of the old one means nothing here.
            # Its projects stay on this machine as local projects.
            c.execute(delete(sync_base))
            c.execute(update(sync_project).where(sync_project.c.mode == SHARED).values(mode=LOCAL_ONLY, cursor=0))
        c.execute(update(sync_state).where(sync_state.c.id == 1).values(server_id=server_id, server_user_id=user_id))


def adopt_user_id(local: Engine, services: Services, new_id: int) -> None:
    """Re-key the local person to the server's id (rows they own follow), and tell the
    running services."""
    old = services.user_id
    if old == new_id:
        return
    with local.begin() as c:
        c.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        exists = c.scalar(select(User.id).where(User.id == new_id)) is not None
        if not exists:
            c.execute(update(User).where(User.id == old).values(id=new_id))
        for t in _tables_with_user_id(c):
            c.exec_driver_sql(f'UPDATE "{t}" SET user_id = ? WHERE user_id = ?', (new_id, old))
        if exists:
            c.execute(delete(User).where(User.id == old))
    # The services (and each use-case object) cached the old id.
    for obj in (services, *vars(services).values()):
        if getattr(obj, "user_id", None) == old:
            obj.user_id = new_id


def _tables_with_user_id(c: Connection) -> list[str]:
    insp = inspect(c)
    return [t for t in insp.get_table_names() if any(col["name"] == "user_id" for col in insp.get_columns(t))]


def mark_local(c: Connection, project_id: int) -> None:
    stmt = sqlite_insert(sync_project).values(project_id=project_id, mode=LOCAL_ONLY, cursor=0)
    c.execute(stmt.on_conflict_do_update(index_elements=["project_id"], set_={"mode": LOCAL_ONLY, "cursor": 0}))


def modes(c: Connection) -> dict[int, tuple[str, int]]:
    return {r.project_id: (r.mode, r.cursor) for r in c.execute(select(sync_project))}
