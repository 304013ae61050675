"""`storyclip admin init-shared`: turn a PostgreSQL database into a team's shared store.

Order (docs/shared-mode.md): Alembic upgrade; the sync part's server schema when that
part is installed; then our roles, grants, row-level security and functions, which
also cover the sync part's tables. The last two run in one transaction, so a failure
leaves the database as the migration left it. Safe to run again.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass
from types import ModuleType

from sqlalchemy import Engine

from ..store.db import is_postgres, upgrade
from . import people, security, verify
from .errors import SharedModeError

SYNC_PACKAGE = "storyclip_desktop.sync"
SYNC_SCHEMA = "storyclip_desktop.sync.server_schema"


@dataclass(frozen=True)
class InstallReport:
    sync_installed: bool
    tables: list[str]


def sync_schema_module() -> ModuleType | None:
    """The sync part's server schema, or None while that part is not in this build.
    Only absence is tolerated: an error inside the module propagates."""
    if importlib.util.find_spec(SYNC_PACKAGE) is None:
        return None
    if importlib.util.find_spec(SYNC_SCHEMA) is None:
        return None
    return importlib.import_module(SYNC_SCHEMA)


def install_shared(engine_admin: Engine, *, sync_module: ModuleType | None = None) -> InstallReport:
    """Run as a superuser (it creates roles and hands tables to storyclip_owner)."""
    if not is_postgres(engine_admin):
        raise SharedModeError("shared mode needs a PostgreSQL database (got a different URL)")
    _require_superuser(engine_admin)
    upgrade(engine_admin)
    sync = sync_module if sync_module is not None else sync_schema_module()
    with engine_admin.begin() as conn:
        if sync is not None:
            sync.install(conn)
        raw = conn.connection.driver_connection
        tables = security.apply(raw, security.SyncRules.from_module(sync))
        people.apply_role_settings(raw)  # people added by an older version get today's bounds
        issues = verify.problems(raw)
        if issues:
            # Raising rolls the whole install back rather than leave a half-safe store.
            raise SharedModeError("shared store is not safe: " + "; ".join(issues))
    return InstallReport(sync_installed=sync is not None, tables=tables)


def _require_superuser(engine: Engine) -> None:
    # Creating roles, handing tables to storyclip_owner and functions to the definer
    # all need it; failing here beats failing halfway with a catalog error.
    with engine.connect() as conn:
        is_super = conn.exec_driver_sql(
            "SELECT rolsuper FROM pg_roles WHERE rolname = current_user"
        ).scalar()
    if not is_super:
        raise SharedModeError("init-shared must run as a PostgreSQL superuser (the admin URL)")
