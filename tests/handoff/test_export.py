"""The exported timeline, read back by OpenTimelineIO and its adapters, is the render plan:
one clip per scene in order with frame-exact source ranges, the narration on an audio
track, a marker at each scene start and the provenance on every clip."""

from __future__ import annotations

import json
import os
import shutil
import urllib.parse
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import opentimelineio as otio
import pytest

from storyclip_desktop.domain.render_plan import seconds_to_frames
from storyclip_desktop.media.handoff import formats
from storyclip_desktop.media.library import local_file
from storyclip_desktop.services.errors import ServiceError

RT, TR = otio.opentime.RationalTime, otio.opentime.TimeRange
PROVENANCE_KEYS = {
    "project_id", "scene_id", "scene_pk", "narration", "image_prompt", "motion_prompt", "provider", "model",
    "seed", "image_version", "clip_version", "image_asset_id", "clip_asset_id", "job_id", "cost",
    "prompt_confirmed_by", "prompt_confirmed_at", "image_confirmed_by", "image_confirmed_at", "media_file",
}


def v1(tl: otio.schema.Timeline) -> list[otio.schema.Clip]:
    (track,) = tl.video_tracks()
    return [c for c in track if isinstance(c, otio.schema.Clip)]


def local_path(timeline_file: Path, url: str) -> Path:
    return timeline_file.parent / urllib.parse.unquote(url)


def a1_clips(tl: otio.schema.Timeline) -> list[tuple[int, int, int]]:
    """A1's narration clips as (record start, source start, frames) at 30 fps."""
    track = tl.audio_tracks()[0]
    out = []
    for i, item in enumerate(track):
        if isinstance(item, otio.schema.Clip):
            record = track.range_of_child_at_index(i).start_time.rescaled_to(30).value
            src = item.source_range
            out.append((round(record), round(src.start_time.rescaled_to(30).value),
                        round(src.duration.rescaled_to(30).value)))
    return out


def planned_voice(plan) -> list[tuple[int, int, int]]:
    """What A1 must hold: each narrated scene's span, from the nearest frame of its start in
    the narration file, at the scene's start and as long as the scene."""
    return [(s.start_frame, seconds_to_frames(s.narration_span[0]), s.frames)
            for s in plan.scenes if s.narration_span is not None]


def test_otio_is_the_render_plan(services, pid, tmp_path: Path) -> None:
    plan = services.render_plan.plan(pid)
    result = services.handoff.export(pid, "otio", tmp_path / "out")
    tl = otio.adapters.read_from_file(str(result.timeline))

    clips = v1(tl)
    assert [c.metadata["storyclip"]["scene_id"] for c in clips] == [s.scene_id for s in plan.scenes]
    track = tl.video_tracks()[0]
    for i, (clip, scene) in enumerate(zip(clips, plan.scenes, strict=True)):
        # Exact rational time at 30 fps: value and rate, not a float that rounds to it.
        assert clip.source_range.start_time.strictly_equal(RT(0, 30))
        assert clip.source_range.duration.strictly_equal(RT(scene.frames, 30))
        assert track.range_of_child_at_index(i).start_time.strictly_equal(RT(scene.start_frame, 30))
        ref = clip.media_reference
        assert ref.available_range.duration.value >= scene.frames
        assert local_path(result.timeline, ref.target_url).is_file()
        # The marker sits at the clip's first frame (the scene start) with the essentials.
        (marker,) = clip.markers
        assert marker.marked_range.start_time.strictly_equal(clip.source_range.start_time)
        assert marker.name == f"S{int(scene.scene_id[1:]):02d}"
        assert f"project {pid} {scene.scene_id}" in marker.comment
        assert PROVENANCE_KEYS <= set(clip.metadata["storyclip"])
        assert clip.metadata["storyclip"]["project_id"] == pid
    assert track.duration().strictly_equal(RT(plan.total_frames, 30))

    # S1's clip is longer than its span: the original is linked and trimmed by the range.
    s1 = clips[0]
    assert s1.media_reference.target_url == "media/S01_clip_v1.mp4"
    assert s1.media_reference.available_range.duration.value == plan.scenes[0].source_frames
    assert s1.name.startswith("S01 · v1 · ")
    # S2's clip is shorter (held), S3 a still, S4 and S5 title cards: rendered to its span.
    assert [c.media_reference.target_url for c in clips[1:]] == [
        "media/S02_clip_v1_hold.mp4", "media/S03_image_v1.mp4", "media/S04_card.mp4", "media/S05_card.mp4",
    ]
    meta = clips[0].metadata["storyclip"]
    assert (meta["provider"], meta["model"], meta["clip_version"], meta["image_version"]) == ("local", "local-preview", 1, 1)
    assert meta["prompt_confirmed_by"] == services.email and meta["image_confirmed_at"]
    assert isinstance(meta["job_id"], int) and meta["image_seed"] is not None

    (narration_track,) = tl.audio_tracks()
    # A1: one clip per narrated scene (S1-S4), S5 (no narration, a set duration) a gap.
    narration = [c for c in narration_track if isinstance(c, otio.schema.Clip)]
    assert [c.metadata["storyclip"]["scene_id"] for c in narration] == ["S1", "S2", "S3", "S4"]
    assert a1_clips(tl) == planned_voice(plan)
    assert isinstance(narration_track[-1], otio.schema.Gap)
    assert narration_track.duration().strictly_equal(RT(plan.total_frames, 30))
    for c in narration:
        assert c.media_reference.target_url == "media/narration_v1.wav"
        assert c.media_reference.available_range.duration.value >= plan.narration.frames
        assert local_path(result.timeline, c.media_reference.target_url).is_file()

    assert result.subtitles is not None and result.subtitles.read_text(encoding="utf-8").count(" --> ") == len(plan.cues)
    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    assert manifest["project_id"] == pid and manifest["fps"] == 30
    assert [s["scene_id"] for s in manifest["scenes"]] == [s.scene_id for s in plan.scenes]
    assert all(PROVENANCE_KEYS <= set(s) for s in manifest["scenes"])
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left


