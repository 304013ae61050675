"""`storyclip scene edit/add/delete/list/reject` as an editor meets them, and an edited
prompt surviving `generate prompts` (Local preview providers, real jobs)."""

from __future__ import annotations

import json

import pytest

from storyclip_desktop.services import Services

# The same stand-ins as the generation CLI tests: no API keys, a fast job poll.
from tests.generation.test_cli import no_keys, run  # noqa: E402, F401 - autouse fixture


@pytest.fixture
def demo(capsys) -> str:
    code, out, _ = run(capsys, "demo")
    assert code == 0
    return out.strip()


def _scenes(capsys, pid: str) -> list[dict]:
    code, out, err = run(capsys, "scene", "list", pid, "--json")
    assert code == 0, err
    return json.loads(out)


def test_edit_then_generate_prompts_keeps_the_edited_prompt(capsys, demo):
    mine = "손으로 쓴 프롬프트: 은행나무 길, 이른 아침 / a ginkgo avenue at dawn"
    code, out, err = run(capsys, "scene", "edit", demo, "S2", "--image-prompt", mine)
    assert code == 0, err
    assert out.strip() == "S2: Prompt to review"
    code, out, err = run(capsys, "generate", "prompts", demo, "--wait")
    assert code == 0, err
    assert "skipped S2: its prompt was written by hand" in err
    by_id = {s["scene_id"]: s for s in _scenes(capsys, demo)}
    assert by_id["S2"]["image_prompt"] == mine
    assert by_id["S2"]["edited_by_hand"] == ["image_prompt"]
    assert "style:" in by_id["S1"]["image_prompt"]  # the others were written

    # Asked for explicitly, the edited prompt is replaced and can be brought back.
    code, out, err = run(capsys, "generate", "prompts", demo, "--scenes", "S2", "--replace-edited", "--wait")
    assert code == 0, err
    s2 = {s["scene_id"]: s for s in _scenes(capsys, demo)}["S2"]
    assert s2["image_prompt"] != mine and s2["edited_by_hand"] == []
    sv = Services.open()
    try:
        back = sv.scenes.bring_back(int(demo), "S2")
        assert back.scene_json["image_prompt"] == mine and back.edited_fields == ("image_prompt",)
    finally:
        sv.close()


def test_list_json_has_full_texts_status_and_versions(capsys, demo):
    long = "가을 " * 60
    run(capsys, "scene", "edit", demo, "S1", "--narration", long.strip(), "--motion-prompt", "slow push in")
    s1 = _scenes(capsys, demo)[0]
    assert s1["narration"] == long.strip()  # not shortened
    assert s1["motion_prompt"] == "slow push in"
    assert {"status", "status_label", "image_version", "clip_version", "rejected"} <= set(s1)


def test_table_never_cuts_a_word(capsys, demo):
    run(capsys, "scene", "edit", demo, "S1", "--narration", "quietly the harbour lights come on one after another tonight")
    code, out, _ = run(capsys, "scene", "list", demo)
    row = next(line for line in out.splitlines() if " S1 " in f" {line} ")
    shown = row.split("Draft", 1)[-1].split("-", 2)[-1].strip().rstrip("…").strip()
    words = "quietly the harbour lights come on one after another tonight".split()
    assert shown.split() == words[: len(shown.split())]


def test_add_after_and_delete(capsys, demo):
    before = [s["scene_id"] for s in _scenes(capsys, demo)]
    code, out, err = run(capsys, "scene", "add", demo, "--narration", "새 장면 / a new scene", "--after", "S1")
    assert code == 0, err
    new = out.strip()
    after = [s["scene_id"] for s in _scenes(capsys, demo)]
    assert after[:2] == ["S1", new] and len(after) == len(before) + 1
    code, out, err = run(capsys, "scene", "delete", demo, new, "--yes")
    assert code == 0 and out.strip() == f"deleted {new}"
    assert [s["scene_id"] for s in _scenes(capsys, demo)] == before


def test_reject_needs_a_comment_and_shows_as_rejected(capsys, demo):
    run(capsys, "scene", "edit", demo, "S1", "--image-prompt", "a harbour at dawn")
    code, out, err = run(capsys, "scene", "reject", demo, "S1")
    assert code == 1 and out == ""
    assert err.strip() == "storyclip: comment: required — say what needs to change before rejecting"
    assert _scenes(capsys, demo)[0]["status"] == "prompt"  # nothing changed
    code, out, err = run(capsys, "scene", "reject", demo, "S1", "--comment", "더 밝게 / brighter")
    assert code == 0 and out.strip() == "S1: Rejected (Draft)"
    s1 = _scenes(capsys, demo)[0]
    assert s1["rejected"] and s1["rejection_comment"] == "더 밝게 / brighter"
