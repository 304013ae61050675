"""The voice stays under its own picture: each narrated scene's part of the narration
starts at that scene's start in the rendered file, whatever sits between or however the
scenes were reordered after the narration was made; a scene without narration is silent.

Read back from the rendered MP4: every scene a solid colour, every narrated scene's span
starting with a beep of its own pitch (synth.BEEP_HZ), so a beep says whose voice it is."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from storyclip_desktop.domain.render_plan import FPS, RenderPlan
from storyclip_desktop.media.render.pipeline import RenderSettings, render

from . import synth

pytestmark = pytest.mark.slow

SPANS = [36, 45, 30, 39]  # 1.2 s, 1.5 s, 1.0 s, 1.3 s: unequal, so a drift shows
RATE = 48000


def _scene_at(plan: RenderPlan, frame: int) -> int:
    """The scene index (into synth.COLOURS and BEEP_HZ) the plan shows at `frame`."""
    return next(s.scene_pk - 1 for s in plan.scenes if s.start_frame <= frame < s.end_frame)


def _check_against_plan(plan: RenderPlan, out: Path) -> None:
    assert abs(synth.video_frames(out) - plan.total_frames) <= 1
    samples = synth.audio_samples(out)
    assert abs(len(samples) / RATE - float(plan.total)) <= 1 / FPS

    # Pictures: each scene's colour from its planned start, within a frame.
    ids, changes = synth.colour_changes(out)
    assert ids[0] == plan.scenes[0].scene_pk - 1
    assert len(changes) == len(plan.scenes) - 1
    for got, scene in zip(changes, plan.scenes[1:], strict=True):
        assert abs(got - scene.start_frame) <= 1, (changes, [s.start_frame for s in plan.scenes])
        assert ids[got + 1] == scene.scene_pk - 1

    # Voice: one beep per narrated scene, at that scene's start, of that scene's pitch,
    # heard while that scene's picture is on screen.
    narrated = [s for s in plan.scenes if s.narration_span is not None]
    onsets = synth.beep_onsets(out)
    assert len(onsets) == len(narrated), (onsets, [s.start for s in narrated])
    for onset, scene in zip(onsets, narrated, strict=True):
        assert abs(onset - float(scene.start)) <= 1 / FPS, (scene.scene_id, onset, float(scene.start))
        assert synth.beep_hz(out, onset) == pytest.approx(synth.BEEP_HZ[scene.scene_pk - 1], abs=40)
        assert ids[round(onset * FPS) + 1] == scene.scene_pk - 1

    # Under a scene without narration: silence (the narration's hum is everywhere else).
    for scene in plan.scenes:
        inside = samples[(scene.start_frame + 1) * RATE // FPS:(scene.end_frame - 1) * RATE // FPS]
        if scene.narration_span is None:
            assert np.abs(inside).max() < 2e-3, scene.scene_id
        else:
            assert np.sqrt(np.mean(inside**2)) > 5e-3, scene.scene_id


def test_a_scene_without_narration_between_narrated_ones_is_silent(tmp_path, cache):
    # S2 was given a duration: the narration was made of S1, S3, S4 only.
    plan = synth.make_plan(tmp_path, SPANS, narrated=[True, False, True, True])
    assert [s.narration_span is None for s in plan.scenes] == [False, True, False, False]
    assert plan.scenes[2].narration_span[0] == pytest.approx(1.2)  # S3 follows S1 in the file...
    assert plan.scenes[2].start == pytest.approx(2.7)  # ...but S2 comes first on screen
    out = tmp_path / "gap.mp4"
    render(plan, out, RenderSettings(subtitles="none"), cache)
    _check_against_plan(plan, out)


def test_a_reorder_after_the_narration_moves_each_voice_with_its_scene(tmp_path, cache):
    # Narrated as S1 S2 S3 S4, then reordered to S3 S1 S4 S2, with a silent card added as
    # S5 in the middle after the narration was made.
    plan = synth.make_plan(tmp_path, [*SPANS, 24], order=[2, 0, 4, 3, 1],
                           narrated=[True, True, True, True, False])
    assert [s.scene_id for s in plan.scenes] == ["S3", "S1", "S5", "S4", "S2"]
    out = tmp_path / "moved.mp4"
    render(plan, out, RenderSettings(subtitles="none"), cache)
    _check_against_plan(plan, out)


def test_the_sound_is_reused_after_a_clip_change_and_made_again_after_a_reorder(tmp_path, cache):
    plan = synth.make_plan(tmp_path, SPANS[:3], narrated=[True, False, True])
    out = tmp_path / "a.mp4"
    assert render(plan, out, RenderSettings(subtitles="none"), cache).sound_reused is False
    before = synth.beep_onsets(out)

    # Another clip of the same length for S2: a picture-only change.
    new_clip = synth.solid_clip(tmp_path / "new.mp4", synth.COLOURS[4], SPANS[1] / FPS, rate=FPS)
    scenes = list(plan.scenes)
    scenes[1] = dataclasses.replace(scenes[1], source_path=str(new_clip))
    clip_changed = dataclasses.replace(plan, scenes=tuple(scenes))
    again = render(clip_changed, out, RenderSettings(subtitles="none"), cache)
    assert again.sound_reused is True and again.encoded == ["S2"]
    assert synth.beep_onsets(out) == pytest.approx(before, abs=1 / FPS)

    # The same scenes and files reordered: the voice must move, so the sound is made again.
    moved = synth.make_plan(tmp_path, SPANS[:3], narrated=[True, False, True], order=[2, 1, 0])
    result = render(moved, out, RenderSettings(subtitles="none"), cache)
    assert result.sound_reused is False and result.encoded == []
    _check_against_plan(moved, out)

    # The silent scene lasts longer (the editor set another duration): every later piece moves.
    longer = synth.make_plan(tmp_path, [SPANS[0], SPANS[1] + 15, SPANS[2]], narrated=[True, False, True])
    assert render(longer, out, RenderSettings(subtitles="none"), cache).sound_reused is False
    _check_against_plan(longer, out)
