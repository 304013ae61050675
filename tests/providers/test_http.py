from __future__ import annotations

import email.utils
import time

import httpx
import pytest

from storyclip_desktop.providers.base import ErrorKind, ProviderError
from storyclip_desktop.providers.endpoints import DEFAULTS, base_url
from storyclip_desktop.providers.http import (
    RetryPolicy,
    make_client,
    retry_after,
    should_retry,
    transport_error,
)

pytestmark = pytest.mark.anyio


def test_retry_after_prefers_milliseconds():
    assert retry_after(httpx.Headers({"retry-after-ms": "1500", "retry-after": "9"})) == 1.5


def test_retry_after_seconds_and_http_date():
    assert retry_after(httpx.Headers({"Retry-After": "7"})) == 7.0
    now = time.time()
    date = email.utils.formatdate(now + 20, usegmt=True)
    assert 18.5 <= retry_after(httpx.Headers({"Retry-After": date}), now=now) <= 20.5
    assert retry_after(httpx.Headers({"Retry-After": "soon"})) is None
    assert retry_after(httpx.Headers({})) is None


def test_should_retry_header_overrides_both_ways():
    assert should_retry(httpx.Headers({"x-should-retry": "false"}), True) is False
    assert should_retry(httpx.Headers({"x-should-retry": "true"}), False) is True
    assert should_retry(httpx.Headers({}), True) is True


def _flaky(*errors: ProviderError):
    calls = []

    async def fn():
        calls.append(1)
        if len(calls) <= len(errors):
            raise errors[len(calls) - 1]
        return "ok"

    return fn, calls


def _err(kind=ErrorKind.SERVER_DOWN, retryable=True, retry_after=None):
    return ProviderError(kind, "boom", retryable=retryable, retry_after=retry_after, provider="x")


async def test_policy_honours_hint_then_backs_off_with_jitter(waits):
    policy = RetryPolicy(max_attempts=5, sleep=waits.sleep)
    fn, calls = _flaky(_err(retry_after=12.5), _err(), _err())
    assert await policy.call(fn) == "ok"
    assert len(calls) == 4
    assert waits.waits[0] == 12.5
    # initial 1 s doubling, plus up to 1 s of jitter
    assert 2 <= waits.waits[1] <= 3
    assert 4 <= waits.waits[2] <= 5


async def test_policy_caps_attempts_and_reraises_the_last_error(waits):
    policy = RetryPolicy(max_attempts=3, sleep=waits.sleep)
    fn, calls = _flaky(*[_err()] * 10)
    with pytest.raises(ProviderError) as info:
        await policy.call(fn)
    assert info.value.kind is ErrorKind.SERVER_DOWN
    assert len(calls) == 3 and len(waits.waits) == 2


async def test_policy_caps_backoff_at_max_wait(waits):
    policy = RetryPolicy(max_attempts=6, max_wait=3.0, sleep=waits.sleep)
    fn, _ = _flaky(*[_err()] * 5)
    await policy.call(fn)
    assert max(waits.waits) == 3.0


async def test_policy_gives_up_at_once_when_the_hint_is_beyond_max_wait(waits):
    policy = RetryPolicy(max_wait=60, sleep=waits.sleep)
    fn, calls = _flaky(_err(ErrorKind.RATE_LIMITED, retry_after=3600))
    with pytest.raises(ProviderError) as info:
        await policy.call(fn)
    assert info.value.retry_after == 3600
    assert len(calls) == 1 and waits.waits == []


async def test_policy_does_not_retry_final_errors_or_bugs(waits):
    policy = RetryPolicy(sleep=waits.sleep)
    fn, calls = _flaky(_err(ErrorKind.QUOTA, retryable=False))
    with pytest.raises(ProviderError):
        await policy.call(fn)
    assert len(calls) == 1

    async def bug():
        calls.append(1)
        raise KeyError("x")

    with pytest.raises(KeyError):
        await policy.call(bug)
    assert len(calls) == 2 and waits.waits == []


def test_transport_errors_map_to_retryable_timeout_or_server_down():
    request = httpx.Request("GET", "http://x")
    read = transport_error(httpx.ReadTimeout("t", request=request), "gemini")
    assert (read.kind, read.retryable) == (ErrorKind.TIMEOUT, True)
    assert read.message == "Gemini took too long to answer. Try again later."
    down = transport_error(httpx.ConnectError("refused", request=request), "gemini")
    assert (down.kind, down.retryable) == (ErrorKind.SERVER_DOWN, True)


def test_transport_errors_after_a_paid_request_was_sent_are_not_retried():
    request = httpx.Request("POST", "http://x")
    sent = transport_error(httpx.ReadTimeout("t", request=request), "seedance", paid=True)
    assert (sent.kind, sent.retryable) == (ErrorKind.TIMEOUT, False)
    assert "may have been processed (and charged)" in sent.message
    never_sent = transport_error(
        httpx.ConnectError("refused", request=request), "seedance", paid=True
    )
    assert never_sent.retryable is True


async def test_client_timeouts():
    async with make_client() as c:
        assert (c.timeout.connect, c.timeout.read) == (10.0, 60.0)
    async with make_client(read_timeout=180) as c:
        assert (c.timeout.connect, c.timeout.read) == (10.0, 180.0)
        assert c.follow_redirects is False


def test_base_url_defaults_and_env_override(monkeypatch):
    for name in DEFAULTS:
        monkeypatch.delenv(f"STORYCLIP_{name.upper()}_BASE_URL", raising=False)
    assert base_url("openai") == "https://api.openai.com/v1"
    assert base_url("seedance") == "https://ark.ap-southeast.bytepluses.com/api/v3"
    monkeypatch.setenv("STORYCLIP_KLING_BASE_URL", "http://127.0.0.1:9999/")
    assert base_url("kling") == "http://127.0.0.1:9999"
    monkeypatch.setenv("STORYCLIP_ELEVENLABS_BASE_URL", "http://127.0.0.1:9998")
    assert base_url("elevenlabs") == "http://127.0.0.1:9998"
    with pytest.raises(ValueError):
        base_url("midjourney")
