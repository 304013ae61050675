"""Sidecar subtitle files: the narration's text comes out literally, checked by burning
each file with the imageio-ffmpeg binary's libass and looking at the pixels."""

from __future__ import annotations

import subprocess
from fractions import Fraction
from pathlib import Path

import imageio_ffmpeg
import pytest
from PIL import Image

from storyclip_desktop.domain.render_plan import Cue, PlannedScene, RenderPlan
from storyclip_desktop.domain.subtitle_style import SubtitleStyle
from storyclip_desktop.domain.validation import ValidationError
from storyclip_desktop.media.subtitle_files import (
    ass_escape,
    ass_text,
    srt_text,
    vtt_text,
    write_subtitles,
)

W, H = 480, 854
STYLE = SubtitleStyle(safe_area="plain", size=0.04)
TRICKY = 'A{\\an8}B\\N{x} "q", :\\h'
# the same text with look-alike characters a renderer can never take for codes
LOOKALIKE = 'A(/an8)B/N(x) "q", :/h'


def burn(folder: Path, name: str, text: str, flt: str = "ass") -> tuple[int, int, int, int] | None:
    """Burn subtitle file `name` (written in `folder`) onto a black frame; the bounding
    box of the drawn text, or None when nothing was drawn."""
    (folder / name).write_text(text, encoding="utf-8")
    out = folder / f"{name}.png"
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
         "-f", "lavfi", "-i", f"color=black:s={W}x{H}:d=1:r=30",
         "-vf", f"{flt}={name}", "-frames:v", "1", out.name],
        cwd=folder, check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    with Image.open(out) as img:
        return img.convert("L").point(lambda v: 255 if v > 100 else 0).getbbox()


def cue(text: str) -> list[Cue]:
    return [Cue(0, 30, (text,))]


def width(box) -> int:
    return box[2] - box[0]


def test_ass_override_tags_braces_and_backslashes_render_literally(tmp_path):
    literal = burn(tmp_path, "tricky.ass", ass_text(cue(TRICKY), STYLE, width=W, height=H))
    reference = burn(tmp_path, "look.ass", ass_text(cue(LOOKALIKE), STYLE, width=W, height=H))
    assert literal and reference
    assert literal[1] > H / 2, "{\\an8} moved the text to the top: it was read as a tag"
    # as wide as the look-alike text (nothing hidden) and one line high (\N did not break)
    assert abs(width(literal) - width(reference)) < 0.12 * width(reference)
    assert abs((literal[3] - literal[1]) - (reference[3] - reference[1])) <= 4


def test_the_check_sees_tags_when_text_is_not_escaped(tmp_path):
    # the same document with the text pasted in raw: libass obeys the tags
    raw = ass_text(cue("X"), STYLE, width=W, height=H).replace(",,X\n", ",,{\\an8}Top{hidden}\n")
    shown = burn(tmp_path, "raw.ass", raw)
    plain = burn(tmp_path, "plain.ass", ass_text(cue("Top(hidden)"), STYLE, width=W, height=H))
    assert shown and plain
    assert shown[3] < H / 2  # moved to the top
    assert width(shown) < 0.6 * width(plain)  # "{hidden}" vanished


def test_srt_through_ffmpegs_reader_renders_literally(tmp_path):
    text = TRICKY + " <i>i</i>"
    literal = burn(tmp_path, "tricky.srt", srt_text(cue(text)), "subtitles")
    reference = burn(tmp_path, "look.srt", srt_text(cue(LOOKALIKE + " (i)i(/i)")), "subtitles")
    assert literal and reference
    assert literal[1] > H / 2
    assert abs(width(literal) - width(reference)) < 0.12 * width(reference)


def test_vtt_escapes_markup_and_renders_it(tmp_path):
    text = "a <b>bold</b> & {\\an8} --> done"
    body = vtt_text(cue(text))
    assert "a &lt;b&gt;bold&lt;/b&gt; &amp; {\\an8} --&gt; done" in body
    assert body.startswith("WEBVTT\n")
    assert burn(tmp_path, "tricky.vtt", body, "subtitles")[1] > H / 2


def test_ass_escape_is_exact():
    assert ass_escape("{\\an8}") == "\\{\\\u2060an8\\}"
    assert ass_escape("a\nb") == "a b"  # only our own line breaks become \N
    doc = ass_text([Cue(0, 45, ("첫 줄", "둘째 {줄}"))], STYLE, width=W, height=H)
    assert doc.splitlines()[-1] == "Dialogue: 0,0:00:00.00,0:00:01.50,Default,,0,0,0,,첫 줄\\N둘째 \\{줄\\}"
    assert f"PlayResX: {W}" in doc and f"PlayResY: {H}" in doc


def test_times_start_on_their_frame_and_end_before_the_next():
    cues = [Cue(1, 45, ("one",)), Cue(45, 100, ("two", "lines"))]
    assert srt_text(cues) == (
        "1\n00:00:00,033 --> 00:00:01,500\none\n\n2\n00:00:01,500 --> 00:00:03,333\ntwo\nlines\n"
    )
    assert "00:00:00.033 --> 00:00:01.500\none" in vtt_text(cues)
    # a segment's own time: shifted and cut at zero
    assert srt_text(cues, offset_frames=30).startswith("1\n00:00:00,000 --> 00:00:00,500\none")


def plan_with(cues: tuple[Cue, ...]) -> RenderPlan:
    scene = PlannedScene(
        scene_pk=1, scene_id="S1", index=0, start_frame=0, frames=150, source="card", source_path=None,
        source_asset_id=None, source_version=None, source_frames=None, fit="still", speed=Fraction(1),
        narration_text="x", title="x", cues=cues,
    )
    return RenderPlan(1, "t", "9:16", "480p", W, H, (scene,), None, None, 150)


def test_write_subtitles_is_all_or_nothing(tmp_path):
    plan = plan_with(tuple(cue("hello")))
    out = write_subtitles(plan, tmp_path / "s.srt", "srt")
    assert out.read_text(encoding="utf-8") == srt_text(plan.cues)
    with pytest.raises(ValidationError, match="does not exist"):
        write_subtitles(plan, tmp_path / "missing" / "s.srt", "srt")
    with pytest.raises(ValidationError, match="is a folder"):
        write_subtitles(plan, tmp_path, "vtt")
    with pytest.raises(ValidationError, match="srt, vtt, ass"):
        write_subtitles(plan, tmp_path / "s.txt", "txt")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.srt"]  # no temporary left
