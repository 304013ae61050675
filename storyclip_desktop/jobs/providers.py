"""Builds provider clients for jobs: the HTTP clients with the keys from the keychain, or
the Local preview providers. One shared httpx client; one instance per provider and model,
so the local clip renderer keeps track of its own background renders."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from ..domain import providers as facts
from ..providers import registry
from ..providers.base import ErrorKind, ProviderError
from ..providers.http import DEFAULT_RETRY, RetryPolicy, make_client

SecretLookup = Callable[[str], "str | None"]


def _default_secret(name: str) -> str | None:
    from .. import keychain

    return keychain.get_secret(name)


class ProviderFactory:
    def __init__(
        self,
        *,
        secret: SecretLookup | None = None,
        client: httpx.AsyncClient | None = None,
        retry: RetryPolicy = DEFAULT_RETRY,
        clip_cache: Path | None = None,
        overrides: dict[str, Any] | None = None,
    ) -> None:
        self._secret = secret or _default_secret
        self._client = client
        self._own_client = client is None
        self.retry = retry
        self.clip_cache = clip_cache
        # provider name -> a ready instance (tests, benchmarks, or another transport)
        self.overrides = dict(overrides or {})
        self._cache: dict[tuple[str, str, str], Any] = {}
        self._locks: dict[tuple[str, str, str], asyncio.Lock] = {}
        self._client_lock = threading.Lock()

    @property
    def can_clone(self) -> bool:
        """A client handed in is bound to one loop: such a factory serves one lane only."""
        return self._own_client

    def clone(self) -> ProviderFactory:
        """The same settings with clients of its own, for another provider loop."""
        return ProviderFactory(
            secret=self._secret, retry=self.retry, clip_cache=self.clip_cache, overrides=self.overrides
        )

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = make_client()
        return self._client

    def forget(self) -> None:
        """Drop built clients, e.g. after a key changed in Settings."""
        self._cache = {k: v for k, v in self._cache.items() if k[0] == "local"}

    async def get(self, kind: str, provider: str, model: str) -> Any:
        """The provider object for one job; ProviderError BAD_KEY when its key is gone."""
        if provider in self.overrides:
            return self.overrides[provider]
        kind = "text" if kind in ("text", "prompt") else kind
        key = (provider, kind, model)
        found = self._cache.get(key)
        if found is not None:
            return found
        async with self._locks.setdefault(key, asyncio.Lock()):
            found = self._cache.get(key)
            if found is None:
                # Off the loop: the OS keyring may block on D-Bus, and the first client
                # loads the CA bundle and the provider modules (~100 ms).
                found = await asyncio.to_thread(self._make, kind, provider, model)
                self._cache[key] = found
        return found

    def _make(self, kind: str, provider: str, model: str) -> Any:
        keys = self._keys(provider)
        with self._client_lock:
            client = self.client if provider != "local" else None
        return self._build(kind, provider, model, keys, client)

    def _keys(self, provider: str) -> list[str]:
        if provider == facts.LOCAL.name:
            return []
        values = [self._secret(n) for n in registry.registered(provider).facts.entries]
        if not all(values):
            label = facts.label(provider)
            raise ProviderError(
                ErrorKind.BAD_KEY,
                f"No {label} API key is set. Add it in Settings, or Retry to use Local preview.",
                retryable=False,
                provider=provider,
            )
        return [str(v) for v in values]

    def _build(self, kind: str, provider: str, model: str, keys: list[str], client: httpx.AsyncClient | None) -> Any:
        return registry.build(kind, provider, model, keys, client=client, retry=self.retry, clip_cache=self.clip_cache)

    async def aclose(self) -> None:
        if self._own_client and self._client is not None:
            await self._client.aclose()
            self._client = None
        self._cache.clear()
