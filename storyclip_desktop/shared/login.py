"""Connecting to the shared store as a person: their own PostgreSQL role, with the
password from the OS keyring (service "StoryClip Desktop", entry
"pg:<role>@<host>/<db>"), or STORYCLIP_DB_PASSWORD when there is no desktop.

The password lives only in the keyring and in memory: the URL kept in settings has
none (settings_url), and connect_url builds the full URL for this process only. When
no keyring answers, a remembered password lasts for this session only.
"""

from __future__ import annotations

import logging
import os
import threading

import keyring
from keyring.errors import PasswordDeleteError
from sqlalchemy.engine import URL, make_url

from ..keychain import SERVICE
from .errors import LoginRequired, SharedModeError
from .roles import normalize_email, role_name_for

log = logging.getLogger(__name__)

ENV_PASSWORD = "STORYCLIP_DB_PASSWORD"

_lock = threading.Lock()
_session: dict[str, str] = {}


def _pg_url(base_url: str) -> URL:
    try:
        u = make_url(base_url)
    except Exception:
        # The text might hold a password: never echo it.
        raise SharedModeError("the shared store URL is not a valid database URL") from None
    if u.get_backend_name() != "postgresql":
        raise SharedModeError("the shared store must be a PostgreSQL URL")
    return u.set(drivername="postgresql+psycopg")


def _host(u: URL) -> str:
    host = u.host or u.query.get("host") or "localhost"
    if isinstance(host, tuple):  # ?host=a&host=b: libpq tries them in turn
        host = ",".join(host)
    return f"{host}:{u.port}" if u.port else str(host)


def entry_name(base_url: str, email: str) -> str:
    u = _pg_url(base_url)
    return f"pg:{role_name_for(email)}@{_host(u)}/{u.database or ''}"


def settings_url(url: str) -> str:
    """The URL as it may be saved: no password, and no user (the user comes from the
    email at sign-in)."""
    u = _pg_url(url)
    bare = URL.create(u.drivername, host=u.host, port=u.port, database=u.database, query=u.query)
    return bare.render_as_string(hide_password=False)


def saved_password(base_url: str, email: str) -> str | None:
    env = os.environ.get(ENV_PASSWORD)
    if env:
        return env
    name = entry_name(base_url, email)
    with _lock:
        if name in _session:
            return _session[name]
    try:
        return keyring.get_password(SERVICE, name) or None
    except Exception as exc:
        # Only the type: a backend's message is not ours to trust with secrets.
        log.warning("keyring read failed (%s)", type(exc).__name__)
        return None


def remember_password(base_url: str, email: str, password: str) -> bool:
    """True when the OS keyring holds it now; False when kept for this session only."""
    name = entry_name(base_url, email)
    try:
        keyring.set_password(SERVICE, name, password)
    except Exception as exc:
        log.warning("keyring write failed (%s); keeping the password for this session", type(exc).__name__)
        with _lock:
            _session[name] = password
        return False
    with _lock:
        _session.pop(name, None)
    return True


def remember_for_session(base_url: str, email: str, password: str) -> None:
    """The login dialog's "don't remember": usable until the app quits."""
    with _lock:
        _session[entry_name(base_url, email)] = password


def forget_password(base_url: str, email: str) -> None:
    name = entry_name(base_url, email)
    with _lock:
        _session.pop(name, None)
    try:
        keyring.delete_password(SERVICE, name)
    except PasswordDeleteError:
        pass
    except Exception as exc:
        log.warning("keyring delete failed (%s)", type(exc).__name__)


def connect_url(base_url: str, email: str) -> str:
    """The URL to connect as this person, password included: for this process only,
    never to be logged, saved or shown."""
    u = _pg_url(base_url)
    if u.password:
        raise SharedModeError("the saved shared store URL must not contain a password")
    email = normalize_email(email)
    password = saved_password(base_url, email)
    if password is None:
        raise LoginRequired(f"sign in to the shared store as {email} first")
    return u.set(username=role_name_for(email), password=password).render_as_string(hide_password=False)
