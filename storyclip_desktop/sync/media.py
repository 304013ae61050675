"""Media follows the data: a file made offline lives in this machine's media folder
(storage_url file://...); before its asset row is pushed it is copied to the team's
shared media folder and the pushed row points at the copy. A file that is gone is
pushed as missing rather than stopping the sync."""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from ..media.library import sha256_file

ENV_SHARED = "STORYCLIP_SHARED_MEDIA_DIR"


def shared_media_dir() -> Path | None:
    """`$STORYCLIP_SHARED_MEDIA_DIR`, else the `shared_media_dir` setting."""
    env = os.environ.get(ENV_SHARED, "").strip()
    if env:
        return Path(env).expanduser()
    from ..config import Settings

    configured = Settings.load().shared_media_dir
    return Path(configured).expanduser() if configured else None


def file_path(url: str) -> Path | None:
    """The local path of a file:// url (None for anything else)."""
    parsed = urlparse(url)
    if parsed.scheme != "file":
        return None
    return Path(unquote(parsed.path))


def media_state(url: str) -> str:
    """'ok' (a file that exists), 'missing' (a file that does not) or 'remote' (http...)."""
    path = file_path(url)
    if path is None:
        return "remote"
    return "ok" if path.is_file() else "missing"


@dataclass(frozen=True)
class Shared:
    url: str
    missing: bool = False


def share(url: str, shared_dir: Path | None) -> Shared:
    """The url teammates can open for `url`; copies the file into `shared_dir`
    (content-addressed, written under a temporary name then renamed, so a reader never
    sees half a file and the same file shared twice is stored once)."""
    path = file_path(url)
    if path is None or shared_dir is None:
        return Shared(url, missing=path is not None and not path.is_file())
    if not path.is_file():
        return Shared(url, missing=True)
    shared_dir = shared_dir.resolve()
    if shared_dir in path.resolve().parents:
        return Shared(url)
    digest = sha256_file(path)
    dest = shared_dir / digest[:2] / digest[2:4] / f"{digest}{path.suffix.lower()}"
    if not (dest.is_file() and dest.stat().st_size == path.stat().st_size):
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".incoming-", dir=dest.parent)
        os.close(fd)
        try:
            shutil.copyfile(path, tmp)
            os.replace(tmp, dest)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    return Shared(dest.as_uri())


def for_push(payload: dict, shared_dir: Path | None) -> dict:
    """The add_asset_version payload as it goes to the server."""
    shared = share(payload["storage_url"], shared_dir)
    out = dict(payload, storage_url=shared.url)
    if shared.missing:
        out["metadata"] = dict(payload.get("metadata") or {}, media="missing")
    return out
