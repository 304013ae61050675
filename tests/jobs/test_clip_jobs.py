"""Clip jobs against the loopback Seedance and Kling servers: one create per job, the
download retried on its own, cancel (with DELETE where the API has it), quotas."""

from __future__ import annotations

import asyncio

import pytest

from storyclip_desktop.domain.catalog import EXPECTED_COST
from tests.providers.fakes import FakeKling, FakeSeedance, Reply

from .conftest import pointed_at
from .helpers import engine, keys, make_project, run_jobs, until, usage

TASKS = "/api/v3/contents/generations/tasks"


class HoldSeedance(FakeSeedance):
    """Tasks stay queued until `hold` is cleared, so a test can act while one waits."""

    def __init__(self) -> None:
        super().__init__()
        self.hold = False

    def _advance(self, task: dict) -> dict:
        if self.hold and task["status"] == "queued":
            return {"id": task["id"], "model": task["model"], "status": "queued", "content": None, "error": None}
        return super()._advance(task)


@pytest.fixture
def seedance(monkeypatch):
    with HoldSeedance() as server:
        yield pointed_at(monkeypatch, server, "seedance", "/api/v3")


@pytest.fixture
def kling(monkeypatch):
    with FakeKling() as server:
        monkeypatch.setenv("STORYCLIP_KLING_BASE_URL", server.url)
        monkeypatch.setenv("STORYCLIP_KLING_ACCESS_KEY", server.access_key)
        monkeypatch.setenv("STORYCLIP_KLING_SECRET_KEY", server.secret_key)
        yield server


def _clip_job(sv, provider="seedance") -> tuple[int, int]:
    pid = make_project(sv, 1, "image_confirmed")
    if provider == "kling":
        sv.preferences.update(pid, video_gen_model="Kling")
    sv.generation.key_check = keys(provider)
    batch = sv.generation.clips(pid)
    assert batch.provider == provider
    return pid, batch.job_ids[0]


def test_a_failed_download_retries_the_download_not_the_generation(local_services, seedance):
    sv = local_services
    pid, jid = _clip_job(sv)
    seedance.script("GET", "/files/", Reply(403, body=b"<Error>AccessDenied</Error>"))

    (job,) = run_jobs(sv, [jid])
    assert job.state == "succeeded", job.error
    assert len(seedance.calls("POST", TASKS)) == 1
    assert len(seedance.calls("GET", "/files/")) == 2  # 403, then the file
    scene = sv.scenes.get(pid, "S1")
    assert (scene.status, scene.clip_version) == ("clip", 1)
    (clip,) = sv.assets.versions(pid, "S1", "clip")
    assert clip.metadata["cost"] == 108900 and clip.metadata["job_id"] == jid
    assert clip.metadata["remote_task_id"] == job.remote_task_id
    assert usage(sv, "seedance") == 108900


def test_cancel_deletes_a_queued_seedance_task_and_refunds(local_services, seedance):
    sv = local_services
    pid, jid = _clip_job(sv)
    seedance.hold = True

    async def main():
        eng = engine(sv)
        try:
            await eng.submit([jid])
            await until(lambda: sv.generation.job(jid).state == "polling")
            assert usage(sv, "seedance") == EXPECTED_COST[("clip", "seedance")]  # held while it runs
            return await eng.cancel(jid)
        finally:
            await eng.aclose()

    job = asyncio.run(main())
    assert job.state == "cancelled" and job.error is None
    (task_id,) = seedance.tasks
    assert [c.path for c in seedance.calls("DELETE")] == [f"{TASKS}/{task_id}"]
    assert seedance.tasks[task_id]["status"] == "cancelled"
    assert usage(sv, "seedance") == 0  # a cancelled task is not billed: refunded
    assert sv.scenes.get(pid, "S1").clip_version is None


