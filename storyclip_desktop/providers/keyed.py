"""What every provider of a remote API holds (the shared client, its base URL, the retry
policy; the keys, never shown) and, behind one API key, the one authenticated request
they all send."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, ClassVar, dataclass_transform

import httpx

from .base import ErrorKind, ProviderError
from .download import download_to
from .endpoints import base_url as default_base_url
from .errors import make_error
from .http import DEFAULT_RETRY, RetryPolicy, read_json, send, timeout

_AS_PROVIDER = {"kw_only": True, "eq": False, "repr": False}


@dataclass_transform(kw_only_default=True)
@dataclass(**_AS_PROVIDER)
class HostedProvider:
    """A provider's settings are keyword fields; every subclass is made a dataclass the
    same way, so none can get the generated repr, which would show its keys."""

    name: ClassVar[str]
    client: httpx.AsyncClient
    base_url: str | None = None  # None: the provider's public endpoint
    retry: RetryPolicy = DEFAULT_RETRY

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        dataclass(cls, **_AS_PROVIDER)

    def __post_init__(self) -> None:
        self.base_url = (self.base_url or default_base_url(self.name)).rstrip("/")

    def __repr__(self) -> str:
        shown = [
            f"{f.name}={getattr(self, f.name)!r}"
            for f in fields(self)
            if f.name == "base_url" or f.name.endswith("model")
        ]
        return f"{type(self).__name__}({', '.join(shown)}, keys='***')"

    async def download(self, url: str, dest: Path) -> int:
        """Stream a finished result to dest (a temporary path); return bytes written."""
        return await download_to(self.client, url, dest, provider=self.name, retry=self.retry)


ErrorReader = Callable[[httpx.Response, tuple[str, ...], str], ProviderError]


class KeyedProvider(HostedProvider):
    key_header: ClassVar[str] = "Authorization"  # Gemini: x-goog-api-key, ElevenLabs: xi-api-key
    key_prefix: ClassVar[str] = "Bearer "
    # The provider's error body as one user-facing ProviderError, scrubbed of the given
    # secrets; the model id the request asked for is named when the provider refuses it.
    read_error: ClassVar[ErrorReader]
    api_key: str

    def _error(self, resp: httpx.Response, model: str = "") -> ProviderError:
        return self.read_error(resp, (self.api_key,), model)

    def _auth(self) -> dict[str, str]:
        return {self.key_header: f"{self.key_prefix}{self.api_key}"}

    async def _request(
        self,
        method: str,
        path: str,
        *,
        paid: bool = False,
        ok: tuple[int, ...] = (),
        read_timeout: float | None = None,
        headers: dict[str, str] | None = None,
        model: str = "",
        **kwargs: Any,
    ) -> httpx.Response:
        """One authenticated call through the retry policy. Any status of 300 or more that
        is not in `ok` is raised as the provider's error."""
        extra = {} if read_timeout is None else {"timeout": timeout(read_timeout)}

        async def once() -> httpx.Response:
            resp = await send(
                self.client,
                method,
                f"{self.base_url}{path}",
                provider=self.name,
                paid=paid,
                headers={**self._auth(), **(headers or {})},
                **extra,
                **kwargs,
            )
            if resp.status_code >= 300 and resp.status_code not in ok:
                raise self._error(resp, model)
            return resp

        return await self.retry.call(once)

    async def _json(self, method: str, path: str, **kwargs: Any) -> dict:
        """_request, answered by a JSON object."""
        data = read_json(await self._request(method, path, **kwargs), self.name)
        if not isinstance(data, dict):
            raise make_error(ErrorKind.MALFORMED, self.name)
        return data
