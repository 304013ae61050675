"""The CLI as a user meets it: output, --json, and one-line errors with non-zero exits
that change nothing."""

import json
import subprocess
import sys

import pytest

from tests.support.cli import run


@pytest.fixture
def demo(capsys):
    code, out, _ = run(capsys, "demo")
    assert code == 0
    return int(out.strip())


def test_demo_then_list_and_show_json(capsys, demo):
    code, out, _ = run(capsys, "project", "list", "--json")
    assert code == 0
    [p] = json.loads(out)
    assert p["id"] == demo and p["title"] == "서울의 가을" and p["scene_count"] >= 5
    code, out, _ = run(capsys, "project", "show", str(demo), "--json")
    shown = json.loads(out)
    assert shown["project"]["preferences"]["ratio"] == "9:16"
    labels = [s["scene_id"] for s in shown["scenes"]]
    assert labels[0] == "S1" and len(labels) == p["scene_count"]


def test_create_with_script_file_split_move_confirm_reject(capsys, tmp_path):
    script = tmp_path / "script.txt"
    script.write_text("첫 장면입니다.\n\nSecond scene here.\n\n세 번째 장면.", encoding="utf-8")
    code, out, _ = run(capsys, "project", "create", "--title", "테스트", "--script-file", str(script))
    assert code == 0
    pid = out.strip()
    code, out, _ = run(capsys, "scene", "split", pid, "--json")
    assert [s["scene_id"] for s in json.loads(out)] == ["S1", "S2", "S3"]
    code, out, _ = run(capsys, "scene", "move", pid, "S3", "--to", "1")
    assert code == 0 and "3 scene positions changed" in out
    code, out, _ = run(capsys, "scene", "list", pid, "--json")
    assert [s["scene_id"] for s in json.loads(out)] == ["S3", "S1", "S2"]
    from storyclip_desktop.services import Services

    sv = Services.open()
    sv.scenes.edit(int(pid), "S1", {"image_prompt": "a harbour at dawn"})
    sv.close()
    code, out, _ = run(capsys, "scene", "confirm", pid, "S1")
    assert code == 0 and "S1: Prompt confirmed" in out
    code, out, _ = run(capsys, "scene", "reject", pid, "S1", "--comment", "구도가 아쉬워요")
    assert code == 0 and "S1: Rejected (Prompt to review)" in out


@pytest.mark.parametrize(
    "args,message",
    [
        (["project", "create", "--title", "열한글자제목입니다요요"], "title: must be at most 10 characters (it has 11)"),
        (["project", "create", "--title", ""], "title: must not be empty"),
        (["project", "show", "12345"], "no project with id 12345"),
        (["project", "show", "abc"], "'abc' is not a valid integer"),
        (["scene", "move", "{pid}", "S99", "--to", "1"], "has no scene S99"),
        (["scene", "move", "{pid}", "S1", "--to", "0"], "position must be between 1 and"),
        (["scene", "confirm", "{pid}", "S1"], "cannot confirm the prompt of a scene that is “Draft”"),
        (["scene", "reject", "{pid}", "S1"], "comment: required — say what needs to change before rejecting"),
        (["scene", "reject", "{pid}", "S1", "--comment", "   "], "comment: required"),
        (["scene", "edit", "{pid}", "S1"], "nothing to change"),
        (["scene", "edit", "{pid}", "S99", "--narration", "x"], "has no scene S99"),
        (["scene", "edit", "{pid}", "S1", "--image-prompt", "x" * 4001], "image_prompt: must be at most 4000"),
        (["scene", "add", "{pid}", "--narration", "x", "--after", "S99"], "has no scene S99"),
        (["scene", "delete", "{pid}", "S99", "--yes"], "has no scene S99"),
        (["scene", "split", "{pid}"], "already has"),
        (["prefs", "{pid}", "--ratio", "2:1"], "ratio: must be one of"),
        (["prefs", "{pid}", "--stability", "2"], "stability: must be between 0 and 1"),
        (["prefs", "{pid}", "--style", "x" * 201], "custom_style: must be at most 200"),
        (["prefs", "{pid}", "--split-rule", "x" * 1201], "split_rule: must be at most 1200"),
        (["prefs", "{pid}", "--image-model", "DALL-E"], "image_gen_model: must be one of Gemini, GPT"),
        (["prefs", "{pid}", "--video-model", "Sora"], "video_gen_model: must be one of"),
        (["prefs", "{pid}", "--voice", "Alice"], "voice_gen_model: must be one of"),
        (["tokens", "set-limit", "dalle", "5"], "type: must be one of"),
        (["tokens", "set-limit", "gpt", "5", "--user", "not-an-email"], "email: is not an email"),
        (["project", "create", "--title", "t", "--script-file", "/nonexistent/x.txt"], "does not exist"),
    ],
)
def test_bad_input_is_one_line_non_zero_and_changes_nothing(capsys, demo, args, message):
    _, before, _ = run(capsys, "project", "show", str(demo), "--json")
    _, projects_before, _ = run(capsys, "project", "list", "--json")
    code, out, err = run(capsys, *[a.replace("{pid}", str(demo)) for a in args])
    assert code != 0
    assert out == ""
    assert len(err.strip().splitlines()) == 1, err
    assert message in err
    _, after, _ = run(capsys, "project", "show", str(demo), "--json")
    _, projects_after, _ = run(capsys, "project", "list", "--json")
    assert before == after and projects_before == projects_after