def test_kling_has_no_cancel_so_the_job_stops_polling_and_keeps_the_charge(local_services, kling):
    sv = local_services
    _, jid = _clip_job(sv, "kling")

    async def main():
        eng = engine(sv, poll=0.5)
        try:
            await eng.submit([jid])
            await until(lambda: sv.generation.job(jid).state == "polling")
            job = await eng.cancel(jid)
            polls = len(kling.calls("GET", "/v1/videos/image2video/"))
            await asyncio.sleep(0.8)
            assert len(kling.calls("GET", "/v1/videos/image2video/")) == polls  # stopped polling
            return job
        finally:
            await eng.aclose()

    job = asyncio.run(main())
    assert job.state == "cancelled"
    assert "could not stop" in job.error
    assert kling.calls("DELETE") == []
    (create,) = kling.calls("POST", "/v1/videos/image2video")
    assert create.json()["external_task_id"] == f"storyclip-job-{jid}"
    assert usage(sv, "kling") == EXPECTED_COST[("clip", "kling")]  # it runs on and is billed


def test_a_failed_remote_task_fails_the_job_and_refunds(local_services, seedance):
    sv = local_services
    _, jid = _clip_job(sv)
    seedance.outcome = "failed"
    seedance.failure = {"code": "InternalServiceError", "message": "render farm hiccup"}

    (job,) = run_jobs(sv, [jid])
    assert job.state == "failed" and "render farm hiccup" in job.error
    assert usage(sv, "seedance") == 0


def test_over_the_limit_is_refused_before_any_request(local_services, seedance):
    sv = local_services
    _, jid = _clip_job(sv)
    sv.tokens.set_limit("seedance", 50_000)

    (job,) = run_jobs(sv, [jid])
    assert job.state == "failed"
    assert job.error == "the seedance token limit would be exceeded: this needs 110,000, 50,000 of 50,000 left"
    assert seedance.calls("POST") == []


def test_a_second_engine_resumes_polling_without_creating_again(local_services, seedance):
    sv = local_services
    pid, jid = _clip_job(sv)
    seedance.hold = True

    async def main():
        first = engine(sv)
        await first.submit([jid])
        await until(lambda: sv.generation.job(jid).state == "polling")
        await first.aclose()  # the window closes mid-poll
        assert sv.generation.job(jid).owner is None
        seedance.hold = False
        second = engine(sv)
        try:
            assert await second.resume() == [jid]
            return await second.wait([jid])
        finally:
            await second.aclose()

    (job,) = asyncio.run(main())
    assert job.state == "succeeded"
    assert len(seedance.calls("POST", TASKS)) == 1
    assert sv.scenes.get(pid, "S1").clip_version == 1


def test_cancel_from_another_engine_is_noticed_by_the_one_running_it(local_services, seedance):
    sv = local_services
    _, jid = _clip_job(sv)
    seedance.hold = True

    async def main():
        runner, other = engine(sv), engine(sv)
        try:
            await runner.submit([jid])
            await until(lambda: sv.generation.job(jid).state == "polling")
            marked = await other.cancel(jid)  # e.g. `storyclip jobs cancel` while the window runs it
            assert marked.state == "cancelled"
            await until(lambda: seedance.calls("DELETE"), timeout=5)
            await until(lambda: not runner.running(), timeout=5)
        finally:
            await other.aclose()
            await runner.aclose()

    asyncio.run(main())
    assert sv.generation.job(jid).state == "cancelled"
    assert usage(sv, "seedance") == 0


def test_a_create_that_timed_out_after_sending_is_counted_not_refunded(local_services, seedance):
    """The request may have created (and billed) a task we never heard of."""
    sv = local_services
    _, jid = _clip_job(sv)
    seedance.script("POST", TASKS, Reply(json={"id": "cgt-late"}, delay=1.5))

    async def main():
        from storyclip_desktop.jobs import JobEngine, ProviderFactory
        from storyclip_desktop.providers.http import make_client

        from .helpers import FAST_RETRY

        client = make_client(read_timeout=0.3)
        eng = JobEngine(sv, factory=ProviderFactory(client=client, retry=FAST_RETRY), poll_interval=0.05)
        try:
            await eng.submit([jid])
            return await eng.wait([jid])
        finally:
            await eng.aclose()
            await client.aclose()

    (job,) = asyncio.run(main())
    assert job.state == "failed" and "may have been processed (and charged) anyway" in job.error
    assert len(seedance.calls("POST", TASKS)) == 1  # not sent again
    assert usage(sv, "seedance") == EXPECTED_COST[("clip", "seedance")]