def test_media_folder_moved_elsewhere_still_resolves(services, pid, tmp_path: Path) -> None:
    for fmt in ("otio", "fcp7xml"):
        result = services.handoff.export(pid, fmt, tmp_path / f"out-{fmt}")
        moved = tmp_path / "elsewhere" / fmt
        moved.parent.mkdir(exist_ok=True)
        shutil.move(str(result.folder), moved)
        tl = otio.adapters.read_from_file(str(moved / result.timeline.name))
        refs = [c.media_reference for c in tl.find_clips()]
        assert len(refs) == 9  # five scenes and the narration under each of the four narrated ones
        for ref in refs:
            assert not os.path.isabs(urllib.parse.unquote(ref.target_url))
            assert (moved / urllib.parse.unquote(ref.target_url)).is_file(), ref.target_url


def test_fcp7_xml_has_a_filled_format_and_reads_back_the_same(services, pid, tmp_path: Path) -> None:
    plan = services.render_plan.plan(pid)
    result = services.handoff.export(pid, "fcp7xml", tmp_path / "xml")
    root = ET.parse(result.timeline).getroot()
    chars = root.find("./project/children/sequence/media/video/format/samplecharacteristics")
    assert chars is not None
    assert (chars.findtext("width"), chars.findtext("height")) == (str(plan.width), str(plan.height))
    assert (chars.findtext("rate/timebase"), chars.findtext("rate/ntsc")) == ("30", "FALSE")
    assert root.findtext("./project/children/sequence/rate/timebase") == "30"

    tl = otio.adapters.read_from_file(str(result.timeline), adapter_name="fcp_xml")
    clips = v1(tl)
    assert [c.media_reference.name for c in clips] == [
        "S01_clip_v1.mp4", "S02_clip_v1_hold.mp4", "S03_image_v1.mp4", "S04_card.mp4", "S05_card.mp4",
    ]
    assert [c.source_range.duration.rescaled_to(30).value for c in clips] == [s.frames for s in plan.scenes]
    assert [c.metadata["fcp_xml"]["logginginfo"]["scene"] for c in clips] == ["S01", "S02", "S03", "S04", "S05"]
    assert all(c.markers and "StoryClip project" in c.markers[0].metadata["fcp_xml"]["comment"] for c in clips)
    assert [t.kind for t in tl.tracks].count(otio.schema.TrackKind.Audio) >= 1
    assert a1_clips(tl) == planned_voice(plan)
    assert formats.timeline_project(tl) == pid  # the sequence's log note names the project
    # The narration file is described once and referred to by every clip of A1.
    audio = root.find("./project/children/sequence/media/audio")
    files = audio.findall(".//clipitem/file")
    assert len(files) == 4 and len({f.get("id") for f in files}) == 1
    assert sum(1 for f in files if f.find("pathurl") is not None) == 1


def test_a_reorder_and_a_silent_scene_keep_the_voice_under_its_picture(services, pid, tmp_path: Path) -> None:
    # After the narration: S3 moved to the front, S5 (no narration) into the middle.
    services.ordering.move(pid, ["S3"], 1)
    services.ordering.move(pid, ["S5"], 3)
    plan = services.render_plan.plan(pid)
    assert [s.scene_id for s in plan.scenes] == ["S3", "S1", "S5", "S2", "S4"]
    assert plan.stale is not None and "moved" in plan.stale.reason
    want = planned_voice(plan)
    assert [w[0] for w in want] != sorted(w[1] for w in want)  # the voice really is rearranged
    for fmt in ("otio", "fcp7xml", "otioz"):
        result = services.handoff.export(pid, fmt, tmp_path / fmt)
        assert result.warnings == (plan.stale.reason,)
        tl = otio.adapters.read_from_file(str(result.timeline), adapter_name=formats.ADAPTERS[fmt])
        assert a1_clips(tl) == want, fmt
        # Each voice clip sits under the picture clip of its own scene.
        pictures = {round(tl.video_tracks()[0].range_of_child_at_index(i).start_time.value): c
                    for i, c in enumerate(v1(tl))}
        for record, _, frames in want:
            assert pictures[record].source_range.duration.rescaled_to(30).value == frames
        assert tl.audio_tracks()[0].duration().rescaled_to(30).value == plan.total_frames
    with zipfile.ZipFile(tmp_path / "otioz" / result.timeline.name) as z:
        assert sum(1 for n in z.namelist() if "narration" in n) == 1  # the file travels once
    media = sorted(p.name for p in (tmp_path / "otio" / "media").iterdir())
    assert [n for n in media if n.startswith("narration")] == ["narration_v1.wav"]
    manifest = json.loads((tmp_path / "otio" / "manifest.json").read_text(encoding="utf-8"))
    placed = manifest["narration"]["placed"]
    assert [(p["start_frame"], p["source_start_frame"], p["frames"]) for p in placed] == want
    assert [p["scene_id"] for p in placed] == ["S3", "S1", "S2", "S4"]


