"""A loopback fake provider in a process of its own, as the real API would be:
`python -m tests.jobs.serve_fake gemini|openai [--tiny]` prints its URL and serves until
stdin closes. GET /_stats answers {"posts": n}. `... probe` reports host hiccups instead."""

from __future__ import annotations

import base64
import io
import json
import sys

from PIL import Image

from tests.providers.fakes import FakeGemini, FakeOpenAI, Recorded, Reply, gemini_answer


def tiny_png(size: int = 16) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (size, size), (40, 160, 90)).save(buf, format="PNG")
    return buf.getvalue()


class _Cached:
    """Answers images from a cache and keeps no request bodies: the server's own work
    must not be what a test or benchmark measures."""

    tiny = False

    def __init__(self) -> None:
        super().__init__()  # type: ignore[call-arg]
        self._cache: dict[str, Reply] = {}
        self.posts = 0

    def dispatch(self, req: Recorded) -> Reply:
        if req.path == "/_stats":
            return Reply(json={"posts": self.posts})
        if req.method == "POST":
            self.posts += 1
        return self.route(req)  # type: ignore[attr-defined]


class QuickGemini(_Cached, FakeGemini):
    def _image(self, aspect: str) -> Reply:
        if aspect not in self._cache:
            if self.tiny:
                data = base64.b64encode(tiny_png()).decode()
                body = gemini_answer([{"inlineData": {"mimeType": "image/png", "data": data}}], tokens=1290)
            else:
                body = super()._image(aspect).json
            self._cache[aspect] = Reply(body=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
        return self._cache[aspect]


class QuickOpenAI(_Cached, FakeOpenAI):
    def _image(self, body: dict) -> Reply:
        size = str(body.get("size"))
        if size not in self._cache:
            if self.tiny:
                b64 = base64.b64encode(tiny_png()).decode()
                answer = {"created": 1, "data": [{"b64_json": b64}], "usage": {"total_tokens": 4210}}
            else:
                answer = super()._image(body).json
            self._cache[size] = Reply(body=json.dumps(answer).encode(), headers={"Content-Type": "application/json"})
        return self._cache[size]


def main(argv: list[str]) -> None:
    kind = argv[0] if argv else "gemini"
    if kind == "probe":
        return probe()
    server = {"gemini": QuickGemini, "openai": QuickOpenAI}[kind]()
    server.tiny = "--tiny" in argv
    server.httpd.socket.listen(256)  # the stdlib's backlog of 5 drops bursts of connections
    with server:
        print(server.url, flush=True)
        sys.stdin.read()



def probe(threshold_s: float = 0.02, tick_s: float = 0.005) -> None:
    """An idle process ticking like the loop under test: it prints `start end` (wall clock)
    for every tick that came late, so the test can tell a busy host from a busy loop."""
    import threading
    import time

    stop = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    print("ready", flush=True)
    while not stop.is_set():
        t0 = time.time()
        time.sleep(tick_s)
        late = time.time() - t0 - tick_s
        if late > threshold_s:
            print(f"{t0:.4f} {t0 + tick_s + late:.4f}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
