"""Which scenes a batch touches, what it says about the others, and which provider it
picks: the service half of generation, no engine involved."""

from __future__ import annotations

import pytest

from storyclip_desktop.services.errors import Conflict, NotFound
from storyclip_desktop.services.generation_plan import expected_cost
from tests.jobs.helpers import keys, make_project, move_scene


@pytest.fixture
def sv(local_services):
    local_services.generation.key_check = keys()  # no keys: Local preview everywhere
    return local_services


def test_images_skip_scenes_without_a_confirmed_prompt_and_say_why(sv):
    pid = make_project(sv, 4, "init")
    move_scene(sv, pid, "S2", "prompt")
    move_scene(sv, pid, "S3", "prompt_confirmed")
    move_scene(sv, pid, "S4", "image")
    batch = sv.generation.images(pid)
    assert [sv.generation.job(j).scene_id for j in batch.job_ids] == ["S3"]
    assert [(s.scene_id, s.reason) for s in batch.skipped] == [
        ("S1", "an image needs a confirmed prompt (this scene is “Draft”)"),
        ("S2", "an image needs a confirmed prompt (this scene is “Prompt to review”)"),
        ("S4", "already has an image (“Image to review”); generate for this scene alone for a new version"),
    ]
    assert batch.provider == "local" and batch.provider_label == "Local preview"


def test_naming_a_scene_makes_a_new_version_where_the_state_machine_allows(sv):
    pid = make_project(sv, 2, "image")
    batch = sv.generation.images(pid, ["S1"])
    assert len(batch.job_ids) == 1 and batch.skipped == []


def test_clips_need_a_confirmed_image(sv):
    pid = make_project(sv, 3, "image_confirmed")
    move_scene(sv, pid, "S1", "clip")
    sv.reviews.reject(pid, "S2", "too dark")  # image_confirmed -> image
    batch = sv.generation.clips(pid)
    assert [sv.generation.job(j).scene_id for j in batch.job_ids] == ["S3"]
    reasons = {s.scene_id: s.reason for s in batch.skipped}
    assert reasons == {
        "S1": "already has a clip (“Clip ready”); generate for this scene alone for a new version",
        "S2": "a clip needs a confirmed image (this scene is “Image to review”)",
    }
    job = sv.generation.job(batch.job_ids[0])
    assert job.request["image_version"] == 1 and job.request["image_url"].startswith("media:")


def test_nothing_eligible_is_one_line_error(sv):
    pid = make_project(sv, 2, "init")
    with pytest.raises(Conflict) as e:
        sv.generation.clips(pid)
    assert "\n" not in e.value.message
    assert e.value.message == (
        "no clip to generate: S1: a clip needs a confirmed image (this scene is “Draft”); "
        "S2: a clip needs a confirmed image (this scene is “Draft”)"
    )
    assert sv.generation.jobs() == []


def test_unknown_project_and_unknown_scene(sv):
    with pytest.raises(NotFound, match="no project with id 42"):
        sv.generation.images(42)
    pid = make_project(sv, 1)
    with pytest.raises(NotFound, match="has no scene S9"):
        sv.generation.images(pid, ["S1", "S9"])
    assert sv.generation.jobs() == []  # all or nothing


def test_a_scene_with_a_job_in_progress_is_not_queued_twice(sv):
    pid = make_project(sv, 3)
    first = sv.generation.images(pid, ["S1", "S2"])
    again = sv.generation.images(pid, ["S1", "S3"])
    assert [sv.generation.job(j).scene_id for j in again.job_ids] == ["S3"]
    assert [(s.scene_id, s.reason) for s in again.skipped] == [
        ("S1", f"already has an image job in progress (job {first.job_ids[0]})")
    ]
    with pytest.raises(Conflict, match="already has an image job in progress"):
        sv.generation.images(pid, ["S2"])


def test_prompts_only_for_scenes_not_yet_confirmed(sv):
    pid = make_project(sv, 3, "init")
    move_scene(sv, pid, "S2", "prompt")
    move_scene(sv, pid, "S3", "prompt_confirmed")
    kept = sv.generation.prompts(pid)  # move_scene typed S2's prompt by hand: kept
    assert [s.scene_id for s in kept.skipped] == ["S2", "S3"] and "written by hand" in kept.skipped[0].reason
    batch = sv.generation.prompts(pid, ["S2"], replace_edited=True)
    assert [sv.generation.job(j).scene_id for j in kept.job_ids + batch.job_ids] == ["S1", "S2"]
    assert "already confirmed" in kept.skipped[1].reason


