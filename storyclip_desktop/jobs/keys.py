"""API keys, as Settings and the CLI handle them: which are set, save, remove, and
"does this key work?", answered by the provider itself. Every call may block (the OS
keyring may prompt; a test is a network call): the window runs them off the GUI thread.
It lives beside the job engine because a key test is a provider call (the registry
builds the client); the store-side half, which model each family uses, is services/models."""

from __future__ import annotations

from dataclasses import dataclass

from .. import keychain
from ..domain import providers as provider_facts
from ..providers.base import ProviderError
from ..providers.registry import run_check
from ..services.models import ModelChoiceService


@dataclass(frozen=True)
class KeyCheck:
    ok: bool
    message: str  # one line for the row; never the key
    models: list[str] | None = None  # the model ids the key may use, when the provider lists them


class KeyService:
    def __init__(self, models: ModelChoiceService | None = None) -> None:
        self._models = models

    @staticmethod
    def backend() -> keychain.KeyringStatus:
        return keychain.backend_status()

    @staticmethod
    def present(provider: str) -> list[bool]:
        """For each of the provider's key entries, whether it is set."""
        return [keychain.has_secret(e) for e in provider_facts.key_entries(provider)]

    @staticmethod
    def save(provider: str, values: list[str]) -> bool:
        """Store the typed values (blank ones are left as they are); True when they went
        to the system keychain, False when they are kept for this session only."""
        pairs = [(e, v.strip()) for e, v in zip(provider_facts.key_entries(provider), values, strict=True) if v.strip()]
        return all([keychain.set_secret(e, v) for e, v in pairs])

    @staticmethod
    def remove(provider: str) -> None:
        for e in provider_facts.key_entries(provider):
            keychain.delete_secret(e)

    def check(self, provider: str, typed: list[str] | None = None) -> KeyCheck:
        """Ask the provider whether the keys work (typed ones first, else the saved
        ones), and with them which models they may use (kept for Settings › Models)."""

        entries = provider_facts.key_entries(provider)
        typed = typed or [""] * len(entries)
        values = [t.strip() or (keychain.get_secret(e) or "") for t, e in zip(typed, entries, strict=True)]
        if not all(values):
            return KeyCheck(False, "No key to test: type one or save one first.")
        try:
            ids = run_check(provider, values, lambda r, client: r.list_models(client, values))
        except ProviderError as e:
            return KeyCheck(False, e.message)
        except Exception as e:  # noqa: BLE001 - a broken network is a line in the row, not a crash
            return KeyCheck(False, f"Could not reach {provider_facts.label(provider)} ({type(e).__name__}).")
        if self._models is not None:
            self._models.remember_available(provider, ids)
        if ids is None:
            return KeyCheck(True, "The key works.")
        return KeyCheck(True, f"The key works ({len(ids)} models offered).", ids)
