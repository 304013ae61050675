from __future__ import annotations

import pytest

from storyclip_desktop.providers.elevenlabs import ElevenLabsProvider
from storyclip_desktop.providers.gemini import GeminiProvider
from storyclip_desktop.providers.http import RetryPolicy, make_client
from storyclip_desktop.providers.kling import KlingProvider
from storyclip_desktop.providers.openai import OpenAIProvider
from storyclip_desktop.providers.seedance import SeedanceProvider

from .fakes import FakeElevenLabs, FakeGemini, FakeKling, FakeOpenAI, FakeSeedance


class Waits:
    """Stands in for asyncio.sleep: records what the retry policy asked to wait."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.fixture
def waits():
    return Waits()


@pytest.fixture
def retry(waits):
    return RetryPolicy(max_attempts=3, sleep=waits.sleep)


@pytest.fixture
async def client():
    async with make_client() as c:
        yield c


@pytest.fixture
async def slow_client():
    """A client whose read timeout the fake servers can outlast cheaply."""
    async with make_client(read_timeout=0.3) as c:
        yield c


def _serve(fake):
    with fake as server:
        yield server


@pytest.fixture
def openai_server():
    yield from _serve(FakeOpenAI())


@pytest.fixture
def gemini_server():
    yield from _serve(FakeGemini())


@pytest.fixture
def seedance_server():
    yield from _serve(FakeSeedance())


@pytest.fixture
def kling_server():
    yield from _serve(FakeKling())


@pytest.fixture
def eleven_server():
    yield from _serve(FakeElevenLabs())


@pytest.fixture
def openai(openai_server, client, retry):
    return OpenAIProvider(
        api_key=FakeOpenAI.api_key, client=client, base_url=openai_server.url + "/v1", retry=retry
    )


@pytest.fixture
def gemini(gemini_server, client, retry):
    return GeminiProvider(
        api_key=FakeGemini.api_key, client=client, base_url=gemini_server.url, retry=retry
    )


@pytest.fixture
def seedance(seedance_server, client, retry):
    return SeedanceProvider(
        api_key=FakeSeedance.api_key,
        client=client,
        base_url=seedance_server.url + "/api/v3",
        retry=retry,
    )


@pytest.fixture
def kling(kling_server, client, retry):
    return KlingProvider(
        access_key=FakeKling.access_key,
        secret_key=FakeKling.secret_key,
        client=client,
        base_url=kling_server.url,
        retry=retry,
    )


@pytest.fixture
def eleven(eleven_server, client, retry):
    return ElevenLabsProvider(
        api_key=FakeElevenLabs.api_key, client=client, base_url=eleven_server.url, retry=retry
    )
