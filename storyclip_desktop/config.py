"""Where things live on this machine, and the few settings that are not secrets."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP = "StoryClip"
LOCAL_EMAIL = "editor@storyclip.local"


def data_dir() -> Path:
    return Path(os.environ.get("STORYCLIP_DATA_DIR") or platformdirs.user_data_dir(APP, False))


def config_dir() -> Path:
    return Path(os.environ.get("STORYCLIP_CONFIG_DIR") or platformdirs.user_config_dir(APP, False))


def local_database_url() -> str:
    return f"sqlite:///{data_dir() / 'storyclip.sqlite3'}"


def database_url() -> str:
    """STORYCLIP_DATABASE_URL (a SQLAlchemy URL) selects a shared PostgreSQL; otherwise
    the local SQLite file, created on first use."""
    return os.environ.get("STORYCLIP_DATABASE_URL") or local_database_url()


@dataclass
class Settings:
    """Non-secret settings kept in config_dir()/settings.json. Passwords and API keys
    never go here: they live in the OS keyring."""

    node: int
    media_dir: str | None = None
    shared_media_dir: str | None = None

    @classmethod
    def load(cls) -> Settings:
        path = config_dir() / "settings.json"
        raw: dict = {}
        if path.exists():
            try:
                raw = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                raw = {}
        env_node = os.environ.get("STORYCLIP_NODE")
        node = int(env_node) if env_node else raw.get("node")
        settings = cls(
            node=node if isinstance(node, int) else secrets.randbelow(1024),
            media_dir=raw.get("media_dir"),
            shared_media_dir=raw.get("shared_media_dir"),
        )
        if raw.get("node") != settings.node and not env_node:
            settings.save()
        return settings

    def save(self) -> None:
        path = config_dir() / "settings.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.__dict__, indent=2), encoding="utf-8")
        os.replace(tmp, path)
