"""The engine on the loopback Gemini / OpenAI / ElevenLabs servers and the Local preview
providers: events, token settlement, failures, resume rules, cancel while queued."""

from __future__ import annotations

import asyncio
import json

import pytest

from storyclip_desktop.jobs import ProviderFactory
from storyclip_desktop.jobs.media_out import resolve
from storyclip_desktop.media.library import MediaLibrary
from tests.providers.fakes import FakeElevenLabs, FakeOpenAI, gemini_error

from .helpers import FAST_RETRY, engine, keys, make_project, run_jobs, usage


def test_a_paid_image_commits_the_reported_usage_and_adds_a_version(local_services, gemini):
    sv = local_services
    pid = make_project(sv, 1)
    sv.generation.key_check = keys("gemini")
    events = []

    async def main():
        eng = engine(sv)
        eng.subscribe(lambda e: events.append((e.state, e.progress)))
        try:
            ids = sv.generation.images(pid).job_ids
            await eng.submit(ids)
            return await eng.wait(ids)
        finally:
            await eng.aclose()

    (job,) = asyncio.run(main())
    assert job.state == "succeeded" and job.progress == 1.0
    states = [s for s, _ in events]
    assert states[0] == "queued" and states[-1] == "succeeded"
    assert states.index("running") < states.index("downloading") < states.index("succeeded")
    assert usage(sv, "gemini") == 1290  # what usageMetadata reported, not the 1,300 reserved
    (v,) = sv.assets.versions(pid, "S1", "image")
    assert isinstance(v.metadata["seed"], int)  # Gemini takes generationConfig.seed
    assert v.metadata | {"job_id": 0, "seed": 0} == {
        "provider": "gemini", "model": "gemini-3.1-flash-image", "prompt": "a picture for S1",
        "seed": 0, "width": 480, "height": 854, "duration": None, "cost": 1290, "job_id": 0,
        "references": [],
    }
    media = MediaLibrary()
    path = resolve(media, v.storage_url)
    assert path.is_file() and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert list((media.root / ".thumbs").glob(f"{path.stem}_*.jpg"))  # made once, kept
    assert sv.scenes.get(pid, "S1").status == "image"
    assert "AIza" not in json.dumps(v.metadata) + (job.error or "")


def test_a_refused_image_fails_with_the_reason_and_is_refunded(local_services, gemini):
    sv = local_services
    pid = make_project(sv, 1)
    sv.generation.key_check = keys("gemini")
    gemini.script("POST", "/v1/models/", gemini_error(400, "INVALID_ARGUMENT", "Prompt is too silly"))
    (job,) = run_jobs(sv, sv.generation.images(pid).job_ids)
    assert job.state == "failed"
    assert job.error == "Gemini rejected the request: Prompt is too silly"
    assert usage(sv, "gemini") == 0
    assert sv.scenes.get(pid, "S1").image_version is None


def test_a_key_removed_after_queueing_fails_clearly_without_a_reservation(local_services):
    sv = local_services
    pid = make_project(sv, 1)
    sv.generation.key_check = keys("gemini")
    ids = sv.generation.images(pid).job_ids

    async def main():
        factory = ProviderFactory(secret=lambda name: None, retry=FAST_RETRY)
        from storyclip_desktop.jobs import JobEngine

        eng = JobEngine(sv, factory=factory, poll_interval=0.05)
        try:
            await eng.submit(ids)
            return await eng.wait(ids)
        finally:
            await eng.aclose()

    (job,) = asyncio.run(main())
    assert job.state == "failed"
    assert job.error == "No Gemini API key is set. Add it in Settings, or Retry to use Local preview."
    assert sv.generation.records.reservation(job.reservation_key) is None  # never reserved
    assert usage(sv, "gemini") == 0


def test_split_with_the_openai_text_provider_makes_scenes_with_prompts(local_services, monkeypatch):
    sv = local_services
    with FakeOpenAI() as server:
        monkeypatch.setenv("STORYCLIP_OPENAI_BASE_URL", server.url + "/v1")
        monkeypatch.setenv("STORYCLIP_OPENAI_API_KEY", server.api_key)
        pid = sv.projects.create("이야기", script="옛날 옛적에 호랑이가 살았어요.")
        sv.preferences.update(pid, image_gen_model="GPT")
        sv.generation.key_check = keys("openai")
        (job,) = run_jobs(sv, sv.generation.split(pid).job_ids)
    assert job.state == "succeeded", job.error
    scenes = sv.scenes.list(pid)
    assert [s.narration for s in scenes] == ["옛날 옛적에", "호랑이가 살았어요"]
    assert scenes[1].scene_json["image_prompt"] == "a tiger resting under a pine tree"
    assert scenes[1].scene_json["duration"] == 4 and scenes[1].status == "prompt"
    assert usage(sv, "gpt") == 321


