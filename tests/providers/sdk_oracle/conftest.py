from __future__ import annotations

import asyncio

import pytest

from storyclip_desktop.providers.http import RetryPolicy, make_client

from .wire import CaptureServer

ONE_TRY = RetryPolicy(max_attempts=1)


@pytest.fixture
def server():
    with CaptureServer() as s:
        yield s


def run_ours(make, call):
    """Build StoryClip's provider on a fresh client and make one call; what it sent is
    in the capture server (an answer it cannot use is not this test's concern)."""

    async def go():
        async with make_client() as client:
            provider = make(client)
            return await call(provider)

    return asyncio.run(go())
