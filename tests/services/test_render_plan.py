"""The render plan from real services: a Local narration made by the job engine (real
espeak-ng WAVs, or silence), clips made by the real ffmpeg, stale detection, fits."""

from __future__ import annotations

import asyncio
import io
import json
import shutil
import subprocess
import wave
from fractions import Fraction

import imageio_ffmpeg
import pytest

from storyclip_desktop.domain.render_plan import FPS
from storyclip_desktop.jobs.media_out import media_url
from storyclip_desktop.media.library import MediaLibrary
from storyclip_desktop.media.probe import stream_seconds
from storyclip_desktop.providers.base import NarrationRequest
from storyclip_desktop.providers.local import LocalNarrationProvider
from storyclip_desktop.services.render_plan import PlanError
from storyclip_desktop.store.models import PendingChange
from tests.jobs.helpers import move_scene, run_jobs

TEXTS = ["옛날 옛적에 호랑이가 살았어요.", "\"그 호랑이는\" 2마리였어요!", "The end, 3 times."]


def project(sv, texts=TEXTS) -> int:
    pid = sv.projects.create("계획")
    sv.scenes.split(pid, chunks=list(texts))
    return pid


def narrate(sv, pid):
    (job,) = run_jobs(sv, sv.generation.narration(pid).job_ids)
    assert job.state == "succeeded", job.error
    (v,) = [a for a in sv.assets.versions(pid, None, "narration") if a.version == sv.projects.get(pid).narration_version]
    return v


def clip(sv, pid, sid, seconds: float, colour="red"):
    """A real clip version of `seconds` at 30 fps made by ffmpeg in the media library."""
    media = MediaLibrary()
    tmp = media.temp_path(".mp4")
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi",
         "-i", f"color={colour}:s=96x160:r=30:d={seconds}", "-c:v", "libx264", "-pix_fmt", "yuv420p", str(tmp)],
        check=True, timeout=60,
    )  # fmt: skip
    path = media.store_file(tmp, ".mp4")
    move_scene(sv, pid, sid, "image_confirmed")
    sv.assets.add_scene_version(pid, sid, "clip", media_url(media, path), {})
    return path


