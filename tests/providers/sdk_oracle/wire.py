"""The SDK oracle: capture what a provider's official Python SDK sends for an intent and
what StoryClip's own client sends for the same intent, against one 127.0.0.1 server, and
compare the two on the wire: method, path, query, auth header, content type, and every
body key with its JSON type (and, for the keys that take a fixed set of values, the value).

The server answers every route with a small valid reply so both clients finish their
call; it checks nothing itself: the comparison is the test.
"""

from __future__ import annotations

import base64
import email.parser
import email.policy
import json
import re
from dataclasses import dataclass
from typing import Any

from tests.providers.fakes import (
    SCENES,
    FakeServer,
    Recorded,
    Reply,
    chat_completion,
    framed_png,
    gemini_answer,
)

PNG = framed_png(120, 120)
B64_PNG = base64.b64encode(PNG).decode()
# Keys whose value is one of a documented set (or an id both sides were given): their
# values must match too, not only their types. Free text (prompts) is compared by type.
VALUE_KEYS = frozenset({
    "model", "model_id", "n", "size", "quality", "output_format", "role", "type", "name", "strict",
    "responseMimeType", "responseModalities", "aspectRatio", "mimeType", "resolution", "ratio",
    "duration", "seed", "camera_fixed", "watermark", "mode", "model_name", "language_code",
    "stability", "similarity_boost", "required", "enum", "additionalProperties", "format",
})
AUTH_HEADERS = ("authorization", "x-goog-api-key", "xi-api-key")


class CaptureServer(FakeServer):
    """Records every request; answers each provider's routes with a minimal valid body."""

    def route(self, req: Recorded) -> Reply:
        p, m = req.path, req.method
        if p.endswith("/chat/completions"):
            return Reply(json=chat_completion(json.dumps({"scenes": SCENES})))
        if p.endswith(("/images/generations", "/images/edits")):
            return Reply(json={"created": 1, "data": [{"b64_json": B64_PNG}], "usage": {"total_tokens": 10}})
        if re.search(r"/models/[\w.-]+:generateContent$", p):
            config = json.loads(req.body or b"{}").get("generationConfig") or {}
            if "IMAGE" in (config.get("responseModalities") or []):
                return Reply(json=gemini_answer([{"inlineData": {"mimeType": "image/png", "data": B64_PNG}}]))
            return Reply(json=gemini_answer([{"text": json.dumps({"scenes": SCENES})}]))
        if p.endswith("/contents/generations/tasks") and m == "POST":
            return Reply(json={"id": "cgt-20261201-1"})
        if "/contents/generations/tasks/" in p:
            if m == "DELETE":
                return Reply(json={})
            return Reply(json={
                "id": "cgt-20261201-1", "model": "seedance-1-0-lite-i2v-250428", "status": "running",
                "content": None, "usage": None, "error": None, "created_at": 1, "updated_at": 2,
            })
        if p.endswith("/with-timestamps"):
            alignment = {"characters": ["a"], "character_start_times_seconds": [0.0], "character_end_times_seconds": [0.2]}
            return Reply(json={"audio_base64": base64.b64encode(b"ID3").decode(), "alignment": alignment,
                               "normalized_alignment": alignment})
        if p == "/v1/models" and "xi-api-key" in req.headers:
            return Reply(json=[{"model_id": "eleven_multilingual_v2", "can_do_text_to_speech": True}])
        if p == "/v1/models" and "x-goog-api-key" in req.headers:
            return Reply(json={"models": [{"name": "models/gemini-3.8-flash"}]})
        if p.endswith("/models"):
            return Reply(json={"object": "list", "data": [{"id": "gpt-5.5", "object": "model", "created": 1,
                                                          "owned_by": "openai"}]})
        return Reply(404, json={"error": "no such route"})


def shape(value: Any, key: str = "") -> Any:
    """The JSON value with every leaf replaced by its type (and its value for VALUE_KEYS).
    A key sent as null is dropped: the volcengine Ark runtime sends every option it was not
    given as null, which the API reads as not given."""
    if isinstance(value, dict):
        return {k: shape(v, k) for k, v in sorted(value.items()) if v is not None}
    if isinstance(value, list):
        items = [shape(v, key) for v in value]
        return ["array", *items]
    kind = (
        "null" if value is None else "boolean" if isinstance(value, bool)
        else "integer" if isinstance(value, int) else "number" if isinstance(value, float)
        else "string"
    )
    return f"{kind}={value!r}" if key in VALUE_KEYS and value is not None else kind


def _multipart(content_type: str, body: bytes) -> dict[str, list[str]]:
    msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
    )
    parts: dict[str, list[str]] = {}
    for part in msg.iter_parts():
        name = str(part.get_param("name", header="content-disposition"))
        data = part.get_payload(decode=True) or b""
        if part.get_filename() is None:
            text = data.decode()
            parts.setdefault(name, []).append(f"field={text!r}" if name in VALUE_KEYS else "field")
        else:
            parts.setdefault(name, []).append(f"file {part.get_content_type()}")
    return parts


@dataclass(frozen=True)
class Wire:
    method: str
    path: str
    query: dict[str, list[str]]
    auth: tuple[str, str]  # (header, form): ("authorization", "Bearer <key>")
    content_type: str
    body: Any


def wire(req: Recorded, secret: str) -> Wire:
    auth = ("", "none")
    for header in AUTH_HEADERS:
        value = req.headers.get(header)
        if value is not None:
            scheme, _, token = value.partition(" ")
            if value == secret:
                form = "<key>"
            elif token == secret:
                form = f"{scheme} <key>"
            else:
                form = f"{scheme} <something else>" if token else "<something else>"
            auth = (header, form)
            break
    ctype = req.headers.get("content-type", "")
    main = ctype.split(";")[0].strip().lower()
    if not req.body or req.body.strip() in (b"{}", b"null"):
        body: Any = None
        main = ""  # no body (the Ark runtime sends "{}" with a GET): its content type says nothing
    elif main == "multipart/form-data":
        body = _multipart(ctype, req.body)
    else:
        body = shape(json.loads(req.body))
    return Wire(req.method, req.path, {k: sorted(v) for k, v in req.query.items()}, auth, main, body)


def differences(ours: Wire, sdk: Wire) -> list[str]:
    """What StoryClip sends differently from the official SDK, one line each."""
    out = []
    for name in ("method", "path", "query", "auth", "content_type"):
        a, b = getattr(ours, name), getattr(sdk, name)
        if a != b:
            out.append(f"{name}: StoryClip {a!r}, SDK {b!r}")
    out += _diff_body(ours.body, sdk.body, "body")
    return out


def _diff_body(a: Any, b: Any, where: str) -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        lines = []
        for k in sorted(set(a) | set(b)):
            if k not in b:
                lines.append(f"{where}.{k}: StoryClip sends it, the SDK does not")
            elif k not in a:
                lines.append(f"{where}.{k}: the SDK sends it, StoryClip does not")
            else:
                lines += _diff_body(a[k], b[k], f"{where}.{k}")
        return lines
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [line for i, (x, y) in enumerate(zip(a, b, strict=True)) for line in _diff_body(x, y, f"{where}[{i}]")]
    return [] if a == b else [f"{where}: StoryClip {a!r}, SDK {b!r}"]


def only(server: FakeServer, method: str, path_part: str) -> Recorded:
    found = [r for r in server.requests if r.method == method and path_part in r.path]
    assert len(found) == 1, [(r.method, r.path) for r in server.requests]
    return found[0]