def test_edl_reads_back_the_same_with_short_reels(services, pid, tmp_path: Path) -> None:
    plan = services.render_plan.plan(pid)
    result = services.handoff.export(pid, "edl", tmp_path / "edl")
    text = result.timeline.read_text(encoding="ascii")  # plain ASCII, as CMX 3600 readers want
    events = [ln.split() for ln in text.splitlines() if ln[:3].isdigit()]
    assert len(events) == len(plan.scenes)
    assert all(len(e[1]) <= 8 and e[2] == "V" for e in events)  # reel names, one picture track
    tl = otio.adapters.read_from_file(str(result.timeline), adapter_name="cmx_3600", rate=30)
    clips = v1(tl)
    assert len(tl.video_tracks()) == 1
    assert [os.path.basename(c.media_reference.target_url) for c in clips] == [
        "S01_clip_v1.mp4", "S02_clip_v1_hold.mp4", "S03_image_v1.mp4", "S04_card.mp4", "S05_card.mp4",
    ]
    assert [c.source_range.duration.rescaled_to(30).value for c in clips] == [s.frames for s in plan.scenes]


def test_otioz_carries_the_media_inside(services, pid, tmp_path: Path) -> None:
    result = services.handoff.export(pid, "otioz", tmp_path / "z")
    assert result.media == () and not (result.folder / "media").exists()
    with zipfile.ZipFile(result.timeline) as z:
        names = set(z.namelist())
    assert {"content.otio", "media/S01_clip_v1.mp4", "media/S05_card.mp4", "media/narration_v1.wav"} <= names
    tl = otio.adapters.read_from_file(str(result.timeline))
    assert [c.media_reference.target_url for c in v1(tl)][0] == "media/S01_clip_v1.mp4"


def test_media_missing_names_the_scene_and_writes_nothing(services, pid, made, tmp_path: Path, monkeypatch) -> None:
    media = tmp_path / "media"
    shutil.copytree(made["media"], media)
    monkeypatch.setenv("STORYCLIP_MEDIA_DIR", str(media))
    clip = services.assets.current(pid)["S2"]["clip"]
    local_file(media, clip.storage_url).unlink()
    with pytest.raises(ServiceError, match=r"^S2: the clip file is missing"):
        services.handoff.export(pid, "otio", tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]


def test_bad_export_requests_are_one_line_and_touch_nothing(services, pid, tmp_path: Path) -> None:
    with pytest.raises(ServiceError, match="unknown timeline format 'fcpx'"):
        services.handoff.export(pid, "fcpx", tmp_path / "a")
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("mine")
    with pytest.raises(ServiceError, match="already exists and is not an empty folder"):
        services.handoff.export(pid, "otio", busy)
    assert [p.name for p in busy.iterdir()] == ["keep.txt"]
    assert not (tmp_path / "a").exists()


def test_music_fills_a2_as_the_video_loops_it(services, pid, tmp_path: Path) -> None:
    import subprocess

    import imageio_ffmpeg

    music = tmp_path / "bed.wav"
    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", "-f", "lavfi", "-i",
                    "sine=frequency=330:duration=8", "-ar", "48000", str(music)], check=True, capture_output=True)
    plan = services.render_plan.plan(pid)
    with pytest.raises(ServiceError, match="the music file is missing"):
        services.handoff.export(pid, "otio", tmp_path / "none", music=tmp_path / "gone.wav")
    assert not (tmp_path / "none").exists()

    result = services.handoff.export(pid, "otio", tmp_path / "out", music=music)
    tl = otio.adapters.read_from_file(str(result.timeline))
    narration_track, music_track = tl.audio_tracks()
    assert music_track.name == "A2 music"
    beds = [c for c in music_track if isinstance(c, otio.schema.Clip)]
    assert all(c.media_reference.target_url == "media/music.wav" for c in beds)
    assert [c.source_range.duration.value for c in beds][:-1] == [240] * (len(beds) - 1)
    assert music_track.duration().strictly_equal(RT(plan.total_frames, 30))
    assert (result.folder / "media" / "music.wav").is_file()
