"""Loopback HTTP servers that speak each provider's wire format (see shared/providers.md).

Each runs a stdlib ThreadingHTTPServer on 127.0.0.1 with a random port, records every
request, and answers from a per-route script of faults before falling back to its
normal behaviour.
"""

from __future__ import annotations

import base64
import io
import json
import re
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import default as email_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
from PIL import Image, ImageDraw

EDGE = 40  # width of the red frame drawn round generated images
GREEN = (0, 200, 0)
RED = (255, 0, 0)


def framed_png(width: int, height: int) -> bytes:
    """Green with a red frame: after a center crop the cropped edges turn green."""
    img = Image.new("RGB", (width, height), RED)
    ImageDraw.Draw(img).rectangle((EDGE, EDGE, width - EDGE - 1, height - EDGE - 1), fill=GREEN)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # clients that time out or hang up mid-test are expected; anything else is a bug
        exc = sys.exc_info()[1]
        if not isinstance(exc, ConnectionError | TimeoutError):
            super().handle_error(request, client_address)


@dataclass
class Reply:
    status: int = 200
    json: Any = None
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to stall before answering (read timeouts)
    content_length: int | None = None  # larger than the body: send it and hang up mid-stream


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> tuple[dict[str, str], list[FormFile]]:
        """A multipart/form-data body: its plain fields and its file parts, in order."""
        msg = BytesParser(policy=email_policy).parsebytes(
            b"Content-Type: " + self.headers.get("content-type", "").encode() + b"\r\n\r\n" + self.body
        )
        fields: dict[str, str] = {}
        files: list[FormFile] = []
        for part in msg.iter_parts():
            name = part.get_param("name", header="content-disposition")
            data = part.get_payload(decode=True) or b""
            if part.get_filename() is None:
                fields[str(name)] = data.decode()
            else:
                files.append(FormFile(str(name), part.get_filename(), part.get_content_type(), data))
        return fields, files


@dataclass
class FormFile:
    name: str  # the part name: "image[]" for each image of an OpenAI edit
    filename: str
    content_type: str
    data: bytes


