"""Streaming a finished clip to disk, shared by the clip providers."""

from __future__ import annotations

from pathlib import Path

import httpx

from .base import ErrorKind, ProviderError
from .errors import make_error
from .http import RetryPolicy, transport_error


async def download_to(
    client: httpx.AsyncClient, url: str, dest: Path, *, provider: str, retry: RetryPolicy
) -> int:
    """Stream url to dest; return bytes written. A cut stream, 403 or 5xx raises a retryable
    error, so only the download is repeated, never the paid generation."""

    async def attempt() -> int:
        try:
            return await _stream_once(client, url, dest, provider)
        except ProviderError:
            dest.unlink(missing_ok=True)
            raise

    return await retry.call(attempt)


async def _stream_once(client: httpx.AsyncClient, url: str, dest: Path, provider: str) -> int:
    written = 0
    try:
        # presigned URLs: no auth headers are sent, so following redirects is safe here
        async with client.stream("GET", url, follow_redirects=True) as resp:
            if resp.status_code == 403 or resp.status_code >= 500:
                raise make_error(
                    ErrorKind.SERVER_DOWN,
                    provider,
                    f"download failed with HTTP {resp.status_code}",
                    retryable=True,
                )
            if resp.status_code == 404 or resp.status_code == 410:
                raise make_error(ErrorKind.NOT_FOUND, provider, "the video link has expired")
            if resp.status_code >= 400:
                raise make_error(
                    ErrorKind.BAD_REQUEST, provider, f"download failed with HTTP {resp.status_code}"
                )
            # with a content-encoding, Content-Length counts the encoded bytes, not ours
            encoded = resp.headers.get("content-encoding", "identity") != "identity"
            expected = None if encoded else resp.headers.get("content-length")
            with dest.open("wb") as fh:
                async for chunk in resp.aiter_bytes():
                    fh.write(chunk)
                    written += len(chunk)
    except httpx.TransportError as exc:
        err = transport_error(exc, provider)
        raise (
            _cut_off(provider, written) if written and err.kind is ErrorKind.SERVER_DOWN else err
        ) from exc
    if expected is not None and expected.isdigit() and written != int(expected):
        raise _cut_off(provider, written)
    return written


def _cut_off(provider: str, written: int) -> ProviderError:
    return make_error(
        ErrorKind.SERVER_DOWN,
        provider,
        f"the download was cut off after {written} bytes",
        retryable=True,
    )
