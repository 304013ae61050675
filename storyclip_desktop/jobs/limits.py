"""How many calls run at once per provider: the APIs refuse more (Kling's parallel-task
limit, ElevenLabs' plan concurrency), and the local renderer would starve the window."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping

DEFAULT_LIMITS: dict[str, int] = {
    "gemini": 4,
    "openai": 4,
    "seedance": 5,
    "kling": 3,
    "elevenlabs": 2,
    "local": 2,  # per kind: images and clips render side by side
}
ENV = "STORYCLIP_JOB_LIMITS"  # e.g. "kling=5,elevenlabs=3"


def limits_from_env(value: str | None = None) -> dict[str, int]:
    raw = os.environ.get(ENV, "") if value is None else value
    out: dict[str, int] = {}
    for part in raw.split(","):
        name, _, n = part.partition("=")
        if name.strip() and n.strip().isdigit() and int(n) > 0:
            out[name.strip().lower()] = int(n)
    return out


class ProviderLimits:
    def __init__(self, limits: Mapping[str, int] | None = None) -> None:
        self.limits = {**DEFAULT_LIMITS, **limits_from_env(), **dict(limits or {})}
        self._sems: dict[str, asyncio.Semaphore] = {}

    def key(self, provider: str, kind: str) -> str:
        return f"local:{kind}" if provider == "local" else provider

    def limit(self, provider: str) -> int:
        return max(1, int(self.limits.get(provider, 2)))

    def slot(self, provider: str, kind: str) -> asyncio.Semaphore:
        key = self.key(provider, kind)
        sem = self._sems.get(key)
        if sem is None:
            sem = self._sems[key] = asyncio.Semaphore(self.limit(provider))
        return sem
