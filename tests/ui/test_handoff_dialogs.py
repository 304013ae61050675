"""File > Export timeline… and File > Import edit…: the dialogs call the hand-off services,
say where the files went or what the edit changes, and an applied edit is one undo step."""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio
import pytest

from storyclip_desktop.ui.handoff.export_dialog import ExportTimelineDialog
from storyclip_desktop.ui.handoff.import_dialog import ImportEditDialog

from .window_support import title_card_project

RT, TR = otio.opentime.RationalTime, otio.opentime.TimeRange


@pytest.fixture
def cards(local_services) -> int:
    return title_card_project(local_services, (1, 1.5, 2))


def order(sv, pid) -> list[str]:
    return [s.scene_id for s in sv.scenes.list(pid)]


def exported(qtbot, sv, pid, out: Path, fmt: str = "otio") -> ExportTimelineDialog:
    dlg = ExportTimelineDialog(sv, pid)
    qtbot.addWidget(dlg)
    dlg.format.setCurrentIndex(dlg.format.findData(fmt))
    dlg.folder.setText(str(out))
    assert not dlg.show_folder.isVisibleTo(dlg)  # nothing to show yet
    dlg.export_button.click()
    qtbot.waitUntil(lambda: dlg.export_button.isEnabled(), timeout=120_000)
    return dlg


def test_export_dialog_says_where_the_files_went(qtbot, local_services, cards, tmp_path: Path) -> None:
    dlg = exported(qtbot, local_services, cards, tmp_path / "win", "fcp7xml")
    assert dlg.result_value is not None
    timeline = dlg.result_value.timeline
    assert timeline.is_file() and timeline.suffix == ".xml"
    assert f"Timeline: {timeline}" in dlg.message.text()
    assert f"Media: 3 files in {tmp_path / 'win' / 'media'}" in dlg.message.text()
    assert dlg.show_folder.isVisibleTo(dlg)

    again = exported(qtbot, local_services, cards, tmp_path / "win")  # not empty any more
    assert again.result_value is None
    assert again.message.text() == f"{tmp_path / 'win'} already exists and is not an empty folder; choose a new folder"
    assert again.message.property("role") == "error"


def test_import_dialog_applies_the_edit_as_one_undo_step(qtbot, ctx, local_services, cards, tmp_path: Path, settle) -> None:
    sv = local_services
    result = exported(qtbot, sv, cards, tmp_path / "out").result_value
    tl = otio.adapters.read_from_file(str(result.timeline))
    track = tl.video_tracks()[0]
    track.insert(0, track.pop(2))  # S3 S1 S2
    track[0].source_range = TR(RT(0, 30), RT(48, 30))  # S3 trimmed to 1.6 s
    edit = result.folder / "edit.otio"
    otio.adapters.write_to_file(tl, str(edit))
    changed: list = []
    ctx.events.scenesChanged.connect(changed.append)

    dlg = ImportEditDialog(ctx, cards)
    qtbot.addWidget(dlg)
    dlg.file.setText(str(edit))
    dlg.read()
    shown = [dlg.findings.item(i).text() for i in range(dlg.findings.count())]
    assert shown == ["3 clips matched to scenes", "new order: S3 S1 S2", "S3: new span 1.600s"]
    assert order(sv, cards) == ["S1", "S2", "S3"]  # reading changed nothing
    assert dlg.apply_button.isEnabled()
    dlg.apply_button.click()
    settle()
    assert order(sv, cards) == ["S3", "S1", "S2"]
    assert sv.scenes.get(cards, "S3").scene_json["duration"] == 1.6
    assert ctx.stack.count() == 1 and changed == [cards]

    ctx.stack.undo()  # one step takes back the order and the span together
    settle()
    assert order(sv, cards) == ["S1", "S2", "S3"]
    assert sv.scenes.get(cards, "S3").scene_json["duration"] == 2
    ctx.stack.redo()
    settle()
    assert order(sv, cards) == ["S3", "S1", "S2"]
    assert sv.scenes.get(cards, "S3").scene_json["duration"] == 1.6


def test_import_dialog_refuses_another_projects_edit(qtbot, ctx, local_services, cards, tmp_path: Path) -> None:
    sv = local_services
    other = sv.projects.create("다른 Other")
    sv.scenes.split(other, chunks=["하나", "둘", "셋"])
    result = exported(qtbot, sv, cards, tmp_path / "out").result_value
    dlg = ImportEditDialog(ctx, other)
    qtbot.addWidget(dlg)
    dlg.file.setText(str(result.timeline))
    dlg.read()
    assert dlg.message.text() == (
        f"{result.timeline.name} was made for project {cards}, not project {other}; nothing was changed"
    )
    assert not dlg.apply_button.isEnabled() and dlg.findings.count() == 0
    assert order(sv, other) == ["S1", "S2", "S3"] and ctx.stack.count() == 0


def test_file_menu_offers_export_and_import_while_a_project_is_open(qtbot, window, cards) -> None:
    file_menu = window.menuBar().actions()[0].menu()
    texts = [a.text() for a in file_menu.actions()]
    assert "E&xport timeline…" in texts and "&Import edit…" in texts
    assert texts.index("&Save") < texts.index("&Import edit…") < texts.index("Se&ttings…")
    window.sidebar.reload(prefer=cards)
    window.sidebar.select_project(cards)
    qtbot.waitUntil(lambda: window.act_export_timeline.isEnabled())
    assert window.act_import_edit.isEnabled()
