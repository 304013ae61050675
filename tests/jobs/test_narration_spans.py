"""A paid narration keeps each scene's span (from ElevenLabs' `alignment`) with the version."""

from __future__ import annotations

import pytest

from storyclip_desktop.domain.timing import text_hash
from tests.providers.fakes import FakeElevenLabs

from .helpers import keys, run_jobs


def test_elevenlabs_narration_keeps_scene_spans(local_services, monkeypatch):
    sv = local_services
    texts = ["옛날에  호랑이 2마리가", "", "\"살았어요\"! The end, 3 times."]
    with FakeElevenLabs() as server:
        monkeypatch.setenv("STORYCLIP_ELEVENLABS_BASE_URL", server.url)
        monkeypatch.setenv("STORYCLIP_ELEVENLABS_API_KEY", server.api_key)
        pid = sv.projects.create("말")
        sv.scenes.split(pid, chunks=texts)
        sv.generation.key_check = keys("elevenlabs")
        (job,) = run_jobs(sv, sv.generation.narration(pid).job_ids)
        sent = server.calls("POST")[0].json()["text"]
    assert job.state == "succeeded", job.error
    assert sent == '옛날에 호랑이 2마리가 "살았어요"! The end, 3 times.'
    (v,) = sv.assets.versions(pid, None, "narration")
    spans = v.metadata["scene_spans"]
    s1, s3 = sv.scenes.get(pid, "S1"), sv.scenes.get(pid, "S3")
    assert [(r["scene_pk"], r["scene_id"]) for r in spans] == [(s1.id, "S1"), (s3.id, "S3")]
    assert spans[0]["text_hash"] == text_hash("옛날에 호랑이 2마리가")
    step = FakeElevenLabs.seconds_per_char
    assert spans[0]["start"] == 0.0
    assert spans[1]["start"] == pytest.approx(sent.index('"') * step)
    assert spans[1]["end"] == pytest.approx(len(sent) * step)
    assert v.metadata["scenes_fingerprint"]
    plan = sv.render_plan.plan(pid, strict=False)
    assert plan.stale is None
    assert [s.frames > 0 for s in plan.scenes] == [True, True, True]
    assert plan.scenes[1].narration_span is None and plan.scenes[1].frames == 150  # a silent card
    # the fake server's "mp3" is not audio: an export says so in one line
    from storyclip_desktop.services.render_plan import PlanError

    with pytest.raises(PlanError, match=r"^the narration file cannot be read \(\w+\.mp3\)$"):
        sv.render_plan.plan(pid)
