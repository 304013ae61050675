"""Failures a user can act on. Each message is one line and names what was wrong.

`USER_ERRORS` is every error a user can act on (the CLI prints it and exits non-zero,
the window shows it); `one_line` is how any of them reads on one line."""

from __future__ import annotations

from ..domain.ordering import OrderingError
from ..domain.status import TransitionError
from ..domain.validation import ValidationError
from ..store.db import StoreUnreachable

# Raised by the shared store's storyclip_reserve_tokens when a limit would be passed
# (shared/security_sql.py defines the function, services/tokens.py translates it).
QUOTA_SQLSTATE = "SC001"


class ServiceError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(ServiceError):
    pass


class Forbidden(ServiceError):
    """The shared store does not let this person do that (a reviewer editing, an
    editor deleting the project, ...). The message starts with "not allowed:"."""

    def __init__(self, message: str) -> None:
        super().__init__(message if message.startswith("not allowed") else f"not allowed: {message}")


class Conflict(ServiceError):
    """The request makes sense but not against the current state (e.g. re-split)."""


class QuotaExceeded(ServiceError):
    def __init__(self, token_type: str, needed: int, usage: int, limit: int) -> None:
        self.token_type, self.needed, self.usage, self.limit = token_type, needed, usage, limit
        left = max(limit - usage, 0)
        super().__init__(
            f"the {token_type} token limit would be exceeded: this needs {needed:,}, "
            f"{left:,} of {limit:,} left"
        )


USER_ERRORS: tuple[type[Exception], ...] = (
    ValidationError, TransitionError, OrderingError, ServiceError, StoreUnreachable)


def one_line(exc: BaseException) -> str:
    """The error's own text on one line (whitespace folded), never a traceback; the
    type's name when it has none. A ValidationError keeps its field: "title: must ..."."""
    orig = getattr(exc, "orig", None)  # a driver's error wrapped by SQLAlchemy
    if isinstance(orig, BaseException):
        # Its first line only: the rest (and SQLAlchemy's own text) carries the statement.
        return (str(orig).strip().splitlines() or [type(orig).__name__])[0].strip()
    text = str(exc) or getattr(exc, "message", None) or type(exc).__name__
    return " ".join(str(text).split())
