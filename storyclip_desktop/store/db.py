"""Engines and transactions for both stores.

SQLite: WAL, foreign keys on, and every transaction begins IMMEDIATE so a read-then-
write (a move, a reservation) holds the write lock from its first read. PostgreSQL:
READ COMMITTED, with row locks taken explicitly where a use case needs them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")


class StoreUnreachable(Exception):
    """The shared store did not answer (server down, network cut). One line that names
    the server, never the password; nothing was written."""

    def __init__(self, where: str) -> None:
        self.message = f"the shared store at {where} is unreachable; nothing was saved, try again"
        super().__init__(self.message)


def make_engine(url: str, **kw: object) -> Engine:
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:":
            Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(u, connect_args={"timeout": 30}, **kw)
        _sqlite_setup(engine)
        return engine
    if u.get_backend_name() == "postgresql" and u.drivername == "postgresql":
        u = u.set(drivername="postgresql+psycopg")
    if u.get_backend_name() == "postgresql":
        from .network import libpq_bounds, server_options

        given = dict(kw.get("connect_args") or {})  # type: ignore[call-overload]
        # libpq reads one `options`: the URL's, these bounds, then the caller's.
        in_url = u.query.get("options") or ""
        in_url = in_url if isinstance(in_url, str) else " ".join(in_url)
        options = " ".join(o for o in (in_url, server_options(), str(given.pop("options", ""))) if o)
        kw["connect_args"] = {**libpq_bounds(), **given, "options": options}
    kw.setdefault("pool_pre_ping", True)
    return create_engine(u, **kw)


def _unreachable_as_one_error(engine: Engine, where: str) -> None:
    """A lost or refused connection becomes StoreUnreachable, so the services and the
    window tell "the server is gone" apart from a refused statement without knowing the
    driver. (The sync engine's own connections keep the driver's errors: it classifies
    them itself, sync/errors.py.)"""

    @event.listens_for(engine, "handle_error")
    def _handle(ctx) -> None:  # noqa: ANN001
        if ctx.is_pre_ping:  # the pool retries with a fresh connection first
            return
        # A refused login answers with an SQLSTATE (28P01); a server that is not there
        # has none.
        refused = getattr(ctx.original_exception, "sqlstate", None) is not None
        connecting = ctx.connection is None and isinstance(ctx.sqlalchemy_exception, OperationalError)
        if ctx.is_disconnect or (connecting and not refused):
            raise StoreUnreachable(where) from ctx.original_exception


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record) -> None:  # noqa: ANN001
        dbapi_conn.isolation_level = None  # let us issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn) -> None:  # noqa: ANN001
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


# Alembic is imported only when a migration runs: it adds ~100 ms to every start-up.
def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    from alembic import command

    command.downgrade(alembic_config(engine), revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def migration_files() -> list[Path]:
    return sorted((MIGRATIONS / "versions").glob("[0-9]*.py"))


def head_revision() -> str:
    """The newest migration, by the numbered file names (checked against Alembic's own
    view by tests/store/test_schema.py), so a normal start never loads Alembic."""
    return migration_files()[-1].name.split("_", 1)[0] if migration_files() else ""


class Database:
    """An engine with a session factory; `transaction()` is the one way to write."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions = sessionmaker(engine, expire_on_commit=False)
        if is_postgres(engine):
            _unreachable_as_one_error(engine, engine.url.host or "the local socket")

    @classmethod
    def open(cls, url: str, *, migrate: bool = True) -> Database:
        engine = make_engine(url)
        if migrate and current_revision(engine) != head_revision():
            upgrade(engine)
        return cls(engine)

    @property
    def is_postgres(self) -> bool:
        return is_postgres(self.engine)

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        with self.sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
