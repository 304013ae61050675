"""Failures a user can act on. Each message is one line and names what was wrong."""

from __future__ import annotations


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
