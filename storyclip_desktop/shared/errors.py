"""Failures of shared-mode set-up and sign-in. Messages never carry a password or a URL
with one: they name what was wrong and what to do."""

from __future__ import annotations

from ..services.errors import ServiceError


class SharedModeError(ServiceError):
    """Set-up, sharing or sign-in failed in a way the user can act on."""


class NotAllowed(SharedModeError):
    """The server refused: the caller lacks the right (insufficient_privilege)."""


class LoginRequired(SharedModeError):
    """No password for this person and database: show the login dialog."""
