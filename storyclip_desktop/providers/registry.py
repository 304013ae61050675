"""The provider registry: for each provider in domain/providers.py, how to test its keys,
list the models a key may use, and build the client a job calls. Provider modules are
imported only when used, so start-up loads none of them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from ..domain import providers as facts
from ..domain.model_catalog import api_kind, default_model
from .base import ErrorKind, ProviderError
from .http import RetryPolicy


def _openai(kind: str, model: str, keys: Sequence[str], common: dict) -> Any:
    from .openai import OpenAIProvider

    return OpenAIProvider(api_key=keys[0], **common, **{f"{api_kind(kind)}_model": model})


def _gemini(kind: str, model: str, keys: Sequence[str], common: dict) -> Any:
    from .gemini import GeminiProvider

    return GeminiProvider(api_key=keys[0], **common, **{f"{api_kind(kind)}_model": model})


def _seedance(kind: str, model: str, keys: Sequence[str], common: dict) -> Any:
    from .seedance import SeedanceProvider

    return SeedanceProvider(api_key=keys[0], model=model, **common)


def _kling(kind: str, model: str, keys: Sequence[str], common: dict) -> Any:
    from .kling import KlingProvider

    return KlingProvider(access_key=keys[0], secret_key=keys[1], model=model, **common)


def _elevenlabs(kind: str, model: str, keys: Sequence[str], common: dict) -> Any:
    from .elevenlabs import ElevenLabsProvider

    return ElevenLabsProvider(api_key=keys[0], model=model, **common)


Factory = Callable[[str, str, Sequence[str], dict], Any]


@dataclass(frozen=True)
class Registered:
    facts: facts.Provider
    build: Factory

    @property
    def name(self) -> str:
        return self.facts.name

    def _probe(self, client: httpx.AsyncClient, keys: Sequence[str]) -> Any:
        """The provider's own client for one key check or model list, without retries
        (a person is waiting for the answer)."""
        kind = self.facts.kinds[0]
        return self.build(kind, default_model(self.name, kind), keys,
                          {"client": client, "retry": RetryPolicy(max_attempts=1)})

    async def check_key(self, client: httpx.AsyncClient, keys: Sequence[str]) -> None:
        """Raise ProviderError (BAD_KEY when the keys are rejected) unless they work."""
        await self._probe(client, keys).check_key()

    async def list_models(self, client: httpx.AsyncClient, keys: Sequence[str]) -> list[str] | None:
        """The model ids these keys may use; None when the provider has no such list."""
        if not self.facts.lists_models:
            await self.check_key(client, keys)
            return None
        return list(await self._probe(client, keys).list_models())


REGISTRY: dict[str, Registered] = {
    r.name: r
    for r in (
        Registered(facts.get("openai"), _openai),  # type: ignore[arg-type]
        Registered(facts.get("gemini"), _gemini),  # type: ignore[arg-type]
        Registered(facts.get("seedance"), _seedance),  # type: ignore[arg-type]
        Registered(facts.get("kling"), _kling),  # type: ignore[arg-type]
        Registered(facts.get("elevenlabs"), _elevenlabs),  # type: ignore[arg-type]
    )
}


def registered(name: str) -> Registered:
    found = REGISTRY.get(name)
    if found is None:
        raise ProviderError(ErrorKind.BAD_REQUEST, f"unknown provider {name!r}", retryable=False)
    return found


def build(
    kind: str, provider: str, model: str, keys: Sequence[str], *,
    client: httpx.AsyncClient | None, retry: RetryPolicy, clip_cache: Path | None = None,
) -> Any:
    """The provider object one job calls (the Local preview when provider is "local")."""
    if provider == facts.LOCAL.name:
        from . import local

        kind = api_kind(kind)
        if kind == "clip":
            return local.LocalClipProvider(clip_cache)
        return {"text": local.LocalTextProvider, "image": local.LocalImageProvider}.get(
            kind, local.LocalNarrationProvider
        )()
    return registered(provider).build(kind, model, keys, {"client": client, "retry": retry})


def run_check(provider: str, keys: Sequence[str], call: Callable[[Registered, httpx.AsyncClient], Awaitable[Any]]) -> Any:
    """Run one registry call on a fresh loop and client (Settings' worker thread)."""
    import asyncio

    from .http import make_client

    async def go() -> Any:
        async with make_client(read_timeout=20.0) as client:
            return await call(registered(provider), client)

    return asyncio.run(go())
