"""The window's event loop stays responsive while 100 image jobs run against a loopback
Gemini server: a ticker on the engine's loop never wakes up more than 50 ms late.

The host is shared (other test suites, a VM's neighbours): an idle probe process ticks
alongside, and a late tick that the probe saw too is the machine's pause, not ours.
"""

from __future__ import annotations

import asyncio
import gc
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from .helpers import engine, keys, make_project

TICK = 0.005
MAX_LAG = 0.050
ROOT = Path(__file__).resolve().parents[2]


async def ticker(lags: list[tuple[float, float]], stop: asyncio.Event) -> None:
    """(wall-clock start, lateness) of every tick."""
    while not stop.is_set():
        t0, w0 = time.perf_counter(), time.time()
        await asyncio.sleep(TICK)
        lags.append((w0, time.perf_counter() - t0 - TICK))


def start_fake(kind: str, *flags: str) -> tuple[subprocess.Popen, str]:
    """A fake in its own process, like the real API: it must not share our GIL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.jobs.serve_fake", kind, *flags],
        cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    return proc, proc.stdout.readline().strip()


def host_pauses(probe: subprocess.Popen) -> list[tuple[float, float]]:
    probe.stdin.close()
    out = probe.stdout.read().split("\n")
    probe.wait(10)
    return [tuple(map(float, line.split())) for line in out if line.strip()]


def ours(lags, pauses) -> list[float]:
    """Late ticks not explained by a pause the idle probe saw at the same time."""
    def shared(w0: float, late: float) -> bool:
        w1 = w0 + TICK + late
        return any(p0 < w1 and w0 < p1 for p0, p1 in pauses)

    return [late for w0, late in lags if late >= MAX_LAG and not shared(w0, late)]


# One rerun: a 2-core CI machine can pause us without the probe noticing; a stall of
# ours shows up again, a neighbour's rarely twice in a row.
@pytest.mark.flaky(reruns=1)
def test_the_loop_never_stalls_while_100_jobs_run(local_services, monkeypatch):
    sv = local_services
    proc, url = start_fake("gemini")
    probe, _ = start_fake("probe")
    try:
        monkeypatch.setenv("STORYCLIP_GEMINI_BASE_URL", url)
        monkeypatch.setenv("STORYCLIP_GEMINI_API_KEY", "AIza-test-gemini-0123456789")
        pid = make_project(sv, 100, "prompt_confirmed")
        sv.generation.key_check = keys("gemini")
        batch = sv.generation.images(pid)
        assert len(batch.job_ids) == 100

        # Like a window that has just started (the engine freezes the startup heap once
        # per process): objects earlier tests left behind must not cost a full collection.
        gc.collect()
        gc.freeze()

        async def main():
            lags: list[tuple[float, float]] = []
            stop = asyncio.Event()
            eng = engine(sv, limits={"gemini": 8})
            tick = asyncio.create_task(ticker(lags, stop))
            try:
                await asyncio.sleep(0.05)
                t0 = time.perf_counter()
                await eng.submit(batch.job_ids)
                jobs = await eng.wait(batch.job_ids)
                elapsed = time.perf_counter() - t0
            finally:
                stop.set()
                await tick
                await eng.aclose()
            return jobs, lags, elapsed

        jobs, lags, elapsed = asyncio.run(main())
        posts = httpx.get(url + "/_stats").json()["posts"]
    finally:
        proc.stdin.close()
        proc.wait(10)
        pauses = host_pauses(probe)
    assert {j.state for j in jobs} == {"succeeded"}, {j.error for j in jobs}
    assert posts == 100
    assert {sv.scenes.get(pid, j.scene_id).image_version for j in jobs} == {1}
    worst = max(late for _, late in lags)
    stalls = ours(lags, pauses)
    print(
        f"100 jobs in {elapsed:.2f} s, {len(lags)} ticks, worst lag {worst * 1000:.1f} ms, "
        f"host pauses seen by the probe: {len(pauses)}, stalls of ours: {len(stalls)}"
    )
    assert not stalls, f"the loop stalled {max(stalls) * 1000:.1f} ms"
