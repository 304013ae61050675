"""Generation never writes over a prompt the editor typed without being asked, and what
it replaces can be brought back."""

from __future__ import annotations

import pytest

from storyclip_desktop.services.errors import NotFound


def test_generated_prompt_skips_a_hand_written_one_unless_asked(services):
    sv = services
    pid = sv.projects.create("손글씨", script="One.\n\nTwo.")
    sv.scenes.split(pid)
    sv.scenes.edit(pid, "S1", {"image_prompt": "mine, by hand"})
    sv.scenes.write_generated(pid, "S2", {"image_prompt": "generated first"})
    view, kept = sv.scenes.write_generated(pid, "S1", {"image_prompt": "generated", "motion_prompt": "pan"})
    assert kept == ["image_prompt"]
    assert view.scene_json["image_prompt"] == "mine, by hand" and view.scene_json["motion_prompt"] == "pan"

    view, kept = sv.scenes.write_generated(pid, "S1", {"image_prompt": "generated"}, replace_edited=True)
    assert kept == [] and view.scene_json["image_prompt"] == "generated" and view.edited_fields == ()
    back = sv.scenes.bring_back(pid, "S1")
    assert back.scene_json["image_prompt"] == "mine, by hand" and back.edited_fields == ("image_prompt",)
    with pytest.raises(NotFound):
        sv.scenes.bring_back(pid, "S1")  # nothing more was replaced

    # A generated prompt replaced by another generation is kept too.
    sv.scenes.write_generated(pid, "S2", {"image_prompt": "generated second"})
    assert sv.scenes.bring_back(pid, "S2").scene_json["image_prompt"] == "generated first"


def test_batch_skips_edited_and_names_them(services, monkeypatch):
    monkeypatch.setattr("storyclip_desktop.keychain.has_secret", lambda name: False)
    sv = services
    pid = sv.projects.create("배치", script="One.\n\nTwo.\n\nThree.")
    sv.scenes.split(pid)
    sv.scenes.edit(pid, "S3", {"image_prompt": "typed"})
    assert sv.generation.edited_prompts(pid) == ["S3"]
    result = sv.generation.prompts(pid)
    assert [s.scene_id for s in result.skipped] == ["S3"] and len(result.job_ids) == 2
    assert "written by hand" in result.skipped[0].reason
    result = sv.generation.prompts(pid, ["S3"], replace_edited=True)
    assert len(result.job_ids) == 1
    assert sv.generation.job(result.job_ids[0]).request["replace_edited"] is True
