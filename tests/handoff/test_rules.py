"""The hand-off's naming and matching rules, on their own (pure domain code)."""

from __future__ import annotations

import pytest

from storyclip_desktop.domain import handoff as rules
from storyclip_desktop.domain.handoff import EditedClip, HandoffError, SceneNow


def clip(name: str = "", frames: int = 30, project: int | None = None, pk: int | None = None,
         file: str | None = None) -> EditedClip:
    return EditedClip(name=name or file or "", frames=frames, project_id=project, scene_pk=pk, scene_id=None,
                      media_file=file)


SCENES = [SceneNow(11, "S1", 30), SceneNow(12, "S2", 30), SceneNow(13, "S3", 30), SceneNow(14, "S4", 30)]


def test_stable_names_read_back_to_their_scene() -> None:
    assert rules.media_name("S3", "clip", 2, ".MP4") == "S03_clip_v2.mp4"
    assert rules.media_name("S3", "clip", 2, ".mp4", fit="hold") == "S03_clip_v2_hold.mp4"
    assert rules.media_name("S12", "card", None, ".mp4") == "S12_card.mp4"
    assert rules.narration_name(1, ".m4a") == "narration_v1.m4a"
    for name, label in [("S03_clip_v2.mp4", "S3"), ("S03_clip_v2_loop.mp4", "S3"), ("S12_card.mp4", "S12"),
                        ("S104_image_v7.mp4", "S104")]:
        assert rules.scene_from_media_name(name) == label
    for other in ["beach.mp4", "S03_clip_v2.mp4.bak", "narration_v1.wav", "XS03_clip.mp4", "../S03_clip_v2.mp4"]:
        assert rules.scene_from_media_name(other) is None


def test_clip_names_reels_and_stems() -> None:
    assert rules.clip_name("S3", 2, "a red fox runs through deep snow at dusk") == "S03 · v2 · a red fox runs through deep…"
    assert rules.clip_name("S4", None, "") == "S04"
    assert rules.ascii_name("S03 · v2 · 여우 fox…") == "S03 - v2 - fox..."
    assert rules.reel_name("S3", 2) == "S03V2"
    assert len(rules.reel_name("S123", 14)) <= 8
    assert rules.safe_stem("../etc/passwd", 5) == "etcpasswd"
    assert rules.safe_stem("여우 이야기", 5) == "여우_이야기"
    assert rules.safe_stem("...", 5) == "project_5"


def test_the_edit_orders_matched_scenes_and_missing_ones_keep_their_place() -> None:
    edit = [clip(pk=13, frames=45, project=1), clip(file="S01_clip_v1.mp4"), clip(name="B-roll", file="beach.mp4"),
            clip(pk=12, project=1)]
    plan = rules.plan_edit(edit, SCENES, 1)
    # S4 is not in the edit: it stays 4th; S3, S1, S2 fill positions 1-3 in the edit's order.
    assert plan.order == (13, 11, 12, 14)
    assert plan.spans == {13: 45}
    assert plan.unmatched == ("B-roll",) and plan.missing == ("S4",) and plan.moved


def test_another_projects_clip_is_never_matched_by_its_file_name() -> None:
    edit = [clip(pk=11, project=1), clip(name="theirs", pk=99, project=2, file="S02_clip_v1.mp4"),
            clip(pk=11, project=1, frames=60)]
    plan = rules.plan_edit(edit, SCENES, 1)
    assert plan.unmatched == ("theirs",) and plan.duplicates == ("S1",) and not plan.moved
    assert rules.foreign_project(edit, None, 1) is None  # one borrowed clip: only unmatched
    assert rules.foreign_project(edit[1:2], None, 1) == 2
    assert rules.foreign_project(edit, 2, 1) == 2  # the timeline says so


def test_an_edit_with_nothing_of_ours_is_refused() -> None:
    with pytest.raises(HandoffError, match="no clips"):
        rules.plan_edit([], SCENES, 1)
    with pytest.raises(HandoffError, match="none of the timeline's 1 clips belongs to a scene of project 1"):
        rules.plan_edit([clip(file="beach.mp4")], SCENES, 1)
