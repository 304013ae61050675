"""What every provider behind one API key holds: the key (never shown), the shared
client, its base URL and the retry policy."""

from __future__ import annotations

import httpx

from .endpoints import base_url as default_base_url
from .http import RetryPolicy


class KeyedProvider:
    name: str

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
