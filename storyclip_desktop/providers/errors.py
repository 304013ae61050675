"""One user-facing English message per error kind, and the status-code defaults."""

from __future__ import annotations

from collections.abc import Iterable

import httpx

from ..domain.providers import label
from .base import ErrorKind, ProviderError

_TEMPLATES = {
    ErrorKind.BAD_KEY: "{p} rejected the API key. Check the key in Settings.",
    ErrorKind.QUOTA: "Your {p} account is out of credit or quota. Retrying will not help until it is topped up or the quota resets.",
    ErrorKind.REFUSED: "{p} refused this content: {d}",
    ErrorKind.RATE_LIMITED: "{p} is rate limiting requests. Try again in a moment.",
    ErrorKind.SERVER_DOWN: "{p} is not responding properly right now. Try again later.",
    ErrorKind.BAD_REQUEST: "{p} rejected the request: {d}",
    ErrorKind.TIMEOUT: "{p} took too long to answer. Try again later.",
    ErrorKind.NOT_FOUND: "{p} could not find what was asked for.",
    ErrorKind.MALFORMED: "{p} sent an answer the app could not read.",
    ErrorKind.MODEL_UNAVAILABLE: (
        "{p} does not offer the model {d}: it is retired or unknown to this key. "
        "Choose another in Settings › Models."
    ),
}

# Kinds that clear up by themselves; the rest need the user to change something.
_RETRYABLE = {ErrorKind.RATE_LIMITED, ErrorKind.SERVER_DOWN, ErrorKind.TIMEOUT}
_MAX_DETAIL = 300


def scrub(text: str, secrets: Iterable[str]) -> str:
    """Remove secrets a provider may echo back (e.g. "Incorrect API key provided: sk-...")."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    text = " ".join(text.split())
    return text if len(text) <= _MAX_DETAIL else text[: _MAX_DETAIL - 1] + "…"


def retryable_by_default(kind: ErrorKind) -> bool:
    return kind in _RETRYABLE


def model_unavailable(provider: str, model: str) -> ProviderError:
    """The provider refused the request because of its model: never worth a retry."""
    return make_error(ErrorKind.MODEL_UNAVAILABLE, provider, repr(model), retryable=False)


def make_error(
    kind: ErrorKind,
    provider: str,
    detail: str = "",
    *,
    retryable: bool | None = None,
    retry_after: float | None = None,
    secrets: Iterable[str] = (),
) -> ProviderError:
    name = label(provider)
    detail = scrub(detail or "", secrets)
    template = _TEMPLATES[kind]
    if "{d}" in template:
        message = template.format(p=name, d=detail or "no reason given")
    else:
        message = template.format(p=name)
        if detail:
            message = f"{message} ({detail})"
    return ProviderError(
        kind,
        message,
        retryable=kind in _RETRYABLE if retryable is None else retryable,
        retry_after=retry_after,
        provider=provider,
    )


def error_object(resp: httpx.Response) -> dict:
    """The `error` object of a JSON error body (OpenAI, Gemini, Ark); {} when there is none."""
    try:
        err = resp.json().get("error") or {}
    except (ValueError, AttributeError):
        return {}
    return err if isinstance(err, dict) else {}


def kind_for_status(status: int) -> ErrorKind:
    """The usual meaning of an HTTP status; providers refine it from their error bodies."""
    if status in (401, 403):
        return ErrorKind.BAD_KEY
    if status == 402:
        return ErrorKind.QUOTA
    if status == 404:
        return ErrorKind.NOT_FOUND
    if status == 408:
        return ErrorKind.TIMEOUT
    if status == 429:
        return ErrorKind.RATE_LIMITED
    if status >= 500:
        return ErrorKind.SERVER_DOWN
    return ErrorKind.BAD_REQUEST
