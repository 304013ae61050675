"""The hand-off on the team's PostgreSQL store, an .otioz edit coming back, and a project
with nothing to export."""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio
import pytest

from storyclip_desktop.services import Services
from storyclip_desktop.services.errors import ServiceError

RT, TR = otio.opentime.RationalTime, otio.opentime.TimeRange


def cards_project(sv: Services) -> int:
    """Three scenes with nothing generated yet: title cards of 1, 1.5 and 2 seconds."""
    pid = sv.projects.create("카드 Cards")
    sv.scenes.split(pid, chunks=["첫 장면 first", "둘째 장면 second", "셋째 장면 third"])
    sv.scenes.set_durations(pid, {"S1": 1, "S2": 1.5, "S3": 2})
    return pid


def reverse_and_trim(path: Path, out: Path) -> Path:
    if path.suffix == ".otioz":  # re-bundling needs the media on disk, as an editor's tool has it
        unpacked = out.parent / "unpacked"
        unpacked.mkdir()
        tl = otio.adapters.read_from_file(str(path), extract_to_directory=str(unpacked))
        for clip in tl.find_clips():
            clip.media_reference.target_url = otio.url_utils.url_from_filepath(
                str(unpacked / clip.media_reference.target_url))
    else:
        tl = otio.adapters.read_from_file(str(path))
    track = tl.video_tracks()[0]
    track.insert(0, track.pop(2))  # S3 S1 S2
    track[1].source_range = TR(RT(0, 30), RT(21, 30))  # S1: 0.7 s
    otio.adapters.write_to_file(tl, str(out))
    return out


@pytest.mark.parametrize("fmt", ["otio", "otioz"])
def test_round_trip_on_postgres(pg_url: str, tmp_path: Path, fmt: str) -> None:
    sv = Services.open(pg_url, node=1)
    try:
        pid = cards_project(sv)
        result = sv.handoff.export(pid, fmt, tmp_path / "out")
        edit = reverse_and_trim(result.timeline, tmp_path / f"edit.{fmt}")
        applied = sv.handoff.import_edit(pid, edit)
        assert applied.report.new_order == ["S3", "S1", "S2"]
        assert [s.scene_id for s in sv.scenes.list(pid)] == ["S3", "S1", "S2"]
        assert sv.scenes.get(pid, "S1").scene_json["duration"] == 0.7
        assert [s.frames for s in sv.render_plan.plan(pid).scenes] == [60, 21, 45]
        sv.handoff.revert_edit(applied)
        assert [s.scene_id for s in sv.scenes.list(pid)] == ["S1", "S2", "S3"]
        assert sv.scenes.get(pid, "S1").scene_json["duration"] == 1
    finally:
        sv.close()


def test_a_project_without_scenes_has_nothing_to_export(local_services, tmp_path: Path) -> None:
    pid = local_services.projects.create("빈 Empty")
    with pytest.raises(ServiceError, match=f"^project {pid} has no scenes to export$"):
        local_services.handoff.export(pid, "otio", tmp_path / "out")
    assert not (tmp_path / "out").exists()
