"""Gemini generateContent: structured scene split and image output."""

from __future__ import annotations

import base64

import httpx

from ..domain.model_catalog import default_model
from .base import ErrorKind, ImageRequest, ImageResult, ProviderError, TextRequest, TextResult
from .errors import error_object, kind_for_status, make_error, model_unavailable
from .http import retry_after
from .keyed import KeyedProvider
from .prompts import (
    GEMINI_SCENES_SCHEMA,
    image_prompt_with_references,
    parse_scenes,
    scene_split_prompt,
)
from .sizes import fitted_png, nearest_ratio, target_size

NAME = "gemini"
API_VERSION = "v1"  # the stable path google-genai 3.x sends to
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


def _error(resp: httpx.Response, secrets: tuple[str, ...], model: str = "") -> ProviderError:
    err = error_object(resp)
    message = str(err.get("message") or "")
    details = err.get("details") if isinstance(err.get("details"), list) else []
    reasons = {str(d.get("reason")) for d in details if isinstance(d, dict)}
    status = resp.status_code
    if status == 429 and _per_day_quota(details):
        # a per-day quota resets tomorrow: fail now rather than retry for hours
        return make_error(ErrorKind.QUOTA, NAME, "the daily quota is used up", retryable=False)
    if "API key not valid" in message or "API_KEY_INVALID" in reasons or status in (401, 403):
        return make_error(ErrorKind.BAD_KEY, NAME)
    if model and status == 404 and "models/" in message:
        # "models/x is not found for API version v1, or is not supported for generateContent"
        return model_unavailable(NAME, model)
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


class GeminiProvider(KeyedProvider):
    name = NAME
    key_header = "x-goog-api-key"
    key_prefix = ""
    read_error = staticmethod(_error)
    text_model: str = default_model(NAME, "text")
    image_model: str = default_model(NAME, "image")

    async def check_key(self) -> None:
        await self.list_models(pages=1)

    async def list_models(self, pages: int = 20) -> list[str]:
        ids: list[str] = []
        params: dict[str, str] = {}  # the SDK sends no page size: the server's default
        for _ in range(pages):
            data = await self._json("GET", f"/{API_VERSION}/models", params=params)
            for m in data.get("models") or []:
                if isinstance(m, dict) and m.get("name"):
                    ids.append(str(m["name"]).removeprefix("models/"))
            token = data.get("nextPageToken")
            if not token:
                break
            params = {**params, "pageToken": str(token)}
        return ids

    async def _generate(self, model: str, body: dict) -> dict:
        path = f"/{API_VERSION}/models/{model}:generateContent"
        return await self._json("POST", path, paid=True, json=body, model=model)

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
        prompt = image_prompt_with_references(req.prompt, req.negative_prompt, req.references)
        # Reference images ride as inline image parts after the text (characters, style),
        # spelled as google-genai 3.x sends a Blob: inlineData {data, mime_type}.
        parts: list[dict] = [{"text": prompt}]
        parts += [
            {"inlineData": {"data": base64.b64encode(ref.data).decode("ascii"), "mime_type": ref.mime}}
            for ref in req.references
        ]
        config: dict = {"responseModalities": ["IMAGE"], "imageConfig": {"aspectRatio": aspect}}
        if req.seed is not None:
            config["seed"] = req.seed  # google-genai: GenerateContentConfig.seed
        body = {"contents": [{"role": "user", "parts": parts}], "generationConfig": config}
        data = await self._generate(self.image_model, body)
        candidate = _candidate(data)
        for part in _parts(candidate):
            # the REST API says inlineData; some proxies pass protobuf's inline_data through
            inline = part.get("inlineData") or part.get("inline_data")
            if isinstance(inline, dict) and inline.get("data"):
                try:
                    png = await fitted_png(inline["data"], width, height)
                except (OSError, ValueError):
                    raise make_error(
                        ErrorKind.MALFORMED, NAME, "the image could not be read"
                    ) from None
                return ImageResult(
                    png=png,
                    width=width,
                    height=height,
                    usage_tokens=_usage(data),
                    model=self.image_model,
                    meta={"aspect_ratio": aspect, "references_sent": len(req.references)},
                )
        reason = str(candidate.get("finishReason") or "")
        said = str(candidate.get("finishMessage") or "") or _text(candidate).strip()
        detail = ": ".join(x for x in (reason if reason != "STOP" else "", said) if x)
        raise make_error(ErrorKind.REFUSED, NAME, detail or "no image was returned")
