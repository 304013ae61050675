"""The rendered file, read back frame by frame and sample by sample."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest

from storyclip_desktop.domain.render_plan import FPS
from storyclip_desktop.media.render import RenderCancelled, RenderError
from storyclip_desktop.media.render.ffmpeg import Cancel
from storyclip_desktop.media.render.pipeline import RenderSettings, leftovers, render

from . import synth

pytestmark = pytest.mark.slow

SPANS = [36, 45, 30, 39]  # frames at 30 fps: 1.2 s, 1.5 s, 1.0 s, 1.3 s


def test_duration_boundaries_and_sync(tmp_path, cache):
    # One clip too long (trim), one too short held, one looped, one slowed then held.
    plan = synth.make_plan(tmp_path, SPANS, clip_frames=[60, 20, 12, 25], fits=[None, "hold", "loop", "slow"])
    out = tmp_path / "short.mp4"
    result = render(plan, out, RenderSettings(subtitles="none"), cache)
    assert out.is_file() and result.size_bytes == out.stat().st_size
    frames = synth.video_frames(out)
    assert abs(frames - plan.total_frames) <= 1
    ids, changes = synth.colour_changes(out)
    assert ids[0] == 0 and ids[-1] == len(SPANS) - 1
    planned = [s.start_frame for s in plan.scenes[1:]]
    assert len(changes) == len(planned)
    for got, want in zip(changes, planned, strict=True):
        assert abs(got - want) <= 1, (changes, planned)
    # The beep at each scene start is heard when its colour appears.
    onsets = synth.beep_onsets(out)
    assert len(onsets) == len(SPANS)
    for onset, change in zip(onsets, [0, *changes], strict=True):
        assert abs(onset - change / FPS) <= 1 / FPS, (onsets, changes)
    info = synth.stream_info(out)
    assert "h264 (High)" in info and "yuv420p(tv, bt709" in info and "30 fps" in info
    assert "480x854" in info and "48000 Hz" in info and "aac" in info


def test_loudness_with_music(tmp_path, cache):
    plan = synth.make_plan(tmp_path, [45, 45])
    music = tmp_path / "music.wav"
    synth.beep_narration(music, [], 2.0)  # a 220 Hz hum under the voice
    out = tmp_path / "mixed.mp4"
    render(plan, out, RenderSettings(subtitles="none", music=music, music_db=-6), cache)
    integrated, peak = synth.ebur128(out)
    assert -15.0 <= integrated <= -13.0
    assert peak <= -1.5


def test_loudness_narration_only(tmp_path, cache):
    plan = synth.make_plan(tmp_path, [30, 30, 30])
    out = tmp_path / "voice.mp4"
    render(plan, out, RenderSettings(subtitles="none"), cache)
    integrated, peak = synth.ebur128(out)
    assert -15.0 <= integrated <= -13.0 and peak <= -1.5


def _area_change(path: Path, t: float, rgb: tuple[int, int, int], rows: slice) -> int:
    raw = synth.frame_rgb(path, t)
    img = np.frombuffer(raw, np.uint8).reshape(854, 480, 3).astype(int)
    return int((np.abs(img[rows] - np.array(rgb)).sum(axis=2) > 60).sum())


def test_burned_subtitles_change_the_subtitle_area_and_none_does_not(tmp_path, cache):
    cues = [[(0, 30, ("자막 테스트 subtitle",))], []]
    plan = synth.make_plan(tmp_path, [30, 30], cues=cues)
    burned, plain = tmp_path / "burn.mp4", tmp_path / "none.mp4"
    render(plan, burned, RenderSettings(subtitles="burn"), cache)
    render(plan, plain, RenderSettings(subtitles="none"), cache)
    lower = slice(427, 854)
    assert _area_change(burned, 0.5, synth.COLOURS[0], lower) > 200
    assert _area_change(plain, 0.5, synth.COLOURS[0], lower) == 0
    assert _area_change(burned, 1.5, synth.COLOURS[1], lower) == 0  # the cue ended with scene 1


def _text_rows(path: Path, t: float, rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    raw = synth.frame_rgb(path, t)
    img = np.frombuffer(raw, np.uint8).reshape(854, 480, 3).astype(int)
    rows = np.flatnonzero((np.abs(img - np.array(rgb)).sum(axis=2) > 60).any(axis=1))
    return (int(rows.min()), int(rows.max()), len(rows)) if len(rows) else (0, 0, 0)


def test_override_tags_and_quotes_render_literally(tmp_path, cache):
    literal = r'{\an8}"top?" \N not two lines, {\b1}'
    cues = [[(0, 30, (literal,))], [(0, 30, ("one", "two"))]]
    plan = synth.make_plan(tmp_path, [30, 30], cues=cues)
    out = tmp_path / "tags.mp4"
    render(plan, out, RenderSettings(subtitles="burn"), cache)
    top, bottom, n = _text_rows(out, 0.5, synth.COLOURS[0])
    two_top, two_bottom, two_n = _text_rows(out, 1.5, synth.COLOURS[1])
    assert n > 0
    assert top > 854 // 2  # {\an8} would have moved it to the top
    assert (bottom - top) < 0.75 * (two_bottom - two_top)  # \N would have made a second line


def test_changing_one_clip_re_encodes_one_segment(tmp_path, cache):
    plan = synth.make_plan(tmp_path, [30, 30, 30], cues=[[(0, 20, ("가나다",))], [], []])
    out = tmp_path / "a.mp4"
    first = render(plan, out, RenderSettings(), cache)
    assert first.encoded == ["S1", "S2", "S3"]
    again = render(plan, out, RenderSettings(), cache)
    assert again.encoded == [] and again.reused == ["S1", "S2", "S3"]
    new_clip = synth.solid_clip(tmp_path / "new.mp4", synth.COLOURS[4], 1.0, rate=FPS)
    scenes = list(plan.scenes)
    import dataclasses

    scenes[1] = dataclasses.replace(scenes[1], source_path=str(new_clip))
    changed = dataclasses.replace(plan, scenes=tuple(scenes))
    third = render(changed, out, RenderSettings(), cache)
    assert third.encoded == ["S2"] and third.reused == ["S1", "S3"]
    ids, _ = synth.colour_changes(out)
    assert ids[45] == 4  # the new colour is in the middle scene


def test_cancel_mid_render_leaves_no_output(tmp_path, cache):
    plan = synth.make_plan(tmp_path, [90, 90, 90, 90], resolution="720p")
    out = tmp_path / "cancelled.mp4"
    cancel = Cancel()
    seen: list[float] = []

    def progress(f: float) -> None:
        seen.append(f)
        if f > 0.05:
            cancel.set()

    with pytest.raises(RenderCancelled):
        render(plan, out, RenderSettings(subtitles="none"), cache, cancel=cancel, progress=progress)
    assert seen and not out.exists() and leftovers(out) == []
    assert not list(cache.root.glob("*.part"))


def test_cancel_from_another_thread(tmp_path, cache):
    plan = synth.make_plan(tmp_path, [90, 90], resolution="720p")
    out = tmp_path / "c.mp4"
    cancel = Cancel()
    threading.Timer(0.4, cancel.set).start()
    with pytest.raises(RenderCancelled):
        render(plan, out, RenderSettings(subtitles="none"), cache, cancel=cancel)
    assert not out.exists() and leftovers(out) == []


def test_title_cards_and_stills(tmp_path, cache):
    plan = synth.make_plan(tmp_path, [30, 30], sources=["image", "card"])
    out = tmp_path / "placeholders.mp4"
    render(plan, out, RenderSettings(subtitles="none"), cache)
    ids, _ = synth.colour_changes(out)
    assert ids[15] == 0  # the image keeps its own colour (COLOURS[0])
    assert abs(synth.video_frames(out) - 60) <= 1
    top, bottom, n = _text_rows(out, 1.5, (24, 26, 31))
    assert n > 10 and top < 427 < bottom  # the title, centred


def test_bad_inputs_say_what_and_leave_nothing(tmp_path, cache):
    plan = synth.make_plan(tmp_path, [30, 30])
    out = tmp_path / "x.mp4"
    import dataclasses

    gone = dataclasses.replace(plan, scenes=(plan.scenes[0], dataclasses.replace(
        plan.scenes[1], source_path=str(tmp_path / "missing.mp4"))))
    with pytest.raises(RenderError, match=r"^S2: the clip file is missing \(missing.mp4\)$"):
        render(gone, out, RenderSettings(), cache)
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"garbage" * 200)
    bad = dataclasses.replace(plan, scenes=(plan.scenes[0], dataclasses.replace(
        plan.scenes[1], source_path=str(broken))))
    with pytest.raises(RenderError, match=r"^S2: the clip file is damaged"):
        render(bad, out, RenderSettings(), cache)
    noise = tmp_path / "music.mp3"
    noise.write_bytes(b"not music at all" * 100)
    with pytest.raises(RenderError, match=r"^the music file is damaged or not audio \(music.mp3\)$"):
        render(plan, out, RenderSettings(music=noise), cache)
    with pytest.raises(RenderError, match="output folder does not exist"):
        render(plan, tmp_path / "nowhere" / "x.mp4", RenderSettings(), cache)
    narr = dataclasses.replace(plan, narration=dataclasses.replace(plan.narration, path=str(tmp_path / "n.wav")))
    with pytest.raises(RenderError, match=r"^the narration file is missing \(n.wav\)$"):
        render(narr, out, RenderSettings(), cache)
    with pytest.raises(RenderError, match="has no scenes to export"):
        render(dataclasses.replace(plan, scenes=(), total_frames=0), out, RenderSettings(), cache)
    assert not out.exists() and leftovers(out) == []


def test_read_only_folder_and_full_disk(tmp_path, cache):
    from .conftest import tmpfs

    plan = synth.make_plan(tmp_path, [30, 30], resolution="720p")
    with tmpfs(tmp_path / "ro", "1m", read_only=True) as ro:
        with pytest.raises(RenderError, match="output folder is not writable"):
            render(plan, ro / "x.mp4", RenderSettings(), cache)
    with tmpfs(tmp_path / "tiny", "64k") as tiny:
        out = tiny / "x.mp4"
        with pytest.raises(RenderError, match="the disk is full"):
            render(plan, out, RenderSettings(subtitles="none"), cache)
        assert not out.exists() and leftovers(out) == []


def test_a_source_outside_the_library_is_hashed_again_when_it_changes(tmp_path, cache):
    from storyclip_desktop.media.library import sha256_file
    from storyclip_desktop.media.render.segments import SegmentCache

    music = tmp_path / "bed.wav"
    music.write_bytes(b"a" * 4096)
    first = cache.source_hash(str(music))
    assert first == sha256_file(music)
    assert SegmentCache(cache.root).source_hash(str(music)) == first  # remembered across exports
    music.write_bytes(b"b" * 4096)  # the same size, other sound
    assert cache.source_hash(str(music)) == sha256_file(music) != first
    assert SegmentCache(cache.root).source_hash(str(music)) == sha256_file(music)