def test_local_narration_spans_are_the_real_per_scene_wav_durations(local_services):
    sv = local_services
    pid = project(sv)
    v = narrate(sv, pid)
    # each scene spoken alone by the same provider: its WAV length is its span
    provider = LocalNarrationProvider()
    alone = []
    for text in TEXTS:
        req = NarrationRequest(text=text, voice="Bin", stability=0.5, segments=(text,))
        wav = asyncio.run(provider.narrate(req)).audio
        with wave.open(io.BytesIO(wav)) as w:
            alone.append(w.getnframes() / w.getframerate())
    spans = v.metadata["scene_spans"]
    assert [s["scene_id"] for s in spans] == ["S1", "S2", "S3"]
    starts = [0.0, alone[0], alone[0] + alone[1]]
    assert [s["start"] for s in spans] == pytest.approx(starts, abs=1e-4)
    assert [s["end"] for s in spans] == pytest.approx([starts[1], starts[2], sum(alone)], abs=1e-4)
    audio = MediaLibrary().root / v.storage_url.removeprefix("media:")
    assert stream_seconds(audio, "audio") == pytest.approx(sum(alone), abs=1e-4)
    timing = json.loads((MediaLibrary().root / v.metadata["alignment_url"].removeprefix("media:")).read_text())
    assert "".join(timing["characters"]) == " ".join(TEXTS)

    plan = sv.render_plan.plan(pid)
    assert plan.stale is None
    bounds = [round(x * FPS) for x in starts]
    assert [s.start_frame for s in plan.scenes] == bounds
    assert plan.total_frames == plan.narration.frames == -(-round(sum(alone) * 1e6) * FPS // 1_000_000)
    assert sum(s.frames for s in plan.scenes) == plan.total_frames
    assert [s.source for s in plan.scenes] == ["card"] * 3 and len(plan.placeholders) == 3
    assert plan.scenes[1].narration_span[0] == pytest.approx(starts[1], abs=1e-4)
    # every spoken word is in a cue of its own scene, inside the scene
    for s in plan.scenes:
        assert s.cues and all(s.start_frame <= c.start_frame < c.end_frame <= s.end_frame for c in s.cues)
        assert " ".join(line for c in s.cues for line in c.lines) == s.narration_text
    assert (plan.width, plan.height) == (480, 854)
    assert sv.render_plan.plan(pid, resolution="1080p").width == 1080
    assert sv.render_plan.plan(pid, resolution="1080p").height == 1920


def test_stale_narration_names_the_scenes_that_changed(local_services):
    sv = local_services
    pid = project(sv, ["하나.", "둘.", "셋.", "넷.", "다섯."])
    narrate(sv, pid)
    fresh = sv.render_plan.plan(pid)
    assert fresh.stale is None
    spoken = {s.scene_id: s.narration_span for s in fresh.scenes}
    sv.scenes.edit(pid, "S2", {"narration": "둘, 고쳤어요."})
    sv.scenes.edit(pid, "S5", {"narration": "다섯 그리고 더."})
    stale = sv.render_plan.plan(pid).stale
    assert stale.changed_scene_ids == ("S2", "S5")
    assert stale.reason == "the narration is out of date: S2 and S5 changed since it was made"
    sv.scenes.delete(pid, "S4")
    plan = sv.render_plan.plan(pid)
    assert plan.stale.removed_scene_ids == ("S4",)
    assert "S4 no longer narrated" in plan.stale.reason
    # An edited scene keeps its old span (the narration still says its old words, under
    # its own picture); the deleted one's audio is simply not placed.
    assert {s.scene_id: s.narration_span for s in plan.scenes} == {k: v for k, v in spoken.items() if k != "S4"}
    # A move takes the scene's voice with it, and says so.
    sv.ordering.move(pid, ["S3"], 1)
    moved = sv.render_plan.plan(pid)
    assert [s.scene_id for s in moved.scenes] == ["S3", "S1", "S2", "S5"]
    assert "S3" in moved.stale.changed_scene_ids
    assert moved.stale.reason == (
        "the narration is out of date: S2 and S5 changed, S3 moved and S4 no longer narrated since it was made"
    )
    s3, s1 = moved.scenes[:2]
    assert (s3.narration_span, s1.narration_span) == (spoken["S3"], spoken["S1"])
    assert s3.start_frame == 0 and s1.start_frame == s3.frames  # S1's voice now starts after S3's
    # a new narration is up to date again
    narrate(sv, pid)
    assert sv.render_plan.plan(pid).stale is None


def test_scenes_without_narration_last_their_clip_or_set_duration_and_fit_it(local_services):
    sv = local_services
    pid = project(sv, ["말하는 장면.", "", ""])
    clip(sv, pid, "S2", 2.0, "blue")
    clip(sv, pid, "S3", 2.0, "green")
    plan = sv.render_plan.plan(pid)
    s1, s2, s3 = plan.scenes
    assert (s1.source, s1.frames, s1.fit) == ("card", 150, "still")  # no narration yet, no clip
    assert (s2.source, s2.source_frames, s2.frames, s2.fit, s2.speed) == ("clip", 60, 60, "hold", 1)
    assert s2.start_frame == 150 and plan.total_frames == 270
    sv.scenes.set_timing(pid, "S2", duration=Fraction(105, 30), fit="slow")
    sv.scenes.set_timing(pid, "S3", duration=3, fit="loop")
    plan = sv.render_plan.plan(pid)
    s2, s3 = plan.scenes[1:]
    assert sv.scenes.get(pid, "S2").scene_json["duration"] == 3.5
    assert (s2.frames, s2.fit, s2.speed) == (105, "slow", Fraction(4, 5))  # 60/105 is below 0.8x
    assert (s3.frames, s3.fit) == (90, "loop")
    sv.scenes.set_timing(pid, "S3", duration=1)
    assert sv.render_plan.plan(pid).scenes[2].fit == "trim"  # a 2 s clip in 1 s
    sv.scenes.set_timing(pid, "S2", duration=None, fit=None)
    assert "duration" not in sv.scenes.get(pid, "S2").scene_json
    with sv.db.sessions() as s:
        edits = [c.payload["fields"] for c in s.query(PendingChange).order_by(PendingChange.id) if c.kind == "edit_scene"]
    # each choice is a plain scene edit, queued for the sync like any other
    assert edits[-4:] == [
        {"duration": 3.5, "fit": "slow"}, {"duration": 3, "fit": "loop"}, {"duration": 1},
        {"duration": None, "fit": None},
    ]


def test_a_narrated_scene_longer_than_its_clip_and_the_clip_request(local_services):
    sv = local_services
    long_text = "아주 긴 장면의 이야기가 계속 이어지고 또 이어지며 끝나지 않고 한참 동안 계속됩니다."
    pid = project(sv, ["짧아요.", long_text])
    narrate(sv, pid)
    spans = sv.render_plan.span_seconds(pid)
    assert spans["S2"] > 5.0
    move_scene(sv, pid, "S2", "image_confirmed")
    move_scene(sv, pid, "S1", "image_confirmed")
    batch = sv.generation.clips(pid)
    requests = {j.scene_id: j.request for j in sv.generation.jobs(pid) if j.id in batch.job_ids}
    assert requests["S2"]["duration"] == 10
    assert requests["S1"]["duration"] == 5


def test_bad_input_is_one_line(local_services, tmp_path):
    sv = local_services
    empty = sv.projects.create("빈")
    with pytest.raises(PlanError, match=f"^project {empty} has no scenes to export$"):
        sv.render_plan.plan(empty)
    pid = project(sv, ["", ""])
    path = clip(sv, pid, "S1", 1.0)
    path.unlink()
    with pytest.raises(PlanError, match=r"^S1: the clip file is missing \(…/.*\.mp4\)$"):
        sv.render_plan.plan(pid)
    assert sv.render_plan.plan(pid, strict=False).scenes[0].source in ("image", "card")
    path.write_bytes(b"not a video at all")
    with pytest.raises(PlanError, match=r"^S1: the clip file cannot be read"):
        sv.render_plan.plan(pid)
    with pytest.raises(Exception, match="resolution"):
        sv.render_plan.plan(pid, resolution="4k")


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
def test_local_narration_is_spoken_not_silent(local_services):
    sv = local_services
    pid = project(sv, ["안녕하세요.", "Hello there."])
    v = narrate(sv, pid)
    audio = MediaLibrary().root / v.storage_url.removeprefix("media:")
    with wave.open(str(audio)) as w:
        assert w.readframes(w.getnframes()).strip(b"\0")
