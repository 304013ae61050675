"""OpenAI: chat completions (scene split) and the GPT image models (images)."""

from __future__ import annotations

import httpx

from ..domain.model_catalog import default_model
from .base import (
    ErrorKind,
    ImageRequest,
    ImageResult,
    ProviderError,
    ReferenceImage,
    TextRequest,
    TextResult,
)
from .errors import (
    error_object,
    kind_for_status,
    make_error,
    model_unavailable,
    retryable_by_default,
)
from .http import GPT_IMAGE_READ_TIMEOUT, retry_after, should_retry
from .keyed import KeyedProvider
from .prompts import SCENES_SCHEMA, image_prompt_with_references, parse_scenes, scene_split_prompt
from .sizes import fitted_png, nearest_ratio, target_size

NAME = "openai"
IMAGE_SIZES = ("1024x1024", "1536x1024", "1024x1536")
_SUFFIX = {"image/png": ".png", "image/jpeg": ".jpg", "image/webp": ".webp"}
_REFUSAL_CODES = {"content_policy_violation", "moderation_blocked"}
_MODEL_CODES = {"model_not_found", "model_deprecated", "model_retired"}


def _error(resp: httpx.Response, secrets: tuple[str, ...], model: str = "") -> ProviderError:
    err = error_object(resp)
    code = str(err.get("code") or "")
    message = str(err.get("message") or "")
    status = resp.status_code
    if code == "insufficient_quota" or err.get("type") == "insufficient_quota":
        # out of credit: no header can make a retry succeed
        return make_error(ErrorKind.QUOTA, NAME, retryable=False)
    if code in _MODEL_CODES or (status in (400, 404) and err.get("param") == "model"):
        return model_unavailable(NAME, model or "asked for")
    if code in _REFUSAL_CODES:
        kind = ErrorKind.REFUSED
    elif status == 401 or code == "invalid_api_key":
        kind = ErrorKind.BAD_KEY
        message = ""  # its message quotes part of the key
    else:
        kind = kind_for_status(status)
    detail = (
        message if kind in (ErrorKind.REFUSED, ErrorKind.BAD_REQUEST, ErrorKind.BAD_KEY) else ""
    )
    return make_error(
        kind,
        NAME,
        detail,
        retryable=should_retry(resp.headers, retryable_by_default(kind)),
        retry_after=retry_after(resp.headers),
        secrets=secrets,
    )


class OpenAIProvider(KeyedProvider):
    name = NAME

    read_error = staticmethod(_error)
    text_model: str = default_model(NAME, "text")
    image_model: str = default_model(NAME, "image")
    image_quality: str = "high"
    image_read_timeout: float = GPT_IMAGE_READ_TIMEOUT

    async def check_key(self) -> None:
        await self.list_models()

    async def list_models(self) -> list[str]:
        data = await self._json("GET", "/models")
        return [str(m["id"]) for m in data.get("data") or [] if isinstance(m, dict) and m.get("id")]

    async def _post(self, path: str, body: dict, read_timeout: float | None = None) -> dict:
        return await self._json(
            "POST", path, paid=True, json=body, read_timeout=read_timeout, model=str(body.get("model", ""))
        )

    async def _edit(self, fields: dict, refs: tuple[ReferenceImage, ...]) -> dict:
        """POST /images/edits: multipart with one `image[]` part per reference image (the
        part name the official SDK's images.edit(image=[...]) sends); no image seeds."""
        files = [
            ("image[]", (f"reference-{i}{_SUFFIX.get(ref.mime, '.png')}", ref.data, ref.mime))
            for i, ref in enumerate(refs, start=1)
        ]
        return await self._json(
            "POST", "/images/edits", paid=True, data={k: str(v) for k, v in fields.items()}, files=files,
            read_timeout=self.image_read_timeout, model=str(fields.get("model", "")),
        )

    async def split_script(self, req: TextRequest) -> TextResult:
        body = {
            "model": self.text_model,
            "messages": [{"role": "user", "content": scene_split_prompt(req)}],
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "scenes", "strict": True, "schema": SCENES_SCHEMA},
            },
        }
        data = await self._post("/chat/completions", body)
        try:
            choice = data["choices"][0]
            message = choice["message"]
        except (KeyError, IndexError, TypeError):
            raise make_error(ErrorKind.MALFORMED, NAME) from None
        if message.get("refusal"):
            raise make_error(ErrorKind.REFUSED, NAME, str(message["refusal"]))
        if choice.get("finish_reason") == "length":
            raise make_error(
                ErrorKind.MALFORMED, NAME, "the answer was cut off; try a shorter script"
            )
        scenes = parse_scenes(message.get("content") or "", NAME)
        return TextResult(scenes=scenes, usage_tokens=_total_tokens(data), model=self.text_model)

    async def generate_image(self, req: ImageRequest) -> ImageResult:
        width, height = target_size(req.ratio, req.resolution)
        size = nearest_ratio(req.ratio, IMAGE_SIZES)
        prompt = image_prompt_with_references(req.prompt, req.negative_prompt, req.references)
        # gpt-image models reject response_format (400 unknown_parameter): never send it
        body = {
            "model": self.image_model,
            "prompt": prompt,
            "n": 1,
            "size": size,
            "quality": self.image_quality,
            "output_format": "png",
        }
        if req.references:
            data = await self._edit(body, req.references)
        else:
            data = await self._post("/images/generations", body, read_timeout=self.image_read_timeout)
        try:
            png = await fitted_png(data["data"][0]["b64_json"], width, height)
        except (KeyError, IndexError, TypeError, OSError, ValueError):
            raise make_error(ErrorKind.MALFORMED, NAME, "no readable image came back") from None
        return ImageResult(
            png=png,
            width=width,
            height=height,
            usage_tokens=_total_tokens(data),
            model=self.image_model,
            meta={"generated_size": size, "references_sent": len(req.references)},
        )


def _total_tokens(data: dict) -> int:
    usage = data.get("usage") or {}
    try:
        return int(usage.get("total_tokens") or 0)
    except (TypeError, ValueError):
        return 0
