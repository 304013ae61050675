"""Who runs a job. A claim names the engine ("host:pid:nonce"); another engine may take
the job over only when that engine is gone, so a live process is never doubled."""

from __future__ import annotations

import os
import secrets
import socket
import time

LEASE_S = 90.0  # a claim not renewed for this long is free (another host, or a hung process)
_LIVE: set[str] = set()  # engines running in this process


def new_owner() -> str:
    owner = f"{socket.gethostname()[:80]}:{os.getpid()}:{secrets.token_hex(4)}"
    _LIVE.add(owner)
    return owner


def retire(owner: str) -> None:
    _LIVE.discard(owner)


def owner_alive(owner: str | None, lease_until: float | None, now: float | None = None) -> bool:
    if not owner:
        return False
    host, _, rest = owner.partition(":")
    pid_text, _, _ = rest.partition(":")
    if host == socket.gethostname()[:80] and pid_text.isdigit() and os.name == "posix":
        pid = int(pid_text)
        if pid == os.getpid():
            return owner in _LIVE
        return _pid_alive(pid)
    # Another machine (shared store): trust its lease.
    return lease_until is not None and lease_until > (time.time() if now is None else now)


def _pid_alive(pid: int) -> bool:
    # Signal 0 only asks whether the process exists (POSIX; on Windows it would kill it).
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True
