"""Twenty image jobs at once against one token limit on PostgreSQL: the reservations never
overspend, the jobs over the limit fail with the quota message before any call, failed
calls are refunded and the usage ends at exactly what the successful calls reported."""

from __future__ import annotations

import asyncio

import pytest

from storyclip_desktop.domain.catalog import EXPECTED_COST
from storyclip_desktop.providers.base import ErrorKind, ImageResult, ProviderError

from .helpers import engine, keys, make_project, png, until

pytestmark = pytest.mark.postgres

COST = EXPECTED_COST[("image", "gemini")]
FITS = 12  # reservations the limit allows at once
FAILING = 2  # calls that fail at the provider: their reservations are refunded
REPORTED = 1000  # what the fake API says each image used (less than reserved)


class GatedImages:
    """A paid image provider that holds every call until the test opens the gate."""

    name = "gemini"

    def __init__(self) -> None:
        self.gate = asyncio.Event()
        self.started = 0
        self._loop = None

    async def generate_image(self, req):
        self.started += 1
        mine = self.started
        while not self.gate.is_set():
            await asyncio.sleep(0.01)  # runs on the provider loop: poll, the event is not ours
        if mine <= FAILING:
            raise ProviderError(ErrorKind.SERVER_DOWN, "Gemini is not responding properly", retryable=False, provider="gemini")
        return ImageResult(png=png(48, 64), width=48, height=64, usage_tokens=REPORTED, model="gemini-test")


def test_twenty_concurrent_jobs_never_overspend(pg_services):
    sv = pg_services
    limit = FITS * COST + COST // 2
    sv.tokens.set_limit("gemini", limit)
    pid = make_project(sv, 20, "prompt_confirmed")
    sv.generation.key_check = keys("gemini")
    batch = sv.generation.images(pid)
    assert len(batch.job_ids) == 20 and batch.provider == "gemini"
    provider = GatedImages()
    seen: list[int] = []

    def usage() -> int:
        return next(t.usage for t in sv.tokens.usage() if t.type == "gemini")

    async def watch():
        while True:
            seen.append(usage())
            await asyncio.sleep(0.005)

    async def main():
        eng = engine(sv, overrides={"gemini": provider}, limits={"gemini": 20})
        watcher = asyncio.create_task(watch())
        try:
            await eng.submit(batch.job_ids)

            def settled() -> bool:
                failed = [j for j in sv.generation.jobs(pid) if j.state == "failed"]
                return provider.started + len(failed) == 20

            await until(settled, timeout=30)
            assert usage() == FITS * COST
            provider.gate.set()
            return await eng.wait(batch.job_ids)
        finally:
            watcher.cancel()
            await eng.aclose()

    jobs = asyncio.run(main())
    assert max(seen) <= limit
    assert provider.started == FITS
    quota_failed = [j for j in jobs if j.state == "failed" and "token limit" in j.error]
    assert len(quota_failed) == 20 - FITS
    left = limit - FITS * COST
    assert {j.error for j in quota_failed} == {
        f"the gemini token limit would be exceeded: this needs {COST:,}, {left:,} of {limit:,} left"
    }
    call_failed = [j for j in jobs if j.state == "failed" and "not responding" in j.error]
    succeeded = [j for j in jobs if j.state == "succeeded"]
    assert (len(call_failed), len(succeeded)) == (FAILING, FITS - FAILING)
    assert usage() == REPORTED * len(succeeded)
    rec = sv.generation.records
    ledger = [rec.reservation(j.reservation_key) for j in jobs]
    assert sorted(str(x[0]) if x else "none" for x in ledger) == sorted(
        ["committed"] * (FITS - FAILING) + ["refunded"] * FAILING + ["none"] * (20 - FITS)
    )
    for j in succeeded:
        (v,) = sv.assets.versions(pid, j.scene_id, "image")
        assert v.metadata["cost"] == REPORTED
