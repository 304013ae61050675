"""People and sharing on the shared store: add a person (a LOGIN role, a users row, token
rows), share and unshare a project.

add_user runs with the admin's connection (it creates a role). share and unshare call
the SECURITY DEFINER functions, so a project owner's own connection is enough.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from psycopg import Connection, errors, sql
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from ..domain import validation as v
from ..domain.catalog import DEFAULT_LIMITS, TOKEN_TYPES
from ..domain.ids import IdGenerator
from ..services.errors import NotFound
from ..store.network import env_seconds
from . import verify
from .errors import NotAllowed, SharedModeError
from .roles import MEMBER, normalize_email, role_name_for

PASSWORD_MIN = 12
SHARE_ROLES = ("editor", "reviewer")

# Guards against a runaway or vanished client, not against a hostile one: a person can
# SET these in their own session (PostgreSQL has no per-role ceiling). A sync push never
# waits on its client between the statements of a transaction, and the shared-mode
# services hold no transaction across user think time, so a session idle inside a
# transaction for seconds is a laptop that went silent mid-push: ending it frees the
# project for the rest of the team (docs/sync.md, "Bounds").
ROLE_SETTINGS = {
    "statement_timeout": "30s",
    "lock_timeout": "10s",
    "idle_in_transaction_session_timeout": "5s",
}
IDLE_ENV = "STORYCLIP_SERVER_IDLE_SECONDS"  # tests and unusual teams; whole seconds or a fraction
CONNECTION_LIMIT = 50


def role_settings() -> dict[str, str]:
    settings = dict(ROLE_SETTINGS)
    seconds = env_seconds(IDLE_ENV, 0.0)
    if seconds > 0:
        settings["idle_in_transaction_session_timeout"] = f"{int(seconds * 1000)}ms"
    return settings


@dataclass(frozen=True)
class NewPerson:
    email: str
    user_id: int
    role_name: str
    reused_role: bool
    # Set only when we made the password; shown once, never stored or logged.
    generated_password: str | None = field(default=None, repr=False)


def generate_password() -> str:
    return secrets.token_urlsafe(24)


def add_user(
    engine_admin: Engine,
    email: str,
    ids: IdGenerator,
    *,
    password: str | None = None,
    admin: bool = False,
) -> NewPerson:
    email = normalize_email(email)
    if password is not None and len(password) < PASSWORD_MIN:
        raise v.ValidationError("password", f"must be at least {PASSWORD_MIN} characters")
    role = role_name_for(email)
    with engine_admin.begin() as conn:
        raw = conn.connection.driver_connection
        _require_installed(raw)
        reused = _role_exists(raw, role)
        generated = None
        if not reused:
            if password is None:
                password = generated = generate_password()
            _create_role(raw, role, password)
        elif password is not None:
            _set_password(raw, role, password)
        _connect_rights(raw, role)
        user_id = _user_row(raw, email, role, ids, admin=admin)
        issues = verify.problems(raw)
        if issues:
            raise SharedModeError("refusing to add this person: " + "; ".join(issues))
    return NewPerson(email, user_id, role, reused, generated)


def _require_installed(raw: Connection) -> None:
    if raw.execute("SELECT to_regclass('public.users_role')").fetchone()[0] is None:
        raise SharedModeError("this database is not a shared store yet: run `storyclip admin init-shared`")


def _role_exists(raw: Connection, role: str) -> bool:
    """Roles are cluster-wide, so the person may already have one from another StoryClip
    database on this server. Reuse it only if it is exactly that: a plain login role in
    storyclip_member and nobody else's here."""
    row = raw.execute(
        """
        SELECT r.rolsuper OR r.rolbypassrls OR r.rolcreaterole OR r.rolcreatedb OR r.rolreplication,
               EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                       WHERE m.member = r.oid AND g.rolname = %s),
               EXISTS (SELECT 1 FROM public.users_role u WHERE u.role_name = r.rolname)
        FROM pg_roles r WHERE r.rolname = %s
        """,
        (MEMBER, role),
    ).fetchone()
    if row is None:
        return False
    elevated, is_person, mapped_here = row
    if mapped_here:
        raise SharedModeError("this person already has a StoryClip login in this database")
    if elevated or not is_person:
        raise SharedModeError(
            f"a role named {role} already exists and is not a plain StoryClip login; "
            "remove it or ask the database administrator"
        )
    return True


def _verifier(raw: Connection, role: str, password: str) -> str:
    # Hashed here, so the password itself never reaches the server's statement log.
    return raw.pgconn.encrypt_password(password.encode(), role.encode(), b"scram-sha-256").decode()


