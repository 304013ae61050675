"""Gemini generateContent: structured scene split and image output."""

from __future__ import annotations

import asyncio
import base64
import binascii

import httpx

from .base import ErrorKind, ImageRequest, ImageResult, ProviderError, TextRequest, TextResult
from .endpoints import base_url as default_base_url
from .errors import kind_for_status, make_error
from .http import DEFAULT_RETRY, RetryPolicy, read_json, retry_after, send
from .keyed import KeyedProvider
from .prompts import GEMINI_SCENES_SCHEMA, parse_scenes, scene_split_prompt
from .sizes import fit_png, nearest_ratio, target_size

NAME = "gemini"
ASPECT_RATIOS = ("1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9")


def _retry_delay(details: list) -> float | None:
    """RetryInfo.retryDelay is a protobuf Duration: "37s" in JSON, or seconds/nanos."""
    for d in details:
        if not isinstance(d, dict) or not str(d.get("@type", "")).endswith("RetryInfo"):
            continue
        delay = d.get("retryDelay")
        try:
            if isinstance(delay, str) and delay.endswith("s"):
                return float(delay[:-1])
            if isinstance(delay, dict):
                return float(delay.get("seconds", 0)) + float(delay.get("nanos", 0)) / 1e9
        except ValueError:
            return None
    return None


def _per_day_quota(details: list) -> bool:
    for d in details:
        if isinstance(d, dict) and str(d.get("@type", "")).endswith("QuotaFailure"):
            for v in d.get("violations") or []:
                if "perday" in str(v.get("quotaId", "")).lower():
                    return True
    return False


def _error(resp: httpx.Response, secrets: tuple[str, ...]) -> ProviderError:
    try:
        err = resp.json().get("error") or {}
    except (ValueError, AttributeError):
        err = {}
    err = err if isinstance(err, dict) else {}
    message = str(err.get("message") or "")
    details = err.get("details") if isinstance(err.get("details"), list) else []
    reasons = {str(d.get("reason")) for d in details if isinstance(d, dict)}
    status = resp.status_code
    if status == 429 and _per_day_quota(details):
        # a per-day quota resets tomorrow: fail now rather than retry for hours
        return make_error(ErrorKind.QUOTA, NAME, "the daily quota is used up", retryable=False)
    if "API key not valid" in message or "API_KEY_INVALID" in reasons or status in (401, 403):
        return make_error(ErrorKind.BAD_KEY, NAME)
    kind = kind_for_status(status)
    detail = message if kind is ErrorKind.BAD_REQUEST else ""
    hint = _retry_delay(details)
    return make_error(
        kind,
        NAME,
        detail,
        retry_after=hint if hint is not None else retry_after(resp.headers),
        secrets=secrets,
    )


def _blocked(data: dict) -> None:
    feedback = data.get("promptFeedback") or {}
    if feedback.get("blockReason"):
        reason = str(feedback["blockReason"])
        extra = feedback.get("blockReasonMessage")
        raise make_error(ErrorKind.REFUSED, NAME, f"{reason}: {extra}" if extra else reason)


def _candidate(data: dict) -> dict:
    _blocked(data)
    candidates = data.get("candidates") or []
    if not candidates or not isinstance(candidates[0], dict):
        raise make_error(ErrorKind.MALFORMED, NAME, "no candidates came back")
    return candidates[0]


def _parts(candidate: dict) -> list[dict]:
    parts = (candidate.get("content") or {}).get("parts") or []
    return [p for p in parts if isinstance(p, dict)]


def _text(candidate: dict) -> str:
    return "".join(str(p.get("text", "")) for p in _parts(candidate) if not p.get("thought"))


def _usage(data: dict) -> int:
    try:
        return int((data.get("usageMetadata") or {}).get("totalTokenCount") or 0)
    except (TypeError, ValueError):
        return 0


async def check_key(client: httpx.AsyncClient, api_key: str, base_url: str | None = None) -> None:
    """Raise ProviderError (BAD_KEY when the key is rejected) unless the key works."""
    url = (base_url or default_base_url(NAME)).rstrip("/") + "/v1beta/models"
    resp = await send(client, "GET", url, provider=NAME, headers={"x-goog-api-key": api_key})
    if resp.status_code != 200:
        raise _error(resp, (api_key,))


