"""Where the team server is: `$STORYCLIP_SYNC_URL`, else `sync_url` in
config_dir()/sync.json (kept apart from settings.json, whose writer keeps only the
fields it knows). A SQLAlchemy URL; the password comes from the URL, ~/.pgpass or the
login the shared-mode part stores in the keyring."""

from __future__ import annotations

import json
import os

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