def _create_role(raw: Connection, role: str, password: str) -> None:
    raw.execute(
        sql.SQL(
            "CREATE ROLE {} LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION "
            "NOBYPASSRLS CONNECTION LIMIT {} PASSWORD {}"
        ).format(sql.Identifier(role), sql.Literal(CONNECTION_LIMIT), sql.Literal(_verifier(raw, role, password)))
    )


def _set_password(raw: Connection, role: str, password: str) -> None:
    raw.execute(
        sql.SQL("ALTER ROLE {} PASSWORD {}").format(
            sql.Identifier(role), sql.Literal(_verifier(raw, role, password))
        )
    )


def _connect_rights(raw: Connection, role: str) -> None:
    db = raw.execute("SELECT current_database()").fetchone()[0]
    r, d = sql.Identifier(role), sql.Identifier(db)
    raw.execute(sql.SQL("GRANT {} TO {}").format(sql.Identifier(MEMBER), r))
    raw.execute(sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(d, r))
    apply_role_settings(raw, [role])


def apply_role_settings(raw: Connection, roles: list[str] | None = None) -> int:
    """Session bounds for people's roles in this database (new sessions pick them up).
    `roles` None: every person of this store, so init-shared brings existing people's
    bounds up to date."""
    if roles is None:
        roles = [r[0] for r in raw.execute("SELECT role_name FROM public.users_role").fetchall()]
    db = sql.Identifier(raw.execute("SELECT current_database()").fetchone()[0])
    for role in roles:
        for name, value in role_settings().items():
            raw.execute(
                sql.SQL("ALTER ROLE {} IN DATABASE {} SET {} = {}").format(
                    sql.Identifier(role), db, sql.Identifier(name), sql.Literal(value)
                )
            )
    return len(roles)


def _user_row(raw: Connection, email: str, role: str, ids: IdGenerator, *, admin: bool) -> int:
    row = raw.execute(
        "SELECT id FROM users WHERE lower(email) = %s ORDER BY id LIMIT 1", (email,)
    ).fetchone()
    if row is None:
        user_id = ids.next_id()
        raw.execute(
            "INSERT INTO users (id, login_method, email) VALUES (%s, 'password', %s)", (user_id, email)
        )
    else:
        user_id = row[0]
    raw.execute(
        "INSERT INTO users_role (user_id, role_name, is_admin) VALUES (%s, %s, %s)",
        (user_id, role, admin),
    )
    for token_type in TOKEN_TYPES:
        raw.execute(
            'INSERT INTO token (id, user_id, type, usage, "limit") VALUES (%s, %s, %s, 0, %s) '
            "ON CONFLICT (user_id, type) DO NOTHING",
            (ids.next_id(), user_id, token_type, DEFAULT_LIMITS[token_type]),
        )
    return user_id


# ---- sharing ------------------------------------------------------------------------


def share(engine: Engine, project_id: int, email: str, role: str) -> str:
    if role not in SHARE_ROLES:
        raise v.ValidationError("as", f"must be one of {', '.join(SHARE_ROLES)} (got {role!r})")
    return _call(
        engine,
        "SELECT storyclip_share_project(:p, :e, :r)",
        {"p": project_id, "e": normalize_email(email), "r": role},
    )


def unshare(engine: Engine, project_id: int, email: str) -> bool:
    return bool(
        _call(engine, "SELECT storyclip_unshare_project(:p, :e)", {"p": project_id, "e": normalize_email(email)})
    )


def _call(engine: Engine, statement: str, params: dict[str, object]) -> object:
    try:
        with engine.begin() as conn:
            return conn.execute(text(statement), params).scalar_one()
    except DBAPIError as e:
        raise server_error(e) from None


def server_error(e: DBAPIError) -> Exception:
    """The server's one-line message, typed. Our functions' messages carry no secrets;
    SQLAlchemy's own text (with the statement and parameters) is dropped."""
    orig = e.orig
    message = getattr(getattr(orig, "diag", None), "message_primary", None) or type(orig).__name__
    if isinstance(orig, errors.InsufficientPrivilege):
        return NotAllowed(message)
    if isinstance(orig, errors.NoDataFound):
        return NotFound(message)
    if isinstance(orig, errors.UndefinedFunction):
        return SharedModeError("this database is not a shared store (run `storyclip admin init-shared`)")
    return SharedModeError(message)


@contextmanager
def server_errors() -> Iterator[None]:
    """Database failures inside as the server's one line (`server_error`), so a caller
    above the store (the CLI) needs no SQL types of its own."""
    try:
        yield
    except DBAPIError as e:
        raise server_error(e) from None
