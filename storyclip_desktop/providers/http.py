"""The shared HTTP client and the single retry policy every provider uses."""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

import httpx
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from .base import ErrorKind, ProviderError
from .errors import make_error

log = logging.getLogger(__name__)
T = TypeVar("T")

CONNECT_TIMEOUT = 10.0
DEFAULT_READ_TIMEOUT = 60.0
GPT_IMAGE_READ_TIMEOUT = 180.0  # gpt-image-1 answers in 30-120 s


def timeout(read: float = DEFAULT_READ_TIMEOUT, connect: float = CONNECT_TIMEOUT) -> httpx.Timeout:
    return httpx.Timeout(read, connect=connect)


def make_client(
    read_timeout: float = DEFAULT_READ_TIMEOUT,
    *,
    connect_timeout: float = CONNECT_TIMEOUT,
    transport: httpx.AsyncBaseTransport | None = None,
) -> httpx.AsyncClient:
    """The one client all providers share. Redirects stay off: auth headers such as
    x-goog-api-key would follow a redirect to another host; downloads opt in per request."""
    return httpx.AsyncClient(
        timeout=timeout(read_timeout, connect_timeout),
        follow_redirects=False,
        transport=transport,
        headers={"User-Agent": "StoryClip-Desktop"},
    )


async def send(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    *,
    provider: str,
    paid: bool = False,
    **kwargs: Any,
) -> httpx.Response:
    """client.request with transport failures turned into ProviderErrors."""
    try:
        return await client.request(method, url, **kwargs)
    except httpx.TransportError as exc:
        raise transport_error(exc, provider, paid=paid) from exc


def transport_error(
    exc: httpx.TransportError, provider: str, *, paid: bool = False
) -> ProviderError:
    """Timeouts and dropped connections are worth retrying, except after a paid request
    was sent: the provider may have done (and billed) the work, and a retry could pay
    twice for one request."""
    never_sent = isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
    if isinstance(exc, httpx.TimeoutException) and not isinstance(exc, httpx.ConnectTimeout):
        kind = ErrorKind.TIMEOUT
    else:
        kind = ErrorKind.SERVER_DOWN
    if paid and not never_sent:
        return make_error(
            kind,
            provider,
            "it may have been processed (and charged) anyway; check before trying again",
            retryable=False,
        )
    return make_error(kind, provider, retryable=True)


def read_json(resp: httpx.Response, provider: str) -> Any:
    try:
        return resp.json()
    except ValueError:
        raise make_error(ErrorKind.MALFORMED, provider, "the answer was not valid JSON") from None


def retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds to wait from retry-after-ms (OpenAI) or Retry-After (seconds or HTTP date)."""
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def should_retry(headers: Mapping[str, str], default: bool) -> bool:
    """OpenAI's x-should-retry header overrides what the status code suggests."""
    value = headers.get("x-should-retry", "").strip().lower()
    if value == "true":
        return True
    if value == "false":
        return False
    return default


@dataclass(frozen=True)
class RetryPolicy:
    """Retries retryable ProviderErrors, waiting the provider's hint or a jittered backoff.

    A hint longer than max_wait is not worth blocking a worker for: the error is raised
    at once, still carrying retry_after, so the caller can reschedule the job instead.
    """

    max_attempts: int = 5
    max_wait: float = 60.0
    initial: float = 1.0
    jitter: float = 1.0
    sleep: Callable[[float], Awaitable[None]] = field(default=asyncio.sleep)

    def retries(self, exc: BaseException) -> bool:
        if not isinstance(exc, ProviderError) or not exc.retryable:
            return False
        return exc.retry_after is None or exc.retry_after <= self.max_wait

    def wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, ProviderError) and exc.retry_after is not None:
            return min(exc.retry_after, self.max_wait)
        backoff = self.initial * 2 ** (state.attempt_number - 1) + random.uniform(0, self.jitter)
        return min(backoff, self.max_wait)

    async def call(self, fn: Callable[[], Awaitable[T]]) -> T:
        retrying = AsyncRetrying(
            retry=retry_if_exception(self.retries),
            stop=stop_after_attempt(self.max_attempts),
            wait=self.wait,
            sleep=self.sleep,
            before_sleep=_log_retry,
            reraise=True,
        )
        return await retrying(fn)


def _log_retry(state: RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome else None
    if isinstance(exc, ProviderError):
        wait = state.next_action.sleep if state.next_action else 0.0
        log.info(
            "%s: %s on attempt %d, retrying in %.1f s",
            exc.provider,
            exc.kind.value,
            state.attempt_number,
            wait,
        )


DEFAULT_RETRY = RetryPolicy()