def test_script_over_2000_characters_is_refused(capsys, tmp_path):
    script = tmp_path / "long.txt"
    script.write_text("가" * 2001, encoding="utf-8")
    code, _, err = run(capsys, "project", "create", "--title", "긴", "--script-file", str(script))
    assert code == 1 and "script: must be at most 2000 characters (it has 2001)" in err
    code, out, _ = run(capsys, "project", "list", "--json")
    assert json.loads(out) == []


def test_prefs_show_and_change(capsys, demo):
    code, out, _ = run(capsys, "prefs", str(demo), "--ratio", "16:9", "--stability", "0.8", "--json")
    assert code == 0 and json.loads(out)["ratio"] == "16:9"
    code, out, _ = run(capsys, "prefs", str(demo))
    assert "ratio            16:9" in out and "stability        0.8" in out


def test_tokens_list_json(capsys):
    code, out, _ = run(capsys, "tokens", "list", "--json")
    types = {t["type"]: t for t in json.loads(out)}
    assert set(types) == {"gpt", "gemini", "seedance", "kling", "voice"}
    assert all(t["usage"] == 0 and t["limit"] > 0 for t in types.values())


def test_real_process_version_and_error_exit(tmp_path):
    out = subprocess.run([sys.executable, "-m", "storyclip_desktop", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and "storyclip, version" in out.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "storyclip_desktop", "scene", "move", "1", "S1", "--to", "1"],
        capture_output=True, text=True,
    )
    assert bad.returncode == 1
    assert bad.stderr.strip() == "storyclip: no project with id 1"


def test_models_choose_per_project_and_refuse_a_retired_one(capsys, demo):
    code, _, err = run(capsys, "models", "choose", "openai", "image", "gpt-image-1")
    assert code != 0 and err.strip() == (
        "storyclip: model: gpt-image-1 was retired 2026-10-23 (use gpt-image-2.5-sunburst); choose another"
    )
    code, out, _ = run(capsys, "models", "choose", "openai", "image", "gpt-image-1.5", "--project", str(demo))
    assert code == 0 and out.strip() == f"openai image: gpt-image-1.5 for project {demo}"
    code, out, _ = run(capsys, "models", "list", "--project", str(demo), "--json")
    chosen = {(f["provider"], f["kind"]): next(o["id"] for o in f["options"] if o["chosen"]) for f in json.loads(out)}
    assert chosen[("openai", "image")] == "gpt-image-1.5" and chosen[("gemini", "image")] == "gemini-3.1-flash-image"
    code, out, _ = run(capsys, "models", "list", "--json")  # every other project keeps the default
    chosen = {(f["provider"], f["kind"]): next(o["id"] for o in f["options"] if o["chosen"]) for f in json.loads(out)}
    assert chosen[("openai", "image")] == "gpt-image-2.6-sunburst"


def test_generate_names_the_exact_model_it_queues_for(capsys, demo, monkeypatch):
    from tests.providers.fakes import FakeGemini

    monkeypatch.setenv("STORYCLIP_GEMINI_API_KEY", FakeGemini.api_key)  # never called: no --wait
    run(capsys, "models", "choose", "gemini", "text", "gemini-2.5-flash", "--project", str(demo))
    code, out, err = run(capsys, "generate", "prompts", str(demo))
    assert code == 0, err
    assert out.splitlines()[0].endswith("prompt job(s) on Gemini (gemini-2.5-flash)")
    code, out, _ = run(capsys, "jobs", "list", "--json")
    assert {j["model"] for j in json.loads(out)} == {"gemini-2.5-flash"}
