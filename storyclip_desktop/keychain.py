"""API keys in the operating system's keychain, never in a file of our own.

The OS keyring (Secret Service, macOS Keychain, Windows Credential Locker) is reached
through the `keyring` library. When there is none, or it fails, keys live in this
process only for the session and `backend_status()` tells the UI so in plain English.
An environment variable always wins, so CI and power users need no keychain at all.

Nothing here ever logs a secret or puts one into an exception: errors from keyring
backends are reported by their type name only, because their text is not ours to trust.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass

import keyring
import keyring.backends.chainer
import keyring.backends.fail
import keyring.backends.null
from keyring.backend import KeyringBackend
from keyring.errors import PasswordDeleteError

from .domain import providers as provider_facts

log = logging.getLogger(__name__)

SERVICE = "StoryClip Desktop"

# Entry name -> environment variable that overrides it (domain/providers.py lists them).
ENV_VARS: dict[str, str] = provider_facts.env_vars()
ENTRIES: tuple[str, ...] = tuple(ENV_VARS)

_SESSION_ONLY = (
    "API keys are kept in memory for this session only and must be entered again "
    "after StoryClip restarts. They are never written to a file."
)


class KeychainError(Exception):
    """A keychain operation failed. The message never contains the secret."""


@dataclass(frozen=True)
class KeyringStatus:
    usable: bool  # False: keys are session-only
    name: str  # backend name, for diagnostics
    message: str  # one plain-English sentence or two for the settings screen


_lock = threading.Lock()
_memory: dict[str, str] = {}
# Backends that failed once are not trusted again this session; keyed by identity so
# that switching backend (tests, keyring.set_keyring) gets a fresh chance.
# The backend object is kept alive so its id cannot be reused by another one.
_failed: dict[int, tuple[KeyringBackend, str]] = {}


def _check_name(name: str) -> None:
    if name not in ENV_VARS:
        raise ValueError(f"unknown keychain entry {name!r}; expected one of {', '.join(ENTRIES)}")


def _backend_name(backend: KeyringBackend) -> str:
    try:
        return str(backend.name)
    except Exception:  # a third-party backend's name must not break the settings screen
        return type(backend).__name__


def _is_unusable_type(backend: KeyringBackend) -> bool:
    if isinstance(backend, keyring.backends.fail.Keyring | keyring.backends.null.Keyring):
        return True
    if isinstance(backend, keyring.backends.chainer.ChainerBackend):
        return not backend.backends
    return False


def _usable_backend() -> KeyringBackend | None:
    """The keyring backend to use, or None when keys must stay in memory."""
    try:
        backend = keyring.get_keyring()
    except Exception as exc:
        log.warning("no keyring backend could be loaded (%s)", type(exc).__name__)
        return None
    if _is_unusable_type(backend) or id(backend) in _failed:
        return None
    return backend


def _mark_failed(backend: KeyringBackend, action: str, exc: BaseException) -> None:
    reason = type(exc).__name__
    _failed[id(backend)] = (backend, reason)
    # Only the type name: a backend's message might echo what it was given.
    log.warning(
        "keychain %s failed on %s (%s); using session memory",
        action,
        _backend_name(backend),
        reason,
    )


def get_secret(name: str) -> str | None:
    """The key for `name`: environment override, then this session, then the keyring."""
    _check_name(name)
    env = os.environ.get(ENV_VARS[name], "").strip()
    if env:
        return env
    with _lock:
        if name in _memory:
            return _memory[name]
        backend = _usable_backend()
        if backend is None:
            return None
        try:
            value = backend.get_password(SERVICE, name)
        except Exception as exc:
            _mark_failed(backend, "read", exc)
            return None
    return value or None


def set_secret(name: str, value: str) -> bool:
    """Store a key; True when it went to the OS keychain, False when session-only.

    Surrounding whitespace (a pasted newline) is dropped; an empty value deletes the entry.
    """
    _check_name(name)
    if not isinstance(value, str):
        raise TypeError(f"the {name} key must be a string")
    value = value.strip()
    if not value:
        delete_secret(name)
        return _usable_backend() is not None
    with _lock:
        backend = _usable_backend()
        if backend is not None:
            try:
                backend.set_password(SERVICE, name, value)
            except Exception as exc:
                _mark_failed(backend, "write", exc)
            else:
                _memory.pop(name, None)
                return True
        _memory[name] = value
        return False


def delete_secret(name: str) -> None:
    """Forget a key everywhere we keep it. Deleting a missing key is not an error."""
    _check_name(name)
    with _lock:
        _memory.pop(name, None)
        backend = _usable_backend()
        if backend is None:
            return
        try:
            backend.delete_password(SERVICE, name)
        except PasswordDeleteError:
            return  # nothing stored
        except Exception as exc:
            reason = type(exc).__name__
            log.warning("keychain delete of %s failed (%s)", name, reason)
            # `from None`: the backend's exception text must not ride along in tracebacks.
            raise KeychainError(
                f"Could not remove the {name} key from {_backend_name(backend)} ({reason})."
            ) from None


def has_secret(name: str) -> bool:
    return get_secret(name) is not None


def configured_providers() -> list[str]:
    """Providers whose keys are all present, in the registry's order."""
    return [p.name for p in provider_facts.PROVIDERS if has_provider_keys(p.name)]


def has_provider_keys(provider: str) -> bool:
    """Whether every entry `provider` needs is set (Kling needs two)."""
    return all(has_secret(n) for n in provider_facts.key_entries(provider))


def backend_status() -> KeyringStatus:
    """Whether keys survive a restart, worded for the settings screen.

    Reads the keychain once, so a locked desktop keyring may show its unlock prompt:
    call it off the UI thread.
    """
    try:
        backend = keyring.get_keyring()
    except Exception as exc:
        return KeyringStatus(
            False,
            "none",
            f"The system keychain could not be loaded ({type(exc).__name__}). {_SESSION_ONLY}",
        )
    name = _backend_name(backend)
    if _is_unusable_type(backend):
        return KeyringStatus(False, name, f"No system keychain is available. {_SESSION_ONLY}")
    with _lock:
        if id(backend) not in _failed:
            # A harmless read proves the keychain answers (daemon running, unlocked).
            try:
                backend.get_password(SERVICE, "__storyclip_probe__")
            except Exception as exc:
                _mark_failed(backend, "probe", exc)
        failure = _failed.get(id(backend))
    if failure is not None:
        reason = failure[1]
        return KeyringStatus(
            False, name, f"The system keychain ({name}) did not answer ({reason}). {_SESSION_ONLY}"
        )
    return KeyringStatus(True, name, f"API keys are stored in the system keychain ({name}).")


def forget_session() -> None:
    """Drop session-only keys and past backend failures (sign-out, tests)."""
    with _lock:
        _memory.clear()
        _failed.clear()
