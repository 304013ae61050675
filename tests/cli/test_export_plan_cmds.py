"""`storyclip export plan` and `storyclip export subtitles` as a user meets them."""

from __future__ import annotations

import json

import pytest

from tests.support.cli import run


@pytest.fixture
def narrated(capsys, tmp_path):
    script = tmp_path / "script.txt"
    script.write_text("첫 장면입니다.\n\n\"둘째\" 장면, {\\an8} 태그!\n\nThe third scene, 3 times.", encoding="utf-8")
    code, out, _ = run(capsys, "project", "create", "--title", "내보내기", "--script-file", str(script))
    pid = out.strip()
    assert run(capsys, "scene", "split", pid)[0] == 0
    code, out, err = run(capsys, "generate", "narration", pid, "--wait")
    assert code == 0, err
    return pid


def test_plan_json_shape_and_totals(capsys, narrated):
    code, out, err = run(capsys, "export", "plan", narrated, "--json")
    assert code == 0, err
    plan = json.loads(out)
    assert plan["fps"] == 30 and (plan["width"], plan["height"]) == (480, 854)
    assert plan["stale"] is None
    scenes = plan["scenes"]
    assert [s["scene_id"] for s in scenes] == ["S1", "S2", "S3"]
    assert set(scenes[0]) >= {"scene_id", "start", "duration", "source", "fit", "speed", "cues"}
    assert scenes[0]["start"] == 0.0
    for a, b in zip(scenes, scenes[1:], strict=False):
        assert b["start"] == pytest.approx(a["start"] + a["duration"], abs=0.002)
    assert plan["total"] == pytest.approx(scenes[-1]["start"] + scenes[-1]["duration"], abs=0.002)
    assert plan["total"] == pytest.approx(plan["narration"]["duration"], abs=1 / 30)
    assert all(s["source"] == "card" and s["fit"] == "still" for s in scenes)
    cue_text = " ".join(c["text"].replace("\n", " ") for c in scenes[1]["cues"])
    assert cue_text == '"둘째" 장면, {\\an8} 태그!'
    for s in scenes:
        for c in s["cues"]:
            assert s["start"] <= c["start"] < c["end"] <= s["start"] + s["duration"] + 0.001

    code, out, _ = run(capsys, "export", "plan", narrated, "--resolution", "1080p")
    assert code == 0
    assert "1080x1920" in out.splitlines()[0]
    assert [line.split()[0] for line in out.splitlines()[2:]] == ["S1", "S2", "S3"]


def test_stale_narration_is_said_by_export(capsys, narrated, tmp_path):
    from storyclip_desktop.services import Services

    sv = Services.open()
    sv.scenes.edit(int(narrated), "S2", {"narration": "바뀐 문장."})
    sv.close()
    code, out, err = run(capsys, "export", "plan", narrated, "--json")
    assert code == 0
    assert json.loads(out)["stale"]["changed_scene_ids"] == ["S2"]
    assert err.strip() == "warning: the narration is out of date: S2 changed since it was made"
    code, _, err = run(capsys, "export", "subtitles", narrated, "--format", "srt", "--out", str(tmp_path / "x.srt"))
    assert "S2 changed" in err


@pytest.mark.parametrize("fmt", ["srt", "vtt", "ass"])
def test_subtitles_files(capsys, narrated, tmp_path, fmt):
    out_file = tmp_path / f"short.{fmt}"
    code, out, err = run(capsys, "export", "subtitles", narrated, "--format", fmt, "--out", str(out_file))
    assert code == 0, err
    assert out.strip().endswith(f"written to {out_file}")
    body = out_file.read_text(encoding="utf-8")
    if fmt == "ass":
        assert "\\{\\\u2060an8\\} 태그!" in body and "PlayResY: 854" in body
    elif fmt == "vtt":
        assert body.startswith("WEBVTT") and "{\\an8}" in body
    else:
        assert body.startswith("1\n00:00:00,000 --> ")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_bad_input_one_line_nothing_written(capsys, narrated, tmp_path):
    missing = tmp_path / "nope" / "a.srt"
    code, out, err = run(capsys, "export", "subtitles", narrated, "--format", "srt", "--out", str(missing))
    assert code == 1 and err == f"storyclip: out: the folder {missing.parent} does not exist\n"
    assert not missing.parent.exists()
    code, _, err = run(capsys, "export", "subtitles", narrated, "--format", "txt", "--out", str(tmp_path / "a.txt"))
    assert code == 2 and err.startswith("storyclip: ") and len(err.splitlines()) == 1
    code, out, _ = run(capsys, "project", "create", "--title", "빈")
    empty = out.strip()
    code, _, err = run(capsys, "export", "plan", empty, "--json")
    assert (code, err) == (1, f"storyclip: project {empty} has no scenes to export\n")
    code, out, _ = run(capsys, "project", "create", "--title", "무음")
    silent = out.strip()
    from storyclip_desktop.services import Services

    sv = Services.open()
    sv.scenes.split(int(silent), chunks=["아직 목소리가 없어요."])
    sv.close()
    target = tmp_path / "none.srt"
    code, _, err = run(capsys, "export", "subtitles", silent, "--format", "srt", "--out", str(target))
    assert (code, err) == (1, f"storyclip: project {silent} has no narration yet, so no subtitles; generate the narration first\n")
    assert not target.exists()
    code, _, err = run(capsys, "export", "plan", "999999", "--json")
    assert code == 1 and len(err.splitlines()) == 1


def test_scene_timing_sets_duration_and_fit(capsys):
    code, out, _ = run(capsys, "project", "create", "--title", "타이밍")
    pid = out.strip()
    from storyclip_desktop.services import Services

    sv = Services.open()
    sv.scenes.split(int(pid), chunks=["", "말하는 장면."])
    sv.close()
    code, out, err = run(capsys, "scene", "timing", pid, "S1", "--duration", "4.5", "--fit", "loop")
    assert (code, out) == (0, "S1: 4.500s, card, still\n"), err
    code, out, _ = run(capsys, "export", "plan", pid, "--json")
    assert json.loads(out)["scenes"][0]["duration"] == 4.5
    code, out, _ = run(capsys, "scene", "timing", pid, "S1", "--duration", "auto")
    assert out == "S1: 5.000s, card, still\n"
    code, _, err = run(capsys, "scene", "timing", pid, "S1", "--duration", "99")
    assert code == 1 and err.startswith("storyclip: duration: must be a number of seconds from 0.5 to 60")
    code, _, err = run(capsys, "scene", "timing", pid, "S1", "--duration", "abc")
    assert code == 1 and err == "storyclip: duration: must be a number of seconds or 'auto' (got 'abc')\n"