def test_narration_with_elevenlabs_keeps_audio_and_timing(local_services, monkeypatch):
    sv = local_services
    with FakeElevenLabs() as server:
        monkeypatch.setenv("STORYCLIP_ELEVENLABS_BASE_URL", server.url)
        monkeypatch.setenv("STORYCLIP_ELEVENLABS_API_KEY", server.api_key)
        pid = make_project(sv, 2)
        sv.generation.key_check = keys("elevenlabs")
        (job,) = run_jobs(sv, sv.generation.narration(pid).job_ids)
        text = json.loads(server.calls("POST")[0].body)["text"]
    assert job.state == "succeeded", job.error
    (v,) = sv.assets.versions(pid, None, "narration")
    assert v.storage_url.endswith(".mp3") and v.metadata["voice"] == "Bin"
    assert v.metadata["cost"] == len(text) == usage(sv, "voice")
    timing = json.loads(resolve(MediaLibrary(), v.metadata["alignment_url"]).read_text())
    assert "".join(timing["characters"]) == text
    assert sv.projects.get(pid).narration_version == 1


def test_local_prompts_respect_no_subject_and_style(local_services):
    sv = local_services
    pid = make_project(sv, 2, "init")
    sv.preferences.update(pid, custom_style="ink wash")
    sv.scenes.edit(pid, "S2", {}, no_subject=True)
    jobs = run_jobs(sv, sv.generation.prompts(pid).job_ids)
    assert {j.state for j in jobs} == {"succeeded"}
    s1, s2 = sv.scenes.list(pid)
    assert s1.scene_json["image_prompt"].endswith("style: ink wash")
    assert "no people" in s2.scene_json["image_prompt"] and s2.scene_json["negative_prompt"] == "people, faces"
    assert s1.status == s2.status == "prompt"


def test_a_prompt_job_never_rewinds_a_scene_confirmed_meanwhile(local_services):
    sv = local_services
    pid = make_project(sv, 1, "prompt")
    ids = sv.generation.prompts(pid, replace_edited=True).job_ids  # make_project typed it
    sv.reviews.confirm(pid, "S1")
    (job,) = run_jobs(sv, ids)
    assert job.state == "failed" and "moved on to “Prompt confirmed”" in job.error
    assert sv.scenes.get(pid, "S1").scene_json["image_prompt"] == "a picture for S1"


def test_an_image_for_a_scene_rewound_meanwhile_is_kept_but_not_chosen(local_services):
    sv = local_services
    pid = make_project(sv, 1)
    ids = sv.generation.images(pid).job_ids
    sv.reviews.reject(pid, "S1", "rewrite it")  # prompt_confirmed -> prompt
    (job,) = run_jobs(sv, ids)
    assert job.state == "succeeded" and job.result["made_current"] is False
    assert len(sv.assets.versions(pid, "S1", "image")) == 1
    assert sv.scenes.get(pid, "S1").image_version is None


def test_cancel_while_queued_never_calls_the_provider(local_services):
    sv = local_services
    pid = make_project(sv, 3)
    ids = sv.generation.images(pid).job_ids

    async def main():
        eng = engine(sv, limits={"local": 1})
        try:
            await eng.submit(ids)
            cancelled = await eng.cancel(ids[2])  # still waiting for the one local slot
            return cancelled, await eng.wait(ids)
        finally:
            await eng.aclose()

    cancelled, jobs = asyncio.run(main())
    assert cancelled.state == "cancelled" and cancelled.attempts == 0
    assert [j.state for j in jobs] == ["succeeded", "succeeded", "cancelled"]
    assert sv.assets.versions(pid, "S3") == []


