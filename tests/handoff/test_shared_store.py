"""The hand-off on the team's secured store, as people: an editor exports (provenance read
under row-level security) and brings an edit back; a reviewer may read what an edit would
change but not apply it, and nothing changes."""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio
import pytest

from storyclip_desktop.services import Forbidden
from storyclip_desktop.shared.people import share
from tests.sync.conftest import pg_admin, sync_template  # noqa: F401 - fixtures
from tests.sync.test_services_shared import open_as, team  # noqa: F401 - fixtures

RT, TR = otio.opentime.RationalTime, otio.opentime.TimeRange


def test_editor_round_trip_and_reviewer_refused(team, open_as, tmp_path: Path) -> None:  # noqa: ANN001, F811
    a = open_as("a")
    pid = a.projects.create("팀 Team")
    a.scenes.split(pid, chunks=["하나 one", "둘 two", "셋 three"])
    a.scenes.set_durations(pid, {"S1": 1, "S2": 1, "S3": 1})
    a.scenes.edit(pid, "S1", {"image_prompt": "a harbour at dawn"})
    share(a.db.engine, pid, team.people["b"].email, "editor")
    share(a.db.engine, pid, team.people["r"].email, "reviewer")
    r = open_as("r")
    r.reviews.confirm_prompt(pid, "S1")

    b = open_as("b")
    result = b.handoff.export(pid, "otio", tmp_path / "out")
    tl = otio.adapters.read_from_file(str(result.timeline))
    first = tl.video_tracks()[0][0]
    assert first.metadata["storyclip"]["image_prompt"] == "a harbour at dawn"
    assert first.metadata["storyclip"]["prompt_confirmed_at"]  # the reviewer's decision, seen by the editor
    track = tl.video_tracks()[0]
    track.insert(0, track.pop(2))  # S3 S1 S2
    track[0].source_range = TR(RT(0, 30), RT(45, 30))
    edit = tmp_path / "edit.otio"
    otio.adapters.write_to_file(tl, str(edit))

    report = r.handoff.read_edit(pid, edit)  # a reviewer may look
    assert report.new_order == ["S3", "S1", "S2"]
    with pytest.raises(Forbidden, match=f"you are a reviewer of project {pid}"):
        r.handoff.apply_edit(report)
    assert [s.scene_id for s in a.scenes.list(pid)] == ["S1", "S2", "S3"]

    b.handoff.apply_edit(b.handoff.read_edit(pid, edit))
    assert [s.scene_id for s in a.scenes.list(pid)] == ["S3", "S1", "S2"]
    assert a.scenes.get(pid, "S3").scene_json["duration"] == 1.5
