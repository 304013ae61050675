"""Reference images and seeds on the wire: through the job engine to the loopback Gemini,
OpenAI and Seedance servers, with the real clients. A scene that names two characters
sends both characters' images; a scene that names none sends none; the version records
which references (asset id and version) and which seed made it."""

from __future__ import annotations

import base64

import pytest

from storyclip_desktop.jobs.media_out import media_url
from storyclip_desktop.media.library import MediaLibrary
from tests.providers.fakes import FakeOpenAI

from .helpers import keys, make_project, png
from .test_engine import run_jobs


def two_characters(sv, *, prefs: dict | None = None):
    """S1 shows 민지 and Jun, S2 shows nobody; each character has one reference image."""
    pid = make_project(sv, 2)
    if prefs:
        sv.preferences.update(pid, **prefs)
    media = MediaLibrary()
    made = {}
    for name, color in (("민지", (250, 0, 250)), ("Jun", (0, 250, 250))):
        sv.references.add_character(pid, name)
        data = png(200, 300, color)
        ref = sv.references.add(pid, media_url(media, media.store_bytes(data, ".png")), character=name,
                                metadata={"mime": "image/png"})
        made[name] = (ref, data)
    sv.references.link(pid, "S1", ["민지", "Jun"])
    return pid, made


def recorded_refs(made) -> list[dict]:
    return [{"asset_id": made[n][0].id, "version": made[n][0].version, "character": n} for n in ("민지", "Jun")]


def test_gemini_gets_both_characters_as_inline_images_only_for_the_scene_that_names_them(local_services, gemini):
    sv = local_services
    pid, made = two_characters(sv)
    sv.generation.key_check = keys("gemini")
    jobs = run_jobs(sv, sv.generation.images(pid).job_ids)
    assert [j.state for j in jobs] == ["succeeded", "succeeded"], [j.error for j in jobs]
    calls = {}
    for call in gemini.calls("POST", "/v1/models/"):
        parts = call.json()["contents"][0]["parts"]
        scene = "S1" if "a picture for S1" in parts[0]["text"] else "S2"
        calls[scene] = call.json()
    s1_parts = calls["S1"]["contents"][0]["parts"]
    assert [list(p) for p in s1_parts] == [["text"], ["inlineData"], ["inlineData"]]
    assert [base64.b64decode(p["inlineData"]["data"]) for p in s1_parts[1:]] == [made["민지"][1], made["Jun"][1]]
    assert {p["inlineData"]["mime_type"] for p in s1_parts[1:]} == {"image/png"}  # as google-genai spells it
    assert "1. 민지" in s1_parts[0]["text"] and "2. Jun" in s1_parts[0]["text"]
    assert calls["S2"]["contents"][0]["parts"] == [{"text": "a picture for S2"}]
    (s1,) = sv.assets.versions(pid, "S1", "image")
    (s2,) = sv.assets.versions(pid, "S2", "image")
    assert s1.metadata["references"] == recorded_refs(made)
    assert s2.metadata["references"] == []
    # The seed went out in generationConfig and is kept with the version.
    assert calls["S1"]["generationConfig"]["seed"] == s1.metadata["seed"]
    assert isinstance(s1.metadata["seed"], int)


def test_openai_uses_the_edits_endpoint_with_one_image_part_per_reference(local_services, openai):
    sv = local_services
    pid, made = two_characters(sv, prefs={"image_gen_model": "GPT"})
    sv.generation.key_check = keys("openai")
    jobs = run_jobs(sv, sv.generation.images(pid).job_ids)
    assert [j.state for j in jobs] == ["succeeded", "succeeded"], [j.error for j in jobs]
    (edit,) = openai.calls("POST", "/v1/images/edits")
    fields, files = edit.form()
    assert edit.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert edit.headers["authorization"] == f"Bearer {FakeOpenAI.api_key}"
    assert [(f.name, f.content_type, f.data) for f in files] == [
        ("image[]", "image/png", made["민지"][1]), ("image[]", "image/png", made["Jun"][1]),
    ]
    assert fields["prompt"].startswith("a picture for S1") and "2. Jun" in fields["prompt"]
    assert {k: fields[k] for k in ("n", "size", "quality", "output_format")} == {
        "n": "1", "size": "1024x1536", "quality": "high", "output_format": "png",
    }
    assert "seed" not in fields and "response_format" not in fields  # the image API takes neither
    (plain,) = openai.calls("POST", "/v1/images/generations")
    assert plain.json()["prompt"] == "a picture for S2"
    (s1,) = sv.assets.versions(pid, "S1", "image")
    (s2,) = sv.assets.versions(pid, "S2", "image")
    assert s1.metadata["references"] == recorded_refs(made) and s2.metadata["references"] == []
    assert s1.metadata["seed"] is None


def test_generate_again_with_the_same_seed_sends_and_keeps_that_seed(local_services, gemini):
    sv = local_services
    pid = make_project(sv, 1)
    sv.generation.key_check = keys("gemini")
    run_jobs(sv, sv.generation.images(pid).job_ids)
    (first,) = sv.assets.versions(pid, "S1", "image")
    batch = sv.generation.again_with_seed(pid, "S1", "image", first.version)
    assert sv.generation.job(batch.job_ids[0]).request["seed"] == first.metadata["seed"]
    run_jobs(sv, batch.job_ids)
    v1, v2 = sv.assets.versions(pid, "S1", "image")
    assert v2.metadata["seed"] == v1.metadata["seed"]
    seeds = [c.json()["generationConfig"]["seed"] for c in gemini.calls("POST", "/v1/models/")]
    assert seeds == [v1.metadata["seed"]] * 2
    # A fresh generation draws a new seed.
    run_jobs(sv, sv.generation.images(pid, ["S1"]).job_ids)
    assert sv.assets.versions(pid, "S1", "image")[-1].metadata["seed"] != v1.metadata["seed"]


def test_same_seed_is_refused_where_there_is_none(local_services, openai):
    from storyclip_desktop.services.errors import Conflict

    sv = local_services
    pid = make_project(sv, 1)
    sv.preferences.update(pid, image_gen_model="GPT")
    sv.generation.key_check = keys("openai")
    run_jobs(sv, sv.generation.images(pid).job_ids)
    with pytest.raises(Conflict, match="made without a seed"):
        sv.generation.again_with_seed(pid, "S1", "image", 1)


def test_seedance_clips_send_a_seed_that_the_version_keeps_and_reuses(local_services, seedance):
    sv = local_services
    pid = make_project(sv, 1, "image_confirmed")
    sv.generation.key_check = keys("seedance")
    (job,) = run_jobs(sv, sv.generation.clips(pid).job_ids)
    assert job.state == "succeeded", job.error
    (clip,) = sv.assets.versions(pid, "S1", "clip")
    (create,) = seedance.calls("POST", "/api/v3/contents/generations/tasks")
    assert create.json()["seed"] == clip.metadata["seed"] and 0 <= clip.metadata["seed"] < 2**31
    again = sv.generation.again_with_seed(pid, "S1", "clip", 1)
    run_jobs(sv, again.job_ids)
    first, second = seedance.calls("POST", "/api/v3/contents/generations/tasks")
    assert second.json()["seed"] == first.json()["seed"]
    assert sv.assets.versions(pid, "S1", "clip")[-1].metadata["seed"] == clip.metadata["seed"]
