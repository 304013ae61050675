"""Default base URLs, overridable per provider so a client can be pointed at a local server."""

from __future__ import annotations

import os

DEFAULTS: dict[str, str] = {
    "openai": "https://api.openai.com/v1",
    "gemini": "https://generativelanguage.googleapis.com",
    "seedance": "https://ark.ap-southeast.bytepluses.com/api/v3",
    "kling": "https://api-singapore.klingai.com",
    "elevenlabs": "https://api.elevenlabs.io",
}


def base_url(provider: str) -> str:
    """The base URL for `provider`, from STORYCLIP_<PROVIDER>_BASE_URL if set."""
    if provider not in DEFAULTS:
        raise ValueError(f"unknown provider {provider!r}")
    override = os.environ.get(f"STORYCLIP_{provider.upper()}_BASE_URL", "").strip()
    return (override or DEFAULTS[provider]).rstrip("/")
