"""Where the team server is: `$STORYCLIP_SYNC_URL`, else `sync_url` in
config_dir()/sync.json (kept apart from settings.json, whose writer keeps only the
fields it knows). A SQLAlchemy URL; the password comes from the URL, ~/.pgpass or the
login the shared-mode part stores in the keyring."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

from sqlalchemy.engine import make_url

from ..config import config_dir

ENV_URL = "STORYCLIP_SYNC_URL"


def sync_url() -> str | None:
    env = os.environ.get(ENV_URL, "").strip()
    if env:
        return env
    path = config_dir() / "sync.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    url = raw.get("sync_url") if isinstance(raw, dict) else None
    return url if isinstance(url, str) and url.strip() else None


def save_sync_url(url: str) -> None:
    path = config_dir() / "sync.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"sync_url": url}, indent=2), encoding="utf-8")
    os.replace(tmp, path)


def display(url: str | None) -> str | None:
    """The URL without its password, for status lines."""
    if not url:
        return None
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a malformed URL is still worth showing, masked
        return url.split("@")[-1]


@dataclass(frozen=True)
class ServerLogin:
    """Which team server, and the URL to reach it as this person. The one place the
    window and the CLI decide both (`resolve_login`)."""

    base_url: str | None  # as configured: no password
    url: str | None = field(default=None, repr=False)  # holds the password: never shown or logged
    email: str | None = None  # whose saved password `url` carries (None: the URL names its login)
    needs_login: bool = False  # a password must be asked for first
    names_login: bool = False  # the URL itself says who connects
    problem: str | None = None  # one line, when there is no `url`

    @property
    def display(self) -> str | None:
        return display(self.base_url)


def resolve_login(server: str | None = None, email: str | None = None) -> ServerLogin:
    """The URL as given (or configured) if it names a login; else the person's own
    role with the password the keyring holds for them. No password saved: `needs_login`."""
    from ..shared.errors import SharedModeError
    from ..shared.login import connect_url

    base = (server or sync_url() or "").strip() or None
    if base is None:
        return ServerLogin(None, problem=f"no team server: pass --server URL or set {ENV_URL}")
    try:
        u = make_url(base)
    except Exception:  # noqa: BLE001 - the text might hold a password: never echo it
        return ServerLogin(None, problem="the team server URL in the sync settings is not valid")
    if u.username is not None or u.password is not None:
        return ServerLogin(base, url=base, names_login=True)
    if not email:
        # Nobody signed in: libpq's defaults (PGUSER, ~/.pgpass) may still know who,
        # which is how a developer's CLI runs; the window asks instead.
        return ServerLogin(base, url=base, needs_login=True)
    try:
        return ServerLogin(base, url=connect_url(base, email), email=email)
    except SharedModeError as e:  # LoginRequired among them
        return ServerLogin(base, email=email, needs_login=True, problem=str(e))