class GeminiProvider(KeyedProvider):
    name = NAME
    token_type = "gemini"

    def __init__(
        self,
        *,
        api_key: str,
        client: httpx.AsyncClient,
        base_url: str | None = None,
        retry: RetryPolicy = DEFAULT_RETRY,
        text_model: str = "gemini-2.5-flash",
        image_model: str = "gemini-2.5-flash-image",
    ) -> None:
        super().__init__(api_key=api_key, client=client, base_url=base_url, retry=retry)
        self.text_model = text_model
        self.image_model = image_model


    async def check_key(self) -> None:
        await check_key(self._client, self._api_key, self.base_url)

    async def _generate(self, model: str, body: dict) -> dict:
        url = f"{self.base_url}/v1beta/models/{model}:generateContent"

        async def once() -> dict:
            resp = await send(
                self._client,
                "POST",
                url,
                provider=NAME,
                paid=True,
                json=body,
                headers={"x-goog-api-key": self._api_key},
            )
            if resp.status_code != 200:
                raise _error(resp, (self._api_key,))
            data = read_json(resp, NAME)
            if not isinstance(data, dict):
                raise make_error(ErrorKind.MALFORMED, NAME)
            return data

        return await self._retry.call(once)

    async def split_script(self, req: TextRequest) -> TextResult:
        body = {
            "contents": [{"role": "user", "parts": [{"text": scene_split_prompt(req)}]}],
            "generationConfig": {
                "responseMimeType": "application/json",
                "responseSchema": GEMINI_SCENES_SCHEMA,
            },
        }
        data = await self._generate(self.text_model, body)
        candidate = _candidate(data)
        text = _text(candidate)
        reason = str(candidate.get("finishReason") or "")
        if not text and reason not in ("", "STOP"):
            raise make_error(ErrorKind.REFUSED, NAME, reason)
        if reason == "MAX_TOKENS":
            raise make_error(
                ErrorKind.MALFORMED, NAME, "the answer was cut off; try a shorter script"
            )
        return TextResult(
            scenes=parse_scenes(text, NAME), usage_tokens=_usage(data), model=self.text_model
        )

    async def generate_image(self, req: ImageRequest) -> ImageResult:
        width, height = target_size(req.ratio, req.resolution)
        aspect = nearest_ratio(req.ratio, ASPECT_RATIOS)
        prompt = (
            req.prompt
            if not req.negative_prompt
            else f"{req.prompt}\n\nAvoid: {req.negative_prompt}"
        )
        body = {
            "contents": [{"role": "user", "parts": [{"text": prompt}]}],
            "generationConfig": {
                "responseModalities": ["IMAGE"],
                "imageConfig": {"aspectRatio": aspect},
            },
        }
        data = await self._generate(self.image_model, body)
        candidate = _candidate(data)
        for part in _parts(candidate):
            # the REST API says inlineData; some proxies pass protobuf's inline_data through
            inline = part.get("inlineData") or part.get("inline_data")
            if isinstance(inline, dict) and inline.get("data"):
                try:
                    raw = base64.b64decode(inline["data"], validate=True)
                    # Decoding and resizing takes tens of ms: keep it off the event loop.
                    png = await asyncio.to_thread(fit_png, raw, width, height)
                except (binascii.Error, OSError, ValueError):
                    raise make_error(
                        ErrorKind.MALFORMED, NAME, "the image could not be read"
                    ) from None
                return ImageResult(
                    png=png,
                    width=width,
                    height=height,
                    usage_tokens=_usage(data),
                    model=self.image_model,
                    meta={"aspect_ratio": aspect},
                )
        reason = str(candidate.get("finishReason") or "")
        said = str(candidate.get("finishMessage") or "") or _text(candidate).strip()
        detail = ": ".join(x for x in (reason if reason != "STOP" else "", said) if x)
        raise make_error(ErrorKind.REFUSED, NAME, detail or "no image was returned")
