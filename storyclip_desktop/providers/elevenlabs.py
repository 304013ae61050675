"""ElevenLabs text-to-speech with character timestamps for subtitles."""

from __future__ import annotations

import base64
import binascii

import httpx

from ..domain.model_catalog import default_model
from .base import ErrorKind, NarrationRequest, NarrationResult, ProviderError
from .errors import kind_for_status, make_error, model_unavailable, scrub
from .http import read_json, retry_after
from .keyed import KeyedProvider

NAME = "elevenlabs"
VOICES = {"Bin": "s07IwTCOrCDCaETjUVjx", "Otani": "3JDquces8E8bkmvbh6Bc"}
_BUSY = {"too_many_concurrent_requests", "system_busy"}
_QUOTA = {"quota_exceeded", "payment_required", "insufficient_credits"}
_MODEL = {"model_not_found", "invalid_model_id", "model_deprecated"}


def _detail(resp: httpx.Response) -> tuple[str, str]:
    """(status, message) from {"detail": {...}}, a 422 list, or a bare string."""
    try:
        detail = resp.json().get("detail")
    except (ValueError, AttributeError):
        return "", ""
    if isinstance(detail, dict):
        return str(detail.get("status") or ""), str(detail.get("message") or "")
    if isinstance(detail, list):
        return "", "; ".join(
            str(d.get("msg", d)) if isinstance(d, dict) else str(d) for d in detail
        )
    return "", str(detail or "")


def _error(resp: httpx.Response, secrets: tuple[str, ...], model: str = "") -> ProviderError:
    status, message = _detail(resp)
    message = scrub(message, secrets)
    if status in _QUOTA:
        return make_error(ErrorKind.QUOTA, NAME, retryable=False)
    if status in _MODEL:
        return model_unavailable(NAME, model or "asked for")
    if status == "invalid_api_key" or resp.status_code == 401:
        return make_error(ErrorKind.BAD_KEY, NAME)
    if status in _BUSY:
        return make_error(ErrorKind.RATE_LIMITED, NAME, retry_after=retry_after(resp.headers))
    if status == "voice_not_found":
        return make_error(ErrorKind.NOT_FOUND, NAME, "the voice does not exist")
    kind = kind_for_status(resp.status_code)
    return make_error(
        kind,
        NAME,
        message if kind is ErrorKind.BAD_REQUEST else "",
        retry_after=retry_after(resp.headers),
    )


def _mime(output_format: str) -> str:
    if output_format.startswith("mp3"):
        return "audio/mpeg"
    if output_format.startswith("wav"):
        return "audio/wav"
    return "application/octet-stream"


class ElevenLabsProvider(KeyedProvider):
    name = NAME
    key_header = "xi-api-key"
    key_prefix = ""
    read_error = staticmethod(_error)
    model: str = default_model(NAME, "narration")
    output_format: str = "mp3_44100_128"
    similarity_boost: float = 0.75

    async def check_key(self) -> None:
        resp = await self._request("GET", "/v1/user", ok=(401, 403))
        # a key scoped to TTS only may not read the user, yet it authenticated fine
        if resp.status_code < 300 or _detail(resp)[0] == "missing_permissions":
            return
        raise self._error(resp)

    async def list_models(self) -> list[str]:
        data = read_json(await self._request("GET", "/v1/models"), NAME)
        items = data if isinstance(data, list) else []
        return [
            str(m["model_id"]) for m in items
            if isinstance(m, dict) and m.get("model_id") and m.get("can_do_text_to_speech", True)
        ]

    async def narrate(self, req: NarrationRequest) -> NarrationResult:
        voice_id = VOICES.get(req.voice)
        if voice_id is None:
            raise make_error(ErrorKind.BAD_REQUEST, NAME, f"unknown voice {req.voice!r}")
        path = f"/v1/text-to-speech/{voice_id}/with-timestamps"
        body = {
            "text": req.text,
            "model_id": self.model,
            "language_code": req.language,
            "voice_settings": {
                "stability": min(1.0, max(0.0, float(req.stability))),
                "similarity_boost": self.similarity_boost,
            },
        }

        data = await self._json(
            "POST", path, paid=True, params={"output_format": self.output_format}, json=body,
            model=self.model,
        )
        # `alignment` follows the text as sent, so scene texts line up with it;
        # `normalized_alignment` spells numbers out ("3" -> "three") and is only a fallback.
        normalized = data.get("normalized_alignment") or None
        alignment = data.get("alignment") or normalized
        try:
            audio = base64.b64decode(data["audio_base64"], validate=True)
            ends = alignment["character_end_times_seconds"]
            duration = float(ends[-1]) if ends else 0.0
        except (KeyError, TypeError, ValueError, IndexError, binascii.Error):
            raise make_error(
                ErrorKind.MALFORMED, NAME, "the audio or its timing was missing"
            ) from None
        return NarrationResult(
            audio=audio,
            mime=_mime(self.output_format),
            alignment=alignment,
            usage_chars=len(req.text),
            model=self.model,
            duration_s=duration,
            normalized_alignment=normalized if isinstance(normalized, dict) else None,
        )
