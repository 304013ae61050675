"""The loopback provider servers the job tests run against, with the environment that
points StoryClip's real clients (and their keys) at them."""

from __future__ import annotations

import pytest

from tests.providers.fakes import FakeGemini, FakeOpenAI, FakeSeedance


@pytest.fixture
def gemini(monkeypatch):
    with FakeGemini() as server:
        monkeypatch.setenv("STORYCLIP_GEMINI_BASE_URL", server.url)
        monkeypatch.setenv("STORYCLIP_GEMINI_API_KEY", server.api_key)
        yield server


@pytest.fixture
def openai(monkeypatch):
    with FakeOpenAI() as server:
        monkeypatch.setenv("STORYCLIP_OPENAI_BASE_URL", server.url + "/v1")
        monkeypatch.setenv("STORYCLIP_OPENAI_API_KEY", server.api_key)
        yield server


@pytest.fixture
def seedance(monkeypatch):
    with FakeSeedance() as server:
        monkeypatch.setenv("STORYCLIP_SEEDANCE_BASE_URL", server.url + "/api/v3")
        monkeypatch.setenv("STORYCLIP_SEEDANCE_API_KEY", server.api_key)
        yield server
