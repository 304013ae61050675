"""The edit comes back: a timeline re-ordered and trimmed in an editing program (here by
OpenTimelineIO itself, as the editor's tool would write it) moves the scenes and records
the new spans, in one transaction; what cannot be matched is listed; a timeline made for
another project, or a broken file, changes nothing."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import opentimelineio as otio
import pytest
from sqlalchemy import select

from storyclip_desktop.domain.validation import ValidationError
from storyclip_desktop.services.errors import ServiceError
from storyclip_desktop.store.models import PendingChange

RT, TR = otio.opentime.RationalTime, otio.opentime.TimeRange


def order(sv, pid) -> list[str]:
    return [s.scene_id for s in sv.scenes.list(pid)]


def durations(sv, pid) -> dict[str, object]:
    return {s.scene_id: s.scene_json.get("duration") for s in sv.scenes.list(pid)}


def outbox(sv) -> list[str]:
    with sv.db.sessions() as s:
        return list(s.scalars(select(PendingChange.kind).order_by(PendingChange.id)))


def trim(clip: otio.schema.Clip, frames: int) -> None:
    clip.source_range = TR(clip.source_range.start_time, RT(frames, 30))


def edited(result, name: str, change, adapter: str | None = None) -> Path:
    """Read the export, let `change(tl, track)` edit V1, write it beside the export."""
    tl = otio.adapters.read_from_file(str(result.timeline), **({"adapter_name": adapter} if adapter else {}))
    change(tl, tl.video_tracks()[0])
    out = result.folder / name
    otio.adapters.write_to_file(tl, str(out), **({"adapter_name": adapter} if adapter else {}))
    return out


def swap_first_two_and_trim(tl, track) -> None:
    first = track.pop(0)
    track.insert(1, first)  # S2 S1 S3 S4 S5
    trim(track[2], 120)  # S3: narrated
    trim(track[4], 45)  # S5: no narration, so its span is what the editor sets


def test_round_trip_moves_the_scenes_and_records_the_new_spans(services, pid, tmp_path: Path) -> None:
    before_outbox = outbox(services)
    result = services.handoff.export(pid, "otio", tmp_path / "out")
    path = edited(result, "edit.otio", swap_first_two_and_trim)

    report = services.handoff.read_edit(pid, path)
    assert report.new_order == ["S2", "S1", "S3", "S4", "S5"]
    assert report.spans_s == {"S3": Fraction(120, 30), "S5": Fraction(45, 30)}
    assert report.plan.unmatched == () and report.plan.missing == ()
    assert order(services, pid) == ["S1", "S2", "S3", "S4", "S5"]  # reading changed nothing

    applied = services.handoff.apply_edit(report)
    assert order(services, pid) == ["S2", "S1", "S3", "S4", "S5"]
    d = durations(services, pid)
    assert d["S5"] == 1.5 and d["S3"] == 4 and d["S1"] is None
    plan = services.render_plan.plan(pid)
    assert [s.scene_id for s in plan.scenes] == ["S2", "S1", "S3", "S4", "S5"]
    assert plan.scenes[-1].frames == 45  # the trim is the scene's span now
    assert "S3" in report.narrated and any("S3: new span 4.000s (kept as its duration" in ln for ln in report.summary())
    # Through the services: the sync outbox holds one move and one edit per new span.
    new = outbox(services)[len(before_outbox):]
    assert sorted(new) == ["edit_scene", "edit_scene", "move_scenes"]

    services.handoff.revert_edit(applied)  # the window's undo
    assert order(services, pid) == ["S1", "S2", "S3", "S4", "S5"]
    assert durations(services, pid)["S5"] == 2 and durations(services, pid)["S3"] is None


def test_order_and_spans_are_one_transaction(services, pid, tmp_path: Path) -> None:
    result = services.handoff.export(pid, "otio", tmp_path / "out")

    def swap_and_trim_too_short(tl, track) -> None:
        track.insert(1, track.pop(0))
        trim(track[4], 6)  # 0.2 s: shorter than any scene may be

    report = services.handoff.read_edit(pid, edited(result, "edit.otio", swap_and_trim_too_short))
    before = outbox(services)
    with pytest.raises(ValidationError, match="duration"):
        services.handoff.apply_edit(report)
    assert order(services, pid) == ["S1", "S2", "S3", "S4", "S5"]  # the move was rolled back
    assert durations(services, pid)["S5"] == 2
    assert outbox(services) == before


def test_fcp7_xml_edit_without_our_metadata_is_matched_by_file_names(services, pid, tmp_path: Path) -> None:
    result = services.handoff.export(pid, "fcp7xml", tmp_path / "xml")

    def drop_provenance_and_reorder(tl, track) -> None:
        tl.metadata.pop("fcp_xml", None)
        for clip in track.find_clips():
            clip.metadata.pop("fcp_xml", None)
            clip.metadata.pop("storyclip", None)
            clip.markers.clear()
        track.insert(0, track.pop(4))  # S5 first
        trim(track[0], 75)

    path = edited(result, "edit.xml", drop_provenance_and_reorder, adapter="fcp_xml")
    assert "storyclip:" not in path.read_text(encoding="utf-8")
    applied = services.handoff.import_edit(pid, path)
    assert applied.report.new_order == ["S5", "S1", "S2", "S3", "S4"]
    assert applied.report.plan.by_name == ("S5", "S1", "S2", "S3", "S4")
    assert "matched by file name only (the tool kept no StoryClip metadata): S5, S1, S2, S3, S4" in applied.report.summary()
    assert order(services, pid) == ["S5", "S1", "S2", "S3", "S4"]
    assert durations(services, pid)["S5"] == 2.5


def test_an_edit_with_a_foreign_clip_reports_it(services, pid, tmp_path: Path) -> None:
    result = services.handoff.export(pid, "otio", tmp_path / "out")

    def add_b_roll_and_drop_s4(tl, track) -> None:
        ref = otio.schema.ExternalReference(target_url="b-roll/beach.mp4", available_range=TR(RT(0, 30), RT(90, 30)))
        track.insert(2, otio.schema.Clip(name="Beach B-roll", media_reference=ref, source_range=TR(RT(0, 30), RT(40, 30))))
        del track[4]  # S4's clip (after the insert it sits at 4)
        track.insert(0, track.pop(1))  # S2 first

    report = services.handoff.read_edit(pid, edited(result, "edit.otio", add_b_roll_and_drop_s4))
    assert report.plan.unmatched == ("Beach B-roll",)
    assert report.plan.missing == ("S4",)
    assert report.new_order == ["S2", "S1", "S3", "S4", "S5"]  # S4 keeps its place
    assert "not matched to any scene: Beach B-roll" in report.summary()
    assert "not in the edit (kept in place): S4" in report.summary()


def test_a_timeline_from_another_project_changes_nothing(services, pid, tmp_path: Path) -> None:
    other = services.projects.create("다른 Other")
    services.scenes.split(other, chunks=["하나 one", "둘 two", "셋 three", "넷 four", "다섯 five"])
    result = services.handoff.export(pid, "otio", tmp_path / "out")
    path = edited(result, "edit.otio", swap_first_two_and_trim)
    before = (order(services, other), durations(services, other), outbox(services))
    with pytest.raises(ServiceError, match=rf"^edit.otio was made for project {pid}, not project {other}; nothing was changed$"):
        services.handoff.import_edit(other, path)

    def strip_all(tl, track) -> None:  # a tool that kept nothing of ours: the manifest beside still says
        tl.metadata.clear()
        for clip in track.find_clips():
            clip.metadata.clear()
        swap_first_two_and_trim(tl, track)

    with pytest.raises(ServiceError, match=f"made for project {pid}"):
        services.handoff.import_edit(other, edited(result, "bare.otio", strip_all))
    assert (order(services, other), durations(services, other), outbox(services)) == before


def test_broken_files_are_one_line_and_change_nothing(services, pid, tmp_path: Path) -> None:
    result = services.handoff.export(pid, "otio", tmp_path / "out")
    before = (order(services, pid), outbox(services))
    truncated = tmp_path / "cut.otio"
    data = result.timeline.read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    empty = edited(result, "empty.otio", lambda tl, track: track.clear())
    bad_xml = tmp_path / "bad.xml"
    bad_xml.write_text("<xmeml version='4'><project><children><sequence>", encoding="utf-8")
    notes = tmp_path / "notes.txt"
    notes.write_text("not a timeline")
    cases = [
        (truncated, r"^cut.otio is not a readable otio timeline \("),
        (bad_xml, r"^bad.xml is not a readable fcp7xml timeline \("),
        (empty, r"^empty.otio: the timeline has no clips on its picture track$"),
        (notes, r"^notes.txt: not a timeline file StoryClip reads"),
        (tmp_path / "gone.otio", r"gone.otio: no such file$"),
    ]
    for path, message in cases:
        with pytest.raises(ServiceError, match=message) as e:
            services.handoff.import_edit(pid, path)
        assert "\n" not in e.value.message
    assert (order(services, pid), outbox(services)) == before


def test_cli_exports_and_imports(services, pid, made, tmp_path: Path, monkeypatch, capsys) -> None:
    from storyclip_desktop.cli.main import main

    db = services.db.engine.url.database
    monkeypatch.setenv("STORYCLIP_DATABASE_URL", f"sqlite:///{db}")
    out = tmp_path / "cli"
    assert main(["export", "timeline", str(pid), "--format", "fcp7xml", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    timeline = next(out.glob("*.xml"))
    assert f"timeline: {timeline}" in printed and f"media: {out / 'media'} (6 files" in printed

    class R:  # the export as edited() wants it
        folder = timeline = None

    assert main(["export", "timeline", str(pid), "--format", "otio", "--out", str(tmp_path / "o")]) == 0
    capsys.readouterr()
    R.folder, R.timeline = tmp_path / "o", next((tmp_path / "o").glob("*.otio"))
    path = edited(R, "edit.otio", swap_first_two_and_trim)
    assert main(["import", "timeline", str(pid), str(path), "--dry-run"]) == 0
    assert "dry run: nothing changed" in capsys.readouterr().out
    assert order(services, pid)[0] == "S1"
    assert main(["import", "timeline", str(pid), str(path)]) == 0
    printed = capsys.readouterr().out
    assert "new order: S2 S1 S3 S4 S5" in printed and "S5: new span 1.500s" in printed
    assert order(services, pid)[0] == "S2"

    assert main(["import", "timeline", str(pid), str(tmp_path / "nothing.otio")]) == 1
    assert capsys.readouterr().err.strip() == f"storyclip: {tmp_path / 'nothing.otio'}: no such file"
    assert main(["export", "timeline", str(pid), "--format", "fcpx", "--out", str(tmp_path / "x")]) == 2
    assert not (tmp_path / "x").exists()
