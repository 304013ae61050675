"""The loopback provider servers the job tests run against, with the environment that
points StoryClip's real clients (and their keys) at them."""

from __future__ import annotations

import pytest

from tests.providers.fakes import FakeGemini, FakeOpenAI, FakeSeedance


def pointed_at(monkeypatch, server, provider: str, path: str = ""):
    """Point `provider`'s base URL and key at this running server."""
    monkeypatch.setenv(f"STORYCLIP_{provider.upper()}_BASE_URL", server.url + path)
    monkeypatch.setenv(f"STORYCLIP_{provider.upper()}_API_KEY", server.api_key)
    return server


@pytest.fixture
def gemini(monkeypatch):
    with FakeGemini() as server:
        yield pointed_at(monkeypatch, server, "gemini")


@pytest.fixture
def openai(monkeypatch):
    with FakeOpenAI() as server:
        yield pointed_at(monkeypatch, server, "openai", "/v1")


@pytest.fixture
def seedance(monkeypatch):
    with FakeSeedance() as server:
        yield pointed_at(monkeypatch, server, "seedance", "/api/v3")