class FakeServer:
    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.files: dict[str, bytes] = {}
        self._scripts: list[tuple[str, str, deque[Reply]]] = []
        self._lock = threading.Lock()
        self.httpd = _Server(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> FakeServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def script(self, method: str, path_prefix: str, *replies: Reply) -> None:
        """Answer the next matching requests with these replies, in order."""
        with self._lock:
            self._scripts.append((method, path_prefix, deque(replies)))

    def calls(self, method: str | None = None, path_prefix: str = "") -> list[Recorded]:
        with self._lock:
            return [
                r
                for r in self.requests
                if (method is None or r.method == method) and r.path.startswith(path_prefix)
            ]

    def dispatch(self, req: Recorded) -> Reply:
        with self._lock:
            self.requests.append(req)
            for method, prefix, queue in self._scripts:
                if queue and req.method == method and req.path.startswith(prefix):
                    return queue.popleft()
        if req.method == "GET" and req.path.startswith("/files/"):
            if req.path not in self.files:
                return Reply(404, body=b"<Error><Code>NoSuchKey</Code></Error>")
            return Reply(body=self.files[req.path], headers={"Content-Type": "video/mp4"})
        return self.route(req)

    def route(self, req: Recorded) -> Reply:
        return Reply(404, json={"error": "no such route"})


def _handler_for(server: FakeServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            parts = urlsplit(self.path)
            req = Recorded(
                method=self.command,
                path=parts.path,
                query=parse_qs(parts.query),
                headers={k.lower(): v for k, v in self.headers.items()},
                body=self.rfile.read(length) if length else b"",
            )
            reply = server.dispatch(req)
            try:
                self._send(reply)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True

        def _send(self, reply: Reply) -> None:
            if reply.delay:
                time.sleep(reply.delay)
            payload = reply.body
            headers = dict(reply.headers)
            if payload is None:
                payload = b"" if reply.json is None else json.dumps(reply.json).encode()
                headers.setdefault("Content-Type", "application/json")
            self.send_response(reply.status)
            for name, value in headers.items():
                self.send_header(name, value)
            length = reply.content_length if reply.content_length is not None else len(payload)
            self.send_header("Content-Length", str(length))
            self.end_headers()
            self.wfile.write(payload)
            self.wfile.flush()
            if length > len(payload):
                self.close_connection = True

        do_GET = do_POST = do_DELETE = _handle

    return Handler


SCENES = [
    {
        "narration": "옛날 옛적에",
        "image_prompt": "a misty mountain village at dawn",
        "motion_prompt": "slow push in",
        "negative_prompt": "",
        "duration": 5,
    },
    {
        "narration": "호랑이가 살았어요",
        "image_prompt": "a tiger resting under a pine tree",
        "motion_prompt": "the tiger blinks",
        "negative_prompt": "text",
        "duration": 4,
    },
]


# --- OpenAI -----------------------------------------------------------------------------


def openai_error(
    status: int, message: str, code: str | None = None, type_: str = "invalid_request_error"
) -> Reply:
    return Reply(
        status, json={"error": {"message": message, "type": type_, "param": None, "code": code}}
    )


class FakeOpenAI(FakeServer):
    api_key = "sk-test-openai-0123456789"
    image_sizes = {"1024x1024", "1536x1024", "1024x1536"}
    # what GET /v1/models lists for this key; a model outside it is answered as retired
    models = ("gpt-5.5", "gpt-5.4-mini", "gpt-4.1-mini", "gpt-image-2.6-sunburst", "gpt-image-2.5-flare", "gpt-image-1.5")

    def route(self, req: Recorded) -> Reply:
        given = req.headers.get("authorization", "")
        if given != f"Bearer {self.api_key}":
            # the real API quotes (part of) the key it was given
            return openai_error(401, f"Incorrect API key provided: {given[7:]}.", "invalid_api_key")
        if req.method == "GET" and req.path == "/v1/models":
            return Reply(
                json={"object": "list", "data": [{"id": m, "object": "model"} for m in self.models]}
            )
        if req.method == "POST" and req.headers.get("content-type", "").startswith("application/json"):
            model = req.json().get("model")
            if model not in self.models:
                return openai_error(
                    404, f"The model `{model}` does not exist or you do not have access to it.", "model_not_found"
                )
        if req.method == "POST" and req.path == "/v1/chat/completions":
            return self._chat(req.json())
        if req.method == "POST" and req.path == "/v1/images/generations":
            return self._image(req.json())
        if req.method == "POST" and req.path == "/v1/images/edits":
            return self._edit(req)
        return super().route(req)

    def _edit(self, req: Recorded) -> Reply:
        """POST /v1/images/edits as the API takes it: multipart, one `image[]` part per
        image (PNG, JPEG or WebP), the other parameters as form fields."""
        if not req.headers.get("content-type", "").startswith("multipart/form-data"):
            return openai_error(400, "Expected multipart/form-data.", "invalid_request_error")
        fields, files = req.form()
        if fields.get("model") not in getattr(self, "models", (fields.get("model"),)):
            return openai_error(
                404, f"The model `{fields.get('model')}` does not exist or you do not have access to it.",
                "model_not_found",
            )
        images = [f for f in files if f.name == "image[]"]
        if not images or len(images) != len(files) or len(images) > 16:
            return openai_error(400, "Provide 1 to 16 images as image[] parts.", "invalid_value")
        for f in images:
            if f.content_type not in ("image/png", "image/jpeg", "image/webp"):
                return openai_error(400, f"Invalid image type {f.content_type}.", "invalid_image_format")
        return self._image({k: v for k, v in fields.items() if k != "n"} | {"n": int(fields.get("n", "1"))})

    def _chat(self, body: dict) -> Reply:
        if body.get("response_format", {}).get("type") != "json_schema":
            return openai_error(400, "response_format json_schema expected")
        return Reply(json=chat_completion(json.dumps({"scenes": SCENES})))

    def _image(self, body: dict) -> Reply:
        if "response_format" in body:
            return openai_error(400, "Unknown parameter: 'response_format'.", "unknown_parameter")
        if body.get("size") not in self.image_sizes:
            return openai_error(400, f"Invalid size {body.get('size')!r}.", "invalid_value")
        width, height = (int(x) for x in body["size"].split("x"))
        b64 = base64.b64encode(framed_png(width, height)).decode()
        usage = {"input_tokens": 50, "output_tokens": 4160, "total_tokens": 4210}
        return Reply(json={"created": 1, "data": [{"b64_json": b64}], "usage": usage})


def chat_completion(
    content: str | None, *, refusal: str | None = None, finish_reason: str = "stop"
) -> dict:
    message = {"role": "assistant", "content": content, "refusal": refusal}
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "choices": [{"index": 0, "message": message, "finish_reason": finish_reason}],
        "usage": {"prompt_tokens": 100, "completion_tokens": 221, "total_tokens": 321},
    }


# --- Gemini -----------------------------------------------------------------------------

GEMINI_SIZES = {
    "1:1": (1024, 1024),
    "9:16": (768, 1344),
    "16:9": (1344, 768),
    "3:4": (864, 1184),
    "4:3": (1184, 864),
}


def gemini_error(code: int, status: str, message: str, *details: dict) -> Reply:
    return Reply(
        code,
        json={
            "error": {"code": code, "message": message, "status": status, "details": list(details)}
        },
    )


def retry_info(delay: str) -> dict:
    return {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": delay}


def quota_failure(quota_id: str) -> dict:
    return {
        "@type": "type.googleapis.com/google.rpc.QuotaFailure",
        "violations": [{"quotaId": quota_id}],
    }


class FakeGemini(FakeServer):
    api_key = "AIza-test-gemini-0123456789"
    inline_key = "inlineData"  # some proxies answer inline_data
    models = ("gemini-3.8-flash", "gemini-2.5-flash", "gemini-3.1-flash-image", "gemini-2.5-flash-image")

    def route(self, req: Recorded) -> Reply:
        if req.headers.get("x-goog-api-key") != self.api_key:
            return gemini_error(
                400,
                "INVALID_ARGUMENT",
                "API key not valid. Please pass a valid API key.",
                {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"},
            )
        if req.method == "GET" and req.path == "/v1/models":
            return Reply(json={"models": [{"name": f"models/{m}"} for m in self.models]})
        match = re.fullmatch(r"/v1/models/([\w.-]+):generateContent", req.path)
        if req.method == "POST" and match and match.group(1) not in self.models:
            return gemini_error(
                404, "NOT_FOUND",
                f"models/{match.group(1)} is not found for API version v1, or is not supported for generateContent.",
            )
        if req.method == "POST" and match:
            config = req.json().get("generationConfig", {})
            if "IMAGE" in config.get("responseModalities", []):
                bad = _bad_inline_parts(req.json())
                if bad:
                    return gemini_error(400, "INVALID_ARGUMENT", bad)
                return self._image(config.get("imageConfig", {}).get("aspectRatio", "1:1"))
            if (
                config.get("responseMimeType") != "application/json"
                or "responseSchema" not in config
            ):
                return gemini_error(400, "INVALID_ARGUMENT", "schema expected")
            return Reply(json=gemini_answer([{"text": json.dumps({"scenes": SCENES})}]))
        return super().route(req)

    def _image(self, aspect: str) -> Reply:
        width, height = GEMINI_SIZES.get(aspect, (1024, 1024))
        data = base64.b64encode(framed_png(width, height)).decode()
        mime = "mimeType" if self.inline_key == "inlineData" else "mime_type"
        parts = [
            {"text": "Here is your image."},
            {self.inline_key: {mime: "image/png", "data": data}},
        ]
        return Reply(json=gemini_answer(parts, tokens=1290))


def _bad_inline_parts(body: dict) -> str | None:
    """What is wrong with the request's inline images, if anything (base64 and mime)."""
    for content in body.get("contents") or []:
        for part in content.get("parts") or []:
            inline = part.get("inlineData") if isinstance(part, dict) else None
            if inline is None:
                continue
            # proto3 JSON: the API reads the camelCase and the snake_case spelling alike
            mime = inline.get("mimeType", inline.get("mime_type"))
            if mime not in ("image/png", "image/jpeg", "image/webp"):
                return f"Unsupported MIME type: {mime}"
            try:
                base64.b64decode(inline.get("data") or "", validate=True)
            except ValueError:
                return "Invalid value at 'contents[0].parts[1].inline_data.data' (TYPE_BYTES)"
    return None


def gemini_answer(parts: list[dict], *, finish: str = "STOP", tokens: int = 321) -> dict:
    return {
        "candidates": [
            {"content": {"role": "model", "parts": parts}, "finishReason": finish, "index": 0}
        ],
        "usageMetadata": {"promptTokenCount": 20, "totalTokenCount": tokens},
        "modelVersion": "gemini-2.5-flash",
    }


# --- Seedance ---------------------------------------------------------------------------


def ark_error(status: int, code: str, message: str) -> Reply:
    return Reply(
        status,
        json={"error": {"code": code, "message": message, "param": "", "type": "BadRequest"}},
    )


class FakeSeedance(FakeServer):
    api_key = "ark-test-seedance-0123456789"
    prefix = "/api/v3/contents/generations/tasks"

    def __init__(self) -> None:
        super().__init__()
        self.tasks: dict[str, dict] = {}
        self.outcome = "succeeded"  # what a task ends as after two polls
        self.failure: dict | None = None  # error object of a failed task
        self.video = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40

    def route(self, req: Recorded) -> Reply:
        if req.headers.get("authorization") != f"Bearer {self.api_key}":
            return ark_error(
                401, "AuthenticationError", "The API key in the request is missing or invalid."
            )
        if req.path == self.prefix and req.method == "POST":
            return self._create(req)
        if req.path == self.prefix and req.method == "GET":
            return Reply(json={"items": [], "total": 0})
        task = self.tasks.get(req.path.removeprefix(self.prefix + "/"))
        if task is None:
            return ark_error(404, "ResourceNotFound", "The specified task does not exist.")
        if req.method == "DELETE":
            if task["status"] != "queued":
                return ark_error(400, "InvalidAction", "Only queued tasks can be cancelled.")
            task["status"] = "cancelled"
            return Reply(json={})
        if req.method == "GET":
            return Reply(json=self._advance(task))
        return super().route(req)

    def _create(self, req: Recorded) -> Reply:
        body = req.json()
        content = body.get("content") or []
        ok = (
            len(content) == 2
            and content[0].get("type") == "text"
            and content[1].get("type") == "image_url"
            and content[1].get("role") == "first_frame"
            and content[1]["image_url"]["url"].startswith("data:image/png;base64,")
        )
        if not ok:
            return ark_error(
                400, "InvalidParameter", "content must be text then a first_frame image_url"
            )
        task_id = f"cgt-20260101-{len(self.tasks) + 1:04d}"
        self.tasks[task_id] = {
            "id": task_id,
            "model": body.get("model"),
            "status": "queued",
            "polls": 0,
        }
        return Reply(json={"id": task_id}, headers={"X-Request-Id": f"req-{task_id}"})

    def _advance(self, task: dict) -> dict:
        if task["status"] in ("queued", "running"):
            task["polls"] += 1
            task["status"] = {1: "queued", 2: "running"}.get(task["polls"], self.outcome)
        answer = {
            "id": task["id"],
            "model": task["model"],
            "status": task["status"],
            "content": None,
            "error": None,
        }
        if task["status"] == "succeeded":
            path = f"/files/{task['id']}.mp4"
            self.files[path] = self.video
            answer["content"] = {"video_url": self.url + path}
            answer["usage"] = {"completion_tokens": 108900, "total_tokens": 108900}
        if task["status"] == "failed":
            answer["error"] = self.failure
        return answer


# --- Kling ------------------------------------------------------------------------------


def kling_envelope(code: int, message: str, data: Any = None, status: int | None = None) -> Reply:
    body = {"code": code, "message": message, "request_id": "req-1", "data": data}
    return Reply(status or (200 if code == 0 else 400), json=body)


class FakeKling(FakeServer):
    access_key = "ak-test-kling-0123456789"
    secret_key = "sk-test-kling-secret-0123456789abcdef"
    prefix = "/v1/videos/image2video"

    def __init__(self) -> None:
        super().__init__()
        self.tasks: dict[str, dict] = {}
        self.outcome = "succeed"
        self.failure_msg = ""
        self.video = b"\x00\x00\x00\x18ftypmp42kling" * 500

    def route(self, req: Recorded) -> Reply:
        token = req.headers.get("authorization", "").removeprefix("Bearer ")
        try:
            claims = jwt.decode(
                token,
                self.secret_key,
                algorithms=["HS256"],
                options={"require": ["iss", "exp", "nbf"]},
            )
        except jwt.ExpiredSignatureError:
            return kling_envelope(1004, "token expired", status=401)
        except jwt.InvalidTokenError:
            return kling_envelope(1002, "Authorization is invalid", status=401)
        if claims["iss"] != self.access_key:
            return kling_envelope(1002, "Authorization is invalid", status=401)
        if req.path == self.prefix and req.method == "POST":
            return self._create(req.json())
        if req.path == self.prefix and req.method == "GET":
            return kling_envelope(0, "SUCCEED", [])
        task = self.tasks.get(req.path.removeprefix(self.prefix + "/"))
        if task is None:
            return kling_envelope(1203, "task not found", status=404)
        if req.method == "GET":
            return kling_envelope(0, "SUCCEED", self._advance(task))
        return super().route(req)

    def _create(self, body: dict) -> Reply:
        image = str(body.get("image", ""))
        try:
            png = base64.b64decode(image, validate=True)
        except ValueError:
            png = b""
        if image.startswith("data:") or not png.startswith(b"\x89PNG"):
            return kling_envelope(1201, "image is invalid")
        if body.get("duration") not in ("5", "10") or not body.get("external_task_id"):
            return kling_envelope(1201, "duration or external_task_id is invalid")
        task_id = f"8{len(self.tasks) + 1:017d}"
        self.tasks[task_id] = {
            "task_id": task_id,
            "status": "submitted",
            "polls": 0,
            "ext": body["external_task_id"],
        }
        return kling_envelope(0, "SUCCEED", self._view(self.tasks[task_id]))

    def _advance(self, task: dict) -> dict:
        if task["status"] in ("submitted", "processing"):
            task["polls"] += 1
            task["status"] = {1: "submitted", 2: "processing"}.get(task["polls"], self.outcome)
        return self._view(task)

    def _view(self, task: dict) -> dict:
        view = {
            "task_id": task["task_id"],
            "task_status": task["status"],
            "task_status_msg": self.failure_msg if task["status"] == "failed" else "",
            "task_info": {"external_task_id": task["ext"]},
            "created_at": 1767225600000,
            "updated_at": 1767225600000,
        }
        if task["status"] == "succeed":
            path = f"/files/{task['task_id']}.mp4"
            self.files[path] = self.video
            view["task_result"] = {
                "videos": [{"id": "v1", "url": self.url + path, "duration": "5"}]
            }
        return view


# --- ElevenLabs -------------------------------------------------------------------------

VOICE_IDS = {"s07IwTCOrCDCaETjUVjx", "3JDquces8E8bkmvbh6Bc"}


def eleven_error(status: int, detail_status: str, message: str) -> Reply:
    return Reply(status, json={"detail": {"status": detail_status, "message": message}})


class FakeElevenLabs(FakeServer):
    api_key = "el-test-eleven-0123456789"
    seconds_per_char = 0.1

    def route(self, req: Recorded) -> Reply:
        if req.headers.get("xi-api-key") != self.api_key:
            return eleven_error(401, "invalid_api_key", "Invalid API key")
        if req.method == "GET" and req.path == "/v1/user":
            return Reply(json={"subscription": {"tier": "creator", "character_count": 10}})
        match = re.fullmatch(r"/v1/text-to-speech/(\w+)/with-timestamps", req.path)
        if req.method == "POST" and match:
            if match.group(1) not in VOICE_IDS:
                return eleven_error(404, "voice_not_found", "A voice with that id was not found.")
            return Reply(json=self.speech(req.json()["text"]))
        return super().route(req)

    def speech(self, text: str) -> dict:
        step = self.seconds_per_char
        alignment = {
            "characters": list(text),
            "character_start_times_seconds": [round(i * step, 3) for i in range(len(text))],
            "character_end_times_seconds": [round((i + 1) * step, 3) for i in range(len(text))],
        }
        audio = b"ID3\x04fake-mp3:" + text.encode()
        return {
            "audio_base64": base64.b64encode(audio).decode(),
            "alignment": alignment,
            "normalized_alignment": alignment,
        }