def test_the_preferred_provider_is_used_when_its_key_is_set(sv):
    pid = make_project(sv, 1)
    sv.preferences.update(pid, image_gen_model="GPT")
    sv.generation.key_check = keys("openai")
    batch = sv.generation.images(pid)
    job = sv.generation.job(batch.job_ids[0])
    assert (job.provider, job.model, job.provider_label) == ("openai", "gpt-image-2.6-sunburst", "OpenAI")
    assert job.request["seed"] is None  # the paid image APIs take none
    sv.generation.key_check = keys("gemini")  # the GPT key is gone: Local preview, not Gemini
    assert sv.generation.choice(pid, "image").provider == "local"
    assert sv.generation.choice(pid, "image").preferred == "openai"


def test_the_model_chosen_in_settings_is_what_the_job_uses(sv):
    pid = make_project(sv, 2)
    other = make_project(sv, 1, title="other")
    for p in (pid, other):
        sv.preferences.update(p, image_gen_model="GPT")
    sv.generation.key_check = keys("openai")
    sv.models.choose("openai", "image", "gpt-image-2.5-flare")  # every project
    sv.models.choose("openai", "image", "gpt-image-1.5", project_id=pid)  # this one only
    first = sv.generation.job(sv.generation.images(pid, ["S1"]).job_ids[0])
    second = sv.generation.job(sv.generation.images(other).job_ids[0])
    assert (first.model, second.model) == ("gpt-image-1.5", "gpt-image-2.5-flare")
    sv.models.clear("openai", "image", project_id=pid)
    assert sv.generation.job(sv.generation.images(pid, ["S2"]).job_ids[0]).model == "gpt-image-2.5-flare"


def test_a_retired_model_cannot_be_chosen(sv):
    from storyclip_desktop.domain.validation import ValidationError

    with pytest.raises(ValidationError, match="gpt-image-1 was retired 2026-10-23"):
        sv.models.choose("openai", "image", "gpt-image-1")
    # a choice saved before the shutdown (an older models.json) is refused before any job
    from storyclip_desktop.services.models import _path

    pid = make_project(sv, 1)
    sv.preferences.update(pid, image_gen_model="GPT")
    sv.generation.key_check = keys("openai")
    _path().parent.mkdir(parents=True, exist_ok=True)
    _path().write_text('{"choices": {"openai/image": "gpt-image-1"}}', encoding="utf-8")
    with pytest.raises(ValidationError, match=r"model: gpt-image-1 was retired 2026-10-23 \(use gpt-image-2.5-sunburst\); choose another in Settings › Models"):
        sv.generation.images(pid)
    assert sv.generation.jobs(pid) == []
    options = {o.id: o for f in sv.models.families() if (f.provider, f.kind) == ("openai", "text") for o in f.options}
    assert options["gpt-4.1-mini"].status == "retiring" and "2027-01-14" in options["gpt-4.1-mini"].note


def test_narration_is_one_job_for_the_project(sv):
    pid = make_project(sv, 3)
    sv.preferences.update(pid, voice_gen_model="Otani", stability=0.8)
    sv.generation.key_check = keys("elevenlabs")
    batch = sv.generation.narration(pid)
    job = sv.generation.job(batch.job_ids[0])
    assert job.scene_id is None and job.provider == "elevenlabs"
    assert job.request["voice"] == "Otani" and job.request["stability"] == 0.8
    assert job.request["text"].startswith("장면 1 이야기.")
    assert expected_cost("narration", "elevenlabs", job.request) == len(job.request["text"])
    with pytest.raises(Conflict, match="already in progress"):
        sv.generation.narration(pid)


def test_retry_of_a_paid_clip_that_failed_to_download_reuses_the_job(sv):
    pid = make_project(sv, 1, "image_confirmed")
    jid = sv.generation.clips(pid).job_ids[0]
    records = sv.generation.records
    records.claim(jid, "me", 0, expected_owner=None)
    records.start(jid, "me")
    records.update(jid, "me", remote_task_id="cgt-1", state="downloading")
    records.finish(jid, "me", "failed", error="download failed", result={"resumable": True})
    assert sv.generation.retry(jid) == jid
    job = sv.generation.job(jid)
    assert (job.state, job.remote_task_id, job.error) == ("polling", "cgt-1", None)


def test_retry_of_anything_else_is_a_new_job(sv):
    pid = make_project(sv, 1)
    jid = sv.generation.images(pid).job_ids[0]
    with pytest.raises(Conflict, match="still queued"):
        sv.generation.retry(jid)
    sv.generation.records.cancel(jid)
    new = sv.generation.retry(jid)
    assert new != jid and sv.generation.job(new).state == "queued"
