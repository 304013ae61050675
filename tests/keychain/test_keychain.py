from __future__ import annotations

import logging
import os
import subprocess
import sys
import traceback

import keyring
import keyring.backends.fail
import pytest
from keyring.backend import KeyringBackend
from keyring.errors import KeyringError

from storyclip_desktop import keychain

SECRET = "sk-test-Zq8vW2pL0nRt5yXc"  # unique enough to grep for


def _read_in_another_process(name: str) -> str:
    """Ask the keyring from a fresh interpreter: proves the key left this process."""
    code = f"import keyring; print(keyring.get_password({keychain.SERVICE!r}, {name!r}))"
    out = subprocess.run(
        [sys.executable, "-c", code], env=os.environ, capture_output=True, text=True, timeout=30
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_real_backend_is_usable(real_keyring):
    status = keychain.backend_status()
    assert status.usable
    assert "SecretService" in status.name
    assert "stored in the system keychain" in status.message


def test_roundtrip_through_secret_service(real_keyring, caplog):
    caplog.set_level(logging.DEBUG)
    assert keychain.get_secret("openai") is None
    assert keychain.set_secret("openai", f"  {SECRET}\n") is True  # pasted with a newline
    assert keychain.get_secret("openai") == SECRET
    assert keyring.get_password("StoryClip Desktop", "openai") == SECRET
    assert _read_in_another_process("openai") == SECRET
    assert keychain.has_secret("openai")

    keychain.set_secret("openai", SECRET + "-v2")
    assert keychain.get_secret("openai") == SECRET + "-v2"

    keychain.delete_secret("openai")
    assert keychain.get_secret("openai") is None
    assert _read_in_another_process("openai") == "None"
    keychain.delete_secret("openai")  # deleting twice is fine
    assert SECRET not in caplog.text


def test_empty_value_deletes(real_keyring):
    keychain.set_secret("gemini", SECRET)
    keychain.set_secret("gemini", "   ")
    assert keychain.get_secret("gemini") is None


def test_env_overrides_the_keyring(real_keyring, monkeypatch):
    keychain.set_secret("openai", "from-keyring")
    monkeypatch.setenv("STORYCLIP_OPENAI_API_KEY", "from-env")
    assert keychain.get_secret("openai") == "from-env"
    monkeypatch.setenv("STORYCLIP_OPENAI_API_KEY", "")
    assert keychain.get_secret("openai") == "from-keyring"

    env_names = {
        "gemini": "STORYCLIP_GEMINI_API_KEY",
        "seedance": "STORYCLIP_SEEDANCE_API_KEY",
        "elevenlabs": "STORYCLIP_ELEVENLABS_API_KEY",
        "kling_access": "STORYCLIP_KLING_ACCESS_KEY",
        "kling_secret": "STORYCLIP_KLING_SECRET_KEY",
    }
    for name, var in env_names.items():
        monkeypatch.setenv(var, f"env-{name}")
        assert keychain.get_secret(name) == f"env-{name}"


def test_configured_providers_needs_both_kling_keys(real_keyring):
    assert keychain.configured_providers() == []
    keychain.set_secret("kling_access", "ak")
    keychain.set_secret("elevenlabs", "el")
    assert keychain.configured_providers() == ["elevenlabs"]
    keychain.set_secret("kling_secret", "sk")
    assert keychain.configured_providers() == ["kling", "elevenlabs"]


def test_session_only_without_a_keyring(real_keyring, caplog):
    caplog.set_level(logging.DEBUG)
    keyring.set_keyring(keyring.backends.fail.Keyring())
    status = keychain.backend_status()
    assert not status.usable
    assert "for this session only" in status.message
    assert "never written to a file" in status.message

    assert keychain.set_secret("seedance", SECRET) is False
    assert keychain.get_secret("seedance") == SECRET
    assert keychain.configured_providers() == ["seedance"]

    keyring.set_keyring(real_keyring)  # the real keychain never saw it
    assert keyring.get_password("StoryClip Desktop", "seedance") is None
    keychain.forget_session()
    assert keychain.get_secret("seedance") is None
    assert SECRET not in caplog.text


class _LeakyBackend(KeyringBackend):
    """A backend whose errors echo what it was given, as some really do."""

    priority = 1

    def __init__(self, stored: str) -> None:
        super().__init__()
        self.stored = stored

    def get_password(self, service, username):
        raise KeyringError(f"cannot read, value was {self.stored}")

    def set_password(self, service, username, password):
        raise KeyringError(f"cannot store {password}")

    def delete_password(self, service, username):
        raise KeyringError(f"cannot delete {self.stored}")


def _text_of(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc))


def test_secrets_never_reach_messages_or_logs(real_keyring, caplog):
    caplog.set_level(logging.DEBUG)
    keyring.set_keyring(_LeakyBackend(SECRET))

    assert keychain.set_secret("openai", SECRET) is False  # fell back to session memory
    assert keychain.get_secret("openai") == SECRET
    status = keychain.backend_status()
    assert not status.usable
    assert "KeyringError" in status.message
    assert SECRET not in status.message

    keychain.forget_session()
    assert keychain.get_secret("openai") is None  # the failing read is swallowed too
    keyring.set_keyring(_LeakyBackend(SECRET))  # a fresh one: failed backends are skipped
    with pytest.raises(keychain.KeychainError) as info:
        keychain.delete_secret("openai")
    assert SECRET not in _text_of(info.value)
    assert info.value.__cause__ is None and info.value.__suppress_context__

    with pytest.raises(ValueError) as bad_name:
        keychain.set_secret("openia", SECRET)
    assert SECRET not in _text_of(bad_name.value)
    with pytest.raises(TypeError) as bad_type:
        keychain.set_secret("openai", SECRET.encode())
    assert SECRET not in _text_of(bad_type.value)

    assert SECRET not in caplog.text
    assert "KeyringError" in caplog.text  # the failure itself is still visible


def test_unknown_entry_is_rejected(real_keyring):
    with pytest.raises(ValueError, match="unknown keychain entry"):
        keychain.get_secret("aws")
