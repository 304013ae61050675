"""Fixtures for the sync suite: a shared PostgreSQL database made from a template that
is migrated and has the sync schema installed (copying a template is much faster than
migrating each time), and installations = separate SQLite files with their own
Services and SyncEngine."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.conftest import pg_socket_dir

_n = itertools.count()
TEMPLATE = f"sync_tmpl_{os.getpid()}"


def _url(server, name: str) -> str:
    return f"postgresql+psycopg://postgres@/{name}?host={pg_socket_dir(server)}"


@pytest.fixture(scope="session")
def pg_admin(pg_server):  # noqa: ANN001
    """CREATE/DROP DATABASE over one autocommit connection (much faster than psql)."""
    from sqlalchemy import create_engine

    eng = create_engine(_url(pg_server, "postgres"), isolation_level="AUTOCOMMIT")
    yield eng
    eng.dispose()


def admin_sql(eng, sql: str) -> None:  # noqa: ANN001
    with eng.connect() as c:
        c.exec_driver_sql(sql)


@pytest.fixture(scope="session")
def sync_template(pg_server, pg_admin) -> str:  # noqa: ANN001
    from storyclip_desktop.store.db import make_engine, upgrade
    from storyclip_desktop.sync import server_schema

    # One name per fixture instance: tests/ui/test_sync_ui.py registers this fixture
    # again, and the whole suite runs in one process.
    name = f"{TEMPLATE}_{next(_n)}"
    admin_sql(pg_admin, f"CREATE DATABASE {name}")
    engine = make_engine(_url(pg_server, name))
    upgrade(engine)
    with engine.begin() as conn:
        server_schema.install(conn)
    engine.dispose()
    return name


def new_server_db(pg_admin, template: str) -> str:  # noqa: ANN001
    name = f"s_{os.getpid()}_{next(_n)}"
    admin_sql(pg_admin, f"CREATE DATABASE {name} TEMPLATE {template}")
    return name


@pytest.fixture
def server_url(pg_server, pg_admin, sync_template) -> str:  # noqa: ANN001
    name = new_server_db(pg_admin, sync_template)
    url = _url(pg_server, name)
    yield url
    admin_sql(pg_admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def shared_media(tmp_path: Path) -> Path:
    d = tmp_path / "shared-media"
    d.mkdir()
    return d


class Installation:
    """One desktop installation: its own SQLite file, node, services and sync engine."""

    def __init__(self, root: Path, node: int, server_url: str, shared_media: Path, email: str | None = None) -> None:
        from storyclip_desktop.services import Services
        from storyclip_desktop.sync import SyncEngine

        self.url = f"sqlite:///{root / f'install{node}.sqlite3'}"
        self.node = node
        self.sv = Services.open(self.url, node=node, email=email)
        self.engine = SyncEngine(self.sv, server_url, shared_media_dir=shared_media)

    def sync(self):  # noqa: ANN201
        rep = self.engine.sync()
        assert rep.error is None or rep.offline, rep.error
        return rep

    def close(self) -> None:
        self.engine.close()
        self.sv.close()


@pytest.fixture
def installs(tmp_path: Path, server_url: str, shared_media: Path):
    made: list[Installation] = []

    def make(node: int, email: str | None = None) -> Installation:
        inst = Installation(tmp_path, node, server_url, shared_media, email)
        made.append(inst)
        return inst

    yield make
    for inst in made:
        inst.close()


def server_engine(url: str):  # noqa: ANN201
    from storyclip_desktop.store.db import make_engine

    return make_engine(url)


def snapshot_local(sv, project_id: int) -> dict:  # noqa: ANN001
    """A project's rows as comparable plain values (no timestamps)."""
    from storyclip_desktop.sync.rows import SYNCED, canonical, live_rows

    with sv.db.engine.connect() as c:
        return {t: {i: canonical(t, r) for i, r in live_rows(c, t, project_id).items()} for t in SYNCED}


def snapshot_server(url: str, project_id: int) -> dict:
    from storyclip_desktop.sync.rows import SYNCED, canonical, live_rows

    eng = server_engine(url)
    try:
        with eng.connect() as c:
            return {t: {i: canonical(t, r) for i, r in live_rows(c, t, project_id).items()} for t in SYNCED}
    finally:
        eng.dispose()


def server_projects(url: str) -> set[int]:
    eng = server_engine(url)
    try:
        with eng.connect() as c:
            return set(c.scalars(text("SELECT id FROM project")))
    finally:
        eng.dispose()


def local_projects(sv) -> set[int]:  # noqa: ANN001
    from sqlalchemy import select

    from storyclip_desktop.store.models import Project

    with sv.db.sessions() as s:
        return set(s.scalars(select(Project.id)))


def assert_converged(url: str, *insts: Installation) -> None:
    """Every installation holds exactly the server's rows, for every shared project."""
    projects = server_projects(url)
    for inst in insts:
        from sqlalchemy import select

        from storyclip_desktop.sync.tables import LOCAL_ONLY, sync_project

        with inst.sv.db.engine.connect() as c:
            local_only = set(c.scalars(select(sync_project.c.project_id).where(sync_project.c.mode == LOCAL_ONLY)))
        assert local_projects(inst.sv) - local_only == projects, f"install {inst.node} projects differ"
        for pid in projects:
            assert snapshot_local(inst.sv, pid) == snapshot_server(url, pid), f"install {inst.node} project {pid}"
