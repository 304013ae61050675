"""What every provider behind one API key holds (the key, never shown; the shared client;
its base URL; the retry policy) and the one authenticated request they all send."""

from __future__ import annotations

from typing import Any

import httpx

from .base import ErrorKind, ProviderError
from .endpoints import base_url as default_base_url
from .errors import make_error
from .http import RetryPolicy, read_json, send, timeout


class KeyedProvider:
    name: str
    key_header = "Authorization"  # Gemini: x-goog-api-key, ElevenLabs: xi-api-key
    key_prefix = "Bearer "

    def __init__(
        self, *, api_key: str, client: httpx.AsyncClient, base_url: str | None, retry: RetryPolicy
    ) -> None:
        self._api_key = api_key
        self._client = client
        self.base_url = (base_url or default_base_url(self.name)).rstrip("/")
        self._retry = retry

    def __repr__(self) -> str:
        # The key must never reach a log line or a traceback through a repr.
        return f"{type(self).__name__}(base_url={self.base_url!r}, api_key='***')"

    def _error(self, resp: httpx.Response, model: str = "") -> ProviderError:
        """The provider's error body as one user-facing ProviderError (scrubbed of the key);
        `model` is the id the request asked for, named when the provider refuses it."""
        raise NotImplementedError

    def _auth(self) -> dict[str, str]:
        return {self.key_header: f"{self.key_prefix}{self._api_key}"}

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
                self._client,
                method,
                self.base_url + path,
                provider=self.name,
                paid=paid,
                headers={**self._auth(), **(headers or {})},
                **extra,
                **kwargs,
            )
            if resp.status_code >= 300 and resp.status_code not in ok:
                raise self._error(resp, model)
            return resp

        return await self._retry.call(once)

    async def _json(self, method: str, path: str, **kwargs: Any) -> dict:
        """_request, answered by a JSON object."""
        data = read_json(await self._request(method, path, **kwargs), self.name)
        if not isinstance(data, dict):
            raise make_error(ErrorKind.MALFORMED, self.name)
        return data
