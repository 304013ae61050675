"""Why a sync could not run."""

from __future__ import annotations


class SyncError(Exception):
    """A problem a person must fix (no sync schema on the server, login not mapped to
    a StoryClip person, ...). The message is one line."""


class Offline(SyncError):
    """The team server cannot be reached now; everything stays queued."""


def is_offline_error(exc: BaseException) -> bool:
    """Connection-level failures (server down, network gone, server restarting)."""
    from sqlalchemy.exc import DBAPIError, OperationalError

    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    orig = getattr(exc, "orig", None)
    state = getattr(orig, "sqlstate", None)
    if state is None:
        return isinstance(exc, OperationalError)
    return state.startswith("08") or state in ("57P01", "57P02", "57P03", "53300")


def is_auth_error(exc: BaseException) -> bool:
    """The server refused the login itself (invalid password, no such role)."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        orig = getattr(exc, "orig", None) or exc
        state = getattr(orig, "sqlstate", None)
        if state in ("28P01", "28000"):
            return True
        text = str(orig).lower()
        # libpq reports a failed login before any statement, often without a SQLSTATE
        if "password authentication failed" in text or "no password supplied" in text:
            return True
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return False


LOCK_BUSY = "55P03"  # lock_not_available: lock_timeout passed
TRANSIENT_STATES = frozenset({"40001", "40P01", "55P03", "57014"})


def is_transient_error(exc: BaseException) -> bool:
    """Worth retrying the same change: deadlock, serialization, lock or statement
    timeout. Never a reason to refuse it."""
    state = getattr(getattr(exc, "orig", None), "sqlstate", None)
    return state in TRANSIENT_STATES
