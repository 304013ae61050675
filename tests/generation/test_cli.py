"""`storyclip generate ...` and `storyclip jobs ...` on the Local preview providers."""

from __future__ import annotations

import json

import pytest

from storyclip_desktop.services import Services
from tests.support.cli import keyless, run


@pytest.fixture(autouse=True)
def no_keys(monkeypatch):
    keyless(monkeypatch, node="11")


@pytest.fixture
def demo(capsys) -> int:
    code, out, _ = run(capsys, "demo")
    assert code == 0
    return int(out.strip())


def test_prompts_then_images_with_wait_make_image_versions(capsys, demo):
    code, out, err = run(capsys, "generate", "prompts", str(demo), "--wait")
    assert code == 0, err
    assert "queued 7 prompt job(s) on Local preview (no Gemini key set)" in out
    assert "7 of 7 job(s) succeeded" in out
    sv = Services.open()
    try:
        scenes = sv.scenes.list(demo)
        assert {s.status for s in scenes} == {"prompt"}
        assert "style: warm film photography" in scenes[0].scene_json["image_prompt"]
        for s in scenes[:3]:
            sv.reviews.confirm(demo, s.scene_id)
    finally:
        sv.close()

    code, out, err = run(capsys, "generate", "images", str(demo), "--wait")
    assert code == 0, err
    assert "queued 3 image job(s)" in out
    assert [line for line in out.splitlines() if " image succeeded 100% [Local preview]" in line]
    assert "3 of 3 job(s) succeeded" in out
    # the four scenes still waiting for review are named, each with its reason
    assert err.splitlines() == [
        f"skipped S{i}: an image needs a confirmed prompt (this scene is “Prompt to review”)" for i in range(4, 8)
    ]
    sv = Services.open()
    try:
        for s in sv.scenes.list(demo)[:3]:
            assert (s.status, s.image_version) == ("image", 1)
            (v,) = sv.assets.versions(demo, s.scene_id, "image")
            assert v.metadata["provider"] == "local" and v.metadata["cost"] == 0
            assert (v.metadata["width"], v.metadata["height"]) == (480, 854)
        assert next(t.usage for t in sv.tokens.usage() if t.type == "gemini") == 0  # local is free
    finally:
        sv.close()

    code, out, _ = run(capsys, "jobs", "list", "--json")
    assert code == 0
    jobs = json.loads(out)
    assert len(jobs) == 10
    assert {j["state"] for j in jobs} == {"succeeded"}
    assert {j["provider_label"] for j in jobs} == {"Local preview"}
    assert sorted(j["kind"] for j in jobs) == ["image"] * 3 + ["prompt"] * 7


def test_scenes_given_as_one_quoted_list_are_the_same_scenes(capsys, demo):
    code, out, err = run(capsys, "generate", "prompts", str(demo), "--scenes", "S1 S2,S3")
    assert code == 0, err
    assert len(out.splitlines()[1:]) == 3


def test_without_wait_jobs_are_queued_and_jobs_run_finishes_them(capsys, demo):
    code, out, _ = run(capsys, "generate", "prompts", str(demo), "--scenes", "S1", "S2")
    assert code == 0
    ids = [int(x) for x in out.splitlines()[1:]]
    assert len(ids) == 2
    code, out, _ = run(capsys, "jobs", "list")
    assert out.count("queued") == 2 and "Local preview" in out
    code, out, err = run(capsys, "jobs", "run")
    assert code == 0, err
    assert "2 of 2 job(s) succeeded" in out


def test_cancel_a_queued_job_and_retry_it(capsys, demo):
    _, out, _ = run(capsys, "generate", "narration", str(demo))
    jid = int(out.splitlines()[1])
    code, out, _ = run(capsys, "jobs", "cancel", str(jid))
    assert (code, out.strip()) == (0, f"job {jid}: cancelled")
    code, _, err = run(capsys, "jobs", "cancel", str(jid))
    assert (code, err.strip()) == (1, f"storyclip: job {jid} already cancelled")
    code, out, err = run(capsys, "jobs", "retry", str(jid), "--wait")
    assert code == 0, err
    assert "1 of 1 job(s) succeeded" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["generate", "images", "424242"], "storyclip: no project with id 424242"),
        (["generate", "clips", "{demo}"], "storyclip: no clip to generate: S1: a clip needs a confirmed image (this scene is “Draft”);"),
        (["generate", "images", "{demo}", "--scenes", "S1", "S99"], "storyclip: project {demo} has no scene S99"),
        (["generate", "narration", "{demo}", "--scenes", "S1"], "storyclip: scenes: a narration is made for the whole project"),
        (["jobs", "cancel", "5"], "storyclip: no job with id 5"),
    ],
)
def test_bad_input_is_one_line_and_non_zero(capsys, demo, argv, message):
    code, out, err = run(capsys, *[a.replace("{demo}", str(demo)) for a in argv])
    assert code != 0
    assert len(err.splitlines()) == 1, err
    assert err.startswith(message.replace("{demo}", str(demo)))
    sv = Services.open()
    try:
        assert sv.generation.jobs() == []
    finally:
        sv.close()