def test_resume_fails_a_paid_call_cut_off_by_a_crash_and_keeps_its_charge(local_services):
    """Found 'running' with an open reservation: the request may have been billed, and the
    synchronous APIs cannot be asked, so it is not sent again."""
    sv = local_services
    pid = make_project(sv, 1)
    sv.generation.key_check = keys("gemini")
    jid = sv.generation.images(pid).job_ids[0]
    rec = sv.generation.records
    rec.claim(jid, "ghost:1:dead", 0, expected_owner=None)
    rec.start(jid, "ghost:1:dead")
    rec.update(jid, "ghost:1:dead", reservation_key=f"job-{jid}-image")
    sv.tokens.reserve("gemini", 1300, f"job-{jid}-image")

    async def main():
        eng = engine(sv)
        try:
            assert await eng.resume() == [jid]
            return await eng.wait([jid])
        finally:
            await eng.aclose()

    (job,) = asyncio.run(main())
    assert job.state == "failed" and "may have charged" in job.error
    assert usage(sv, "gemini") == 1300
    assert rec.reservation(f"job-{jid}-image") == ("committed", 1300)


def test_resume_reruns_a_free_local_job(local_services):
    sv = local_services
    pid = make_project(sv, 1)
    jid = sv.generation.images(pid).job_ids[0]
    rec = sv.generation.records
    rec.claim(jid, "ghost:1:dead", 0, expected_owner=None)
    rec.start(jid, "ghost:1:dead")

    async def main():
        eng = engine(sv)
        try:
            await eng.resume()
            return await eng.wait([jid])
        finally:
            await eng.aclose()

    (job,) = asyncio.run(main())
    assert job.state == "succeeded" and job.attempts == 1


def test_a_live_owner_is_never_doubled(local_services):
    sv = local_services
    pid = make_project(sv, 1)
    jid = sv.generation.images(pid).job_ids[0]

    async def main():
        a, b = engine(sv, limits={"local": 1}), engine(sv)
        try:
            await a.submit([jid])
            assert await b.resume() == []  # a is alive: b leaves its job alone
            return await a.wait([jid])
        finally:
            await b.aclose()
            await a.aclose()

    (job,) = asyncio.run(main())
    assert job.state == "succeeded"
    assert len(sv.assets.versions(pid, "S1", "image")) == 1


def test_a_local_clip_is_rendered_and_lands(local_services):
    sv = local_services
    pid = make_project(sv, 1, "image_confirmed")
    (job,) = run_jobs(sv, sv.generation.clips(pid).job_ids)
    assert job.state == "succeeded", job.error
    scene = sv.scenes.get(pid, "S1")
    assert (scene.status, scene.clip_version) == ("clip", 1)
    (clip,) = sv.assets.versions(pid, "S1", "clip")
    assert (clip.metadata["width"], clip.metadata["height"]) == (480, 854)
    assert clip.metadata["duration"] == pytest.approx(5.0, abs=0.1)



@pytest.mark.parametrize("provider", ["openai", "gemini"])
def test_a_retired_model_says_so_is_not_retried_and_is_refunded(local_services, openai, gemini, provider):
    """A model shut down after this StoryClip was released: the server refuses it."""
    sv = local_services
    pid = make_project(sv, 1)
    sv.preferences.update(pid, image_gen_model="GPT" if provider == "openai" else "Gemini")
    sv.generation.key_check = keys(provider)
    # StoryClip's list still calls them current; the provider has shut them down since
    retired = {"openai": "gpt-image-2", "gemini": "gemini-3-pro-image"}[provider]
    assert retired not in (openai if provider == "openai" else gemini).models
    from storyclip_desktop.services.models import _path

    _path().parent.mkdir(parents=True, exist_ok=True)
    _path().write_text(json.dumps({"choices": {f"{provider}/image": retired}}), encoding="utf-8")
    (job,) = run_jobs(sv, sv.generation.images(pid).job_ids)
    label = {"openai": "OpenAI", "gemini": "Gemini"}[provider]
    assert job.state == "failed" and job.model == retired
    assert job.error == (
        f"{label} does not offer the model '{retired}': it is retired or unknown to this key. "
        "Choose another in Settings › Models."
    )
    server = openai if provider == "openai" else gemini
    assert len(server.calls("POST")) == 1  # not retried
    assert usage(sv, "gpt" if provider == "openai" else "gemini") == 0  # the reservation was refunded
    (res,) = [r for r in [sv.generation.records.reservation(job.reservation_key)] if r]
    assert res[0] == "refunded"
