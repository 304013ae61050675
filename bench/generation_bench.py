"""1,000 image jobs through the job engine against an instant loopback Gemini server (a
tiny PNG per answer), next to a bare httpx loop sending the same requests in the same run.

    .venv/bin/python bench/generation_bench.py [--jobs 1000] [--concurrency 16]

Prints jobs/second, the event loop's worst lag (a 5 ms ticker) and peak RSS. The fake
server runs in its own process, like the real API, so it does not share our GIL.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

API_KEY = "AIza-test-gemini-0123456789"


def rss_mb() -> float:
    # ru_maxrss is the peak so far, in KiB on Linux (bytes on macOS).
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)


class Ticker:
    def __init__(self, tick: float = 0.005) -> None:
        self.tick = tick
        self.worst = 0.0
        self._stop = asyncio.Event()

    async def run(self) -> None:
        while not self._stop.is_set():
            t0 = time.perf_counter()
            await asyncio.sleep(self.tick)
            self.worst = max(self.worst, time.perf_counter() - t0 - self.tick)

    def stop(self) -> None:
        self._stop.set()


def start_server() -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.jobs.serve_fake", "gemini", "--tiny"],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    return proc, proc.stdout.readline().strip()


def prepare(n: int):  # noqa: ANN201
    from sqlalchemy import update

    from storyclip_desktop.services import Services
    from storyclip_desktop.store.models import Scene

    sv = Services.open(f"sqlite:///{os.environ['STORYCLIP_DATA_DIR']}/bench.sqlite3", node=1)
    sv.tokens.set_limit("gemini", 2_000_000_000)
    pid = sv.projects.create("bench")
    sv.scenes.split(pid, chunks=[f"scene {i}" for i in range(1, n + 1)])
    with sv.db.transaction() as s:  # set-up only: every scene ready for an image at once
        s.execute(
            update(Scene).where(Scene.project_id == pid).values(
                status="prompt_confirmed", scene_json={"narration": "x", "image_prompt": "a quiet harbour at dawn"}
            )
        )
    sv.generation.key_check = lambda p: p == "gemini"
    return sv, pid


async def bare_loop(url: str, n: int, concurrency: int) -> float:
    """The same generateContent requests, with nothing around them."""
    import httpx

    body = {
        "contents": [{"role": "user", "parts": [{"text": "a quiet harbour at dawn"}]}],
        "generationConfig": {"responseModalities": ["IMAGE"], "imageConfig": {"aspectRatio": "9:16"}},
    }
    sem = asyncio.Semaphore(concurrency)
    target = f"{url}/v1beta/models/gemini-2.5-flash-image:generateContent"
    async with httpx.AsyncClient(timeout=60) as client:

        async def one() -> None:
            async with sem:
                r = await client.post(target, json=body, headers={"x-goog-api-key": API_KEY})
                r.raise_for_status()
                json.loads(r.content)

        t0 = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(n)))
        return time.perf_counter() - t0


async def engine_run(sv, pid: int, concurrency: int) -> tuple[float, int, dict]:  # noqa: ANN001
    from storyclip_desktop.jobs import JobEngine

    batch = sv.generation.images(pid)
    eng = JobEngine(sv, limits={"gemini": concurrency}, poll_interval=0.5)
    t0 = time.perf_counter()
    try:
        await eng.submit(batch.job_ids)
        jobs = await eng.wait(batch.job_ids)
    finally:
        elapsed = time.perf_counter() - t0
        await eng.aclose()
    states: dict[str, int] = {}
    for j in jobs:
        states[j.state] = states.get(j.state, 0) + 1
    return elapsed, len(batch.job_ids), states


async def main(n: int, concurrency: int) -> None:
    proc, url = start_server()
    os.environ["STORYCLIP_GEMINI_BASE_URL"] = url
    os.environ["STORYCLIP_GEMINI_API_KEY"] = API_KEY
    try:
        sv, pid = await asyncio.to_thread(prepare, n)
        rss_start = rss_mb()

        tick = Ticker()
        t = asyncio.create_task(tick.run())
        bare_s = await bare_loop(url, n, concurrency)
        tick.stop()
        await t
        bare_lag, rss_bare = tick.worst, rss_mb()

        tick = Ticker()
        t = asyncio.create_task(tick.run())
        eng_s, count, states = await engine_run(sv, pid, concurrency)
        tick.stop()
        await t
        eng_lag, rss_engine = tick.worst, rss_mb()
        sv.close()
    finally:
        proc.stdin.close()
        proc.wait(10)

    rows = [
        ("bare httpx loop", n, bare_s, n / bare_s, bare_lag, rss_bare),
        ("job engine", count, eng_s, count / eng_s, eng_lag, rss_engine),
    ]
    print(f"{n} image requests, concurrency {concurrency}, tiny PNG from a loopback Gemini (own process)")
    print(f"{'':18}{'jobs':>6}{'seconds':>10}{'jobs/s':>10}{'max lag ms':>12}{'peak RSS MB':>13}")
    for name, k, secs, rate, lag, rss in rows:
        print(f"{name:18}{k:>6}{secs:>10.2f}{rate:>10.1f}{lag * 1000:>12.1f}{rss:>13.1f}")
    print(f"engine results: {states}; RSS before both runs {rss_start:.1f} MB")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="storyclip-bench-") as tmp:
        for var, sub in (("STORYCLIP_DATA_DIR", "data"), ("STORYCLIP_CONFIG_DIR", "config"), ("STORYCLIP_MEDIA_DIR", "media")):
            os.environ[var] = str(Path(tmp) / sub)
            Path(tmp, sub).mkdir()
        asyncio.run(main(args.jobs, args.concurrency))
