"""Kling image2video tasks, authenticated with a short-lived HS256 JWT."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable

import httpx
import jwt

from ..domain.model_catalog import default_model
from .base import ClipRequest, ClipStatus, ErrorKind, ProviderError
from .errors import kind_for_status, make_error, model_unavailable, scrub
from .http import retry_after, send
from .keyed import HostedProvider

NAME = "kling"
TOKEN_TTL = 1800
RENEW_MARGIN = 300  # sign a fresh token this long before the old one expires
PARALLEL_TASK_WAIT = 30.0  # 1303: a running task must finish first, which takes minutes
TOKEN_EXPIRED = 1004
_STATES = {
    "submitted": "queued",
    "processing": "running",
    "succeed": "succeeded",
    "failed": "failed",
}
_REFUSAL_WORDS = ("risk", "safety", "sensitive", "violat", "inappropriate")


def sign(access_key: str, secret_key: str, now: float) -> str:
    payload = {"iss": access_key, "exp": int(now) + TOKEN_TTL, "nbf": int(now) - 5}
    return jwt.encode(payload, secret_key, algorithm="HS256", headers={"typ": "JWT"})


def _code_error(
    code: int, message: str, status: int, headers: httpx.Headers, model: str = ""
) -> ProviderError:
    hint = retry_after(headers)
    if model and code in (1200, 1201) and "model" in message.lower():
        return model_unavailable(NAME, model)
    if 1000 <= code <= 1004:
        return make_error(ErrorKind.BAD_KEY, NAME)
    if 1100 <= code <= 1102:
        return make_error(ErrorKind.QUOTA, NAME, retryable=False)
    if code == 1301:
        return make_error(ErrorKind.REFUSED, NAME, message)
    if code == 1302:
        return make_error(ErrorKind.RATE_LIMITED, NAME, retry_after=hint)
    if code == 1303:
        return make_error(
            ErrorKind.RATE_LIMITED,
            NAME,
            "too many clips are being made at once",
            retry_after=hint if hint is not None else PARALLEL_TASK_WAIT,
        )
    if code == 1203:
        return make_error(ErrorKind.NOT_FOUND, NAME)
    if 5000 <= code <= 5002:
        return make_error(ErrorKind.SERVER_DOWN, NAME, retry_after=hint)
    if 1000 <= code < 2000:
        return make_error(ErrorKind.BAD_REQUEST, NAME, message or f"code {code}")
    kind = kind_for_status(status if status >= 400 else 500)
    return make_error(
        kind, NAME, message if kind is ErrorKind.BAD_REQUEST else "", retry_after=hint
    )


def _envelope(resp: httpx.Response, secrets: tuple[str, ...]) -> tuple[int, str, object]:
    """(code, message, data); a body that is no envelope maps from the HTTP status."""
    try:
        body = resp.json()
        code = int(body["code"])
    except (ValueError, TypeError, KeyError):
        if resp.status_code >= 300:
            raise make_error(
                kind_for_status(resp.status_code), NAME, retry_after=retry_after(resp.headers)
            ) from None
        raise make_error(ErrorKind.MALFORMED, NAME, "the answer was not a Kling envelope") from None
    return code, scrub(str(body.get("message") or ""), secrets), body.get("data")


class KlingProvider(HostedProvider):
    """Two keys sign the token each request carries; no KeyedProvider."""

    name = NAME
    access_key: str
    secret_key: str
    model: str = default_model(NAME, "clip")
    mode: str = "std"
    clock: Callable[[], float] = time.time

    def __post_init__(self) -> None:
        super().__post_init__()
        self._token = ""
        self._token_exp = 0.0

    def _bearer(self, fresh: bool = False) -> str:
        now = self.clock()
        if fresh or not self._token or now >= self._token_exp - RENEW_MARGIN:
            self._token = sign(self.access_key, self.secret_key, now)
            self._token_exp = int(now) + TOKEN_TTL
        return self._token

    def _secrets(self) -> tuple[str, ...]:
        return (self.access_key, self.secret_key, self._token)

    async def _call(
        self, method: str, path: str, *, paid: bool = False, json: dict | None = None, model: str = ""
    ) -> object:
        async def attempt(fresh: bool) -> tuple[httpx.Response, int, str, object]:
            resp = await send(
                self.client,
                method,
                self.base_url + path,
                provider=NAME,
                paid=paid,
                json=json,
                headers={"Authorization": f"Bearer {self._bearer(fresh)}"},
            )
            return (resp, *_envelope(resp, self._secrets()))

        async def once() -> object:
            resp, code, message, data = await attempt(fresh=False)
            if code == TOKEN_EXPIRED:
                # refused before anything was created, so resending with a fresh token is safe
                resp, code, message, data = await attempt(fresh=True)
            if code != 0:
                raise _code_error(code, message, resp.status_code, resp.headers, model)
            if resp.status_code >= 300:
                raise make_error(
                    kind_for_status(resp.status_code), NAME, retry_after=retry_after(resp.headers)
                )
            return data

        return await self.retry.call(once)

    async def check_key(self) -> None:
        """Raise ProviderError (BAD_KEY when the keys are rejected) unless they work."""
        await self._call("GET", "/v1/videos/image2video?pageNum=1&pageSize=1")

    async def create_clip(self, req: ClipRequest) -> str:
        body = {
            "model_name": self.model,
            "image": base64.b64encode(req.image_png).decode("ascii"),  # raw base64, no data: prefix
            "prompt": req.prompt,
            "negative_prompt": req.negative_prompt,
            "mode": self.mode,
            "duration": "5" if req.duration <= 7 else "10",
            "external_task_id": req.external_id,
        }
        data = await self._call("POST", "/v1/videos/image2video", paid=True, json=body, model=self.model)
        task_id = data.get("task_id") if isinstance(data, dict) else None
        if not task_id:
            raise make_error(ErrorKind.MALFORMED, NAME, "no task id came back")
        return str(task_id)

    async def poll_clip(self, remote_id: str) -> ClipStatus:
        data = await self._call("GET", f"/v1/videos/image2video/{remote_id}")
        if not isinstance(data, dict) or data.get("task_status") not in _STATES:
            raise make_error(ErrorKind.MALFORMED, NAME, "the task status was not readable")
        state = _STATES[str(data["task_status"])]
        if state == "failed":
            message = str(data.get("task_status_msg") or "the clip could not be made")
            refused = any(w in message.lower() for w in _REFUSAL_WORDS)
            error = (
                make_error(ErrorKind.REFUSED, NAME, message)
                if refused
                else make_error(
                    ErrorKind.SERVER_DOWN, NAME, f"the clip failed: {message}", retryable=True
                )
            )
            return ClipStatus(state=state, error=error)
        url = None
        if state == "succeeded":
            videos = (data.get("task_result") or {}).get("videos") or []
            url = videos[0].get("url") if videos and isinstance(videos[0], dict) else None
            if not url:
                raise make_error(ErrorKind.MALFORMED, NAME, "the finished task has no video link")
        return ClipStatus(state=state, video_url=url)

    async def cancel_clip(self, remote_id: str) -> bool:
        """Kling has no cancel endpoint: the task runs to the end."""
        return False

