"""Kling has no official Python SDK: its JWT is checked with PyJWT against the documented
claims, and the image2video body against the documented fields, types and values
(shared/providers.md, Kling's API reference)."""

from __future__ import annotations

import base64
import time

import jwt

from storyclip_desktop.domain.model_catalog import models_for
from storyclip_desktop.providers.base import ClipRequest
from storyclip_desktop.providers.kling import KlingProvider

from .conftest import ONE_TRY, run_ours
from .wire import PNG, CaptureServer, Reply

ACCESS, SECRET = "ak-oracle-kling-0123", "sk-oracle-kling-secret-0123456789"
# field -> (JSON type, allowed values or None for free text); required fields marked *
DOCUMENTED = {
    "model_name": (str, set(models_for("kling", "clip").ids)),
    "image*": (str, None),
    "image_tail": (str, None),
    "prompt": (str, None),
    "negative_prompt": (str, None),
    "cfg_scale": (float, None),
    "mode": (str, {"std", "pro"}),
    "duration": (str, {"5", "10"}),
    "callback_url": (str, None),
    "external_task_id": (str, None),
}
ENVELOPE = {"code": 0, "message": "SUCCEED", "request_id": "r1",
            "data": {"task_id": "t-1", "task_status": "submitted", "created_at": 1, "updated_at": 1}}


class KlingCapture(CaptureServer):
    def route(self, req):
        return Reply(json=ENVELOPE)


def _send(server: CaptureServer, call) -> None:
    run_ours(lambda client: KlingProvider(access_key=ACCESS, secret_key=SECRET, client=client,
                                          base_url=server.url, retry=ONE_TRY), call)


def check_body(body: dict) -> list[str]:
    problems = []
    fields = {k.rstrip("*"): v for k, v in DOCUMENTED.items()}
    for k in (k.rstrip("*") for k in DOCUMENTED if k.endswith("*")):
        if k not in body:
            problems.append(f"{k}: required, missing")
    for k, v in body.items():
        if k not in fields:
            problems.append(f"{k}: not a documented field")
            continue
        kind, allowed = fields[k]
        if not isinstance(v, kind):
            problems.append(f"{k}: {type(v).__name__}, documented {kind.__name__}")
        elif allowed is not None and v not in allowed:
            problems.append(f"{k}: {v!r} not one of {sorted(allowed)}")
    return problems


def check_token(header: str, now: float) -> list[str]:
    scheme, _, token = header.partition(" ")
    if scheme != "Bearer":
        return [f"auth scheme {scheme!r}, documented 'Bearer'"]
    problems = []
    head = jwt.get_unverified_header(token)
    if head != {"alg": "HS256", "typ": "JWT"}:
        problems.append(f"JWT header {head}")
    try:
        claims = jwt.decode(token, SECRET, algorithms=["HS256"], options={"require": ["iss", "exp", "nbf"]})
    except jwt.PyJWTError as e:
        return [*problems, f"JWT: {e}"]
    if claims["iss"] != ACCESS:
        problems.append("iss is not the access key")
    if not (now + 1700 <= claims["exp"] <= now + 1900) or not (now - 30 <= claims["nbf"] <= now):
        problems.append(f"exp/nbf {claims['exp'] - now:.0f}/{claims['nbf'] - now:.0f} s from now")
    return problems


def test_image2video_create_matches_the_documented_fields_and_jwt():
    with KlingCapture() as server:
        now = time.time()
        _send(server, lambda p: p.create_clip(ClipRequest(
            image_png=PNG, prompt="slow pan", ratio="9:16", resolution="720p", duration=5,
            external_id="job-7-create", negative_prompt="text")))
        (req,) = server.requests
    assert (req.method, req.path) == ("POST", "/v1/videos/image2video")
    assert req.headers["content-type"].startswith("application/json")
    assert check_token(req.headers["authorization"], now) == []
    body = req.json()
    assert check_body(body) == []
    assert base64.b64decode(body["image"], validate=True) == PNG  # raw base64, no data: prefix


def test_image2video_poll_path_and_jwt():
    with KlingCapture() as server:
        now = time.time()
        _send(server, lambda p: p.poll_clip("t-1"))
        (req,) = server.requests
    assert (req.method, req.path, req.body) == ("GET", "/v1/videos/image2video/t-1", b"")
    assert check_token(req.headers["authorization"], now) == []


def test_the_checks_catch_a_wrong_field_type_and_token():
    assert check_body({"image": "x", "duration": 5}) == ["duration: int, documented str"]
    assert check_body({"image": "x", "mode": "fast"}) == ["mode: 'fast' not one of ['pro', 'std']"]
    assert check_body({"img": "x"}) == ["image: required, missing", "img: not a documented field"]
    bad = jwt.encode({"iss": ACCESS, "exp": int(time.time()) + 1800, "nbf": int(time.time()) - 5}, "another secret, at least thirty-two bytes long")
    assert check_token(f"Bearer {bad}", time.time())[0].startswith("JWT: Signature")
    assert check_token(f"Token {bad}", time.time()) == ["auth scheme 'Token', documented 'Bearer'"]
