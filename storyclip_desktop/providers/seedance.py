"""Seedance (BytePlus ModelArk) image-to-video tasks."""

from __future__ import annotations

import base64

import httpx

from ..domain.model_catalog import default_model
from .base import ClipRequest, ClipStatus, ErrorKind, ProviderError
from .errors import error_object, kind_for_status, make_error, model_unavailable, scrub
from .http import read_json, retry_after
from .keyed import KeyedProvider

NAME = "seedance"
STATES = {"queued", "running", "succeeded", "failed", "cancelled", "expired"}
_QUOTA_CODES = ("QuotaExceeded", "AccountOverdueError", "SetLimitExceeded")
# the model id is unknown, retired, or not activated for this account
_MODEL_CODES = ("InvalidEndpointOrModel", "ModelNotOpen", "ModelNotFound", "ModelDeprecated")


def _classify(
    code: str, message: str, status: int, headers: httpx.Headers | None = None, model: str = ""
) -> ProviderError:
    if code.startswith(_QUOTA_CODES):
        return make_error(ErrorKind.QUOTA, NAME, retryable=False)
    if model and code.startswith(_MODEL_CODES):
        return model_unavailable(NAME, model)
    if "SensitiveContent" in code:
        return make_error(ErrorKind.REFUSED, NAME, message or code)
    if status == 401 or code.startswith("AuthenticationError"):
        return make_error(ErrorKind.BAD_KEY, NAME)
    kind = kind_for_status(status)
    detail = message if kind is ErrorKind.BAD_REQUEST else ""
    return make_error(kind, NAME, detail, retry_after=retry_after(headers or {}))


def _error(resp: httpx.Response, secrets: tuple[str, ...], model: str = "") -> ProviderError:
    err = error_object(resp)
    message = scrub(str(err.get("message") or ""), secrets)
    return _classify(str(err.get("code") or ""), message, resp.status_code, resp.headers, model)


def _task_error(state: str, err: dict) -> ProviderError | None:
    if state == "expired":
        return make_error(ErrorKind.TIMEOUT, NAME, "the task expired before it finished")
    if state != "failed":
        return None
    code = str(err.get("code") or "")
    message = str(err.get("message") or code or "the clip could not be made")
    if "SensitiveContent" in code:
        return make_error(ErrorKind.REFUSED, NAME, message)
    if code.startswith(_QUOTA_CODES):
        return make_error(ErrorKind.QUOTA, NAME, retryable=False)
    # a failed task is not billed; a fresh one may well succeed
    return make_error(ErrorKind.SERVER_DOWN, NAME, f"the clip failed: {message}", retryable=True)

class SeedanceProvider(KeyedProvider):
    name = NAME

    read_error = staticmethod(_error)
    model: str = default_model(NAME, "clip")
    # older accounts only read parameters as "--rs 480p ..." flags in the prompt
    legacy_flags: bool = False

    async def check_key(self) -> None:
        # Ark publishes no model list for an API key: listing one task proves the key.
        await self._request("GET", "/contents/generations/tasks", params={"page_num": 1, "page_size": 1})

    def _body(self, req: ClipRequest) -> dict:
        image = "data:image/png;base64," + base64.b64encode(req.image_png).decode("ascii")
        params = {"resolution": req.resolution, "ratio": req.ratio, "duration": req.duration}
        text = req.prompt
        if self.legacy_flags:
            text = f"{text} --rs {req.resolution} --rt {req.ratio} --dur {req.duration} --cf false --wm false"
            if req.seed is not None:
                text += f" --seed {req.seed}"
        body: dict = {
            "model": self.model,
            "content": [
                {"type": "text", "text": text},
                {"type": "image_url", "image_url": {"url": image}, "role": "first_frame"},
            ],
        }
        if not self.legacy_flags:
            # -1 lets the server pick; StoryClip sends its own so a version can be made again.
            seed = req.seed if req.seed is not None else -1
            body |= params | {"seed": seed, "camera_fixed": False, "watermark": False}
        return body

    async def create_clip(self, req: ClipRequest) -> str:
        resp = await self._request(
            "POST",
            "/contents/generations/tasks",
            paid=True,
            json=self._body(req),
            headers={"X-Client-Request-Id": req.external_id},
            model=self.model,
        )
        data = read_json(resp, NAME)
        task_id = data.get("id") if isinstance(data, dict) else None
        if not task_id:
            raise make_error(ErrorKind.MALFORMED, NAME, "no task id came back")
        return str(task_id)

    async def poll_clip(self, remote_id: str) -> ClipStatus:
        data = read_json(await self._request("GET", f"/contents/generations/tasks/{remote_id}"), NAME)
        if not isinstance(data, dict) or data.get("status") not in STATES:
            raise make_error(ErrorKind.MALFORMED, NAME, "the task status was not readable")
        state = str(data["status"])
        content = data.get("content") or {}
        usage = data.get("usage") or {}
        return ClipStatus(
            state=state,
            video_url=content.get("video_url") if state == "succeeded" else None,
            usage_tokens=int(usage.get("total_tokens") or usage.get("completion_tokens") or 0),
            error=_task_error(state, data.get("error") or {}),
        )

    async def cancel_clip(self, remote_id: str) -> bool:
        """Only queued tasks can be cancelled; False when the server will not."""
        resp = await self._request(
            "DELETE", f"/contents/generations/tasks/{remote_id}", ok=(400, 404, 409)
        )
        return resp.status_code < 300
