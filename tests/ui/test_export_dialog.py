"""File > Export video…: placeholders listed, a preview frame from ffmpeg, one-line errors
that start nothing, the job's progress to the end, and the export listed with Play."""

from __future__ import annotations

import asyncio
import threading

import pytest

from storyclip_desktop.ui.export.dialog import ExportVideoDialog

from .window_support import title_card_project

pytestmark = pytest.mark.slow


@pytest.fixture
def cards(local_services) -> int:
    return title_card_project(local_services, (1, 1.5, 1))


def _run_jobs_in_a_thread(sv, job_id: int) -> threading.Thread:
    from tests.jobs.helpers import engine

    async def go():
        eng = engine(sv)
        try:
            await eng.submit([job_id])
            await eng.wait([job_id])
        finally:
            await eng.aclose()

    t = threading.Thread(target=lambda: asyncio.run(go()), daemon=True)
    t.start()
    return t


def _opened(qtbot, services, pid) -> ExportVideoDialog:
    """The dialog once the project is in (it is read off the GUI thread; until then
    nothing can be chosen or exported)."""
    dlg = ExportVideoDialog(services, pid)
    qtbot.addWidget(dlg)
    assert not dlg.export_button.isEnabled() and not dlg.resolution.isEnabled()
    qtbot.waitUntil(dlg.export_button.isEnabled)
    return dlg


def test_dialog_lists_placeholders_and_previews_a_frame(qtbot, local_services, cards):
    dlg = _opened(qtbot, local_services, cards)
    assert dlg.out.text().endswith("카드 Cards.mp4")  # named after the project
    qtbot.waitUntil(lambda: dlg.placeholders.text() != "")  # the plan, read off the GUI thread
    assert dlg.placeholders.text() == "Placeholders (no clip yet): S1 (title card), S2 (title card), S3 (title card)"
    qtbot.waitUntil(lambda: dlg.frame.pixmap() is not None and not dlg.frame.pixmap().isNull(), timeout=30_000)
    assert dlg.frame.pixmap().width() > 100


def test_bad_output_folder_is_one_line_and_starts_nothing(qtbot, local_services, cards, tmp_path):
    dlg = _opened(qtbot, local_services, cards)
    dlg.out.setText(str(tmp_path / "nowhere" / "short.mp4"))
    assert dlg.start()
    qtbot.waitUntil(lambda: dlg.error.text() != "")
    assert dlg.error.text() == f"the folder {tmp_path / 'nowhere'} does not exist"
    assert dlg.job_id is None and dlg.export_button.isEnabled()
    assert local_services.generation.records.list(cards) == []
    dlg.out.setText(str(tmp_path / "short.mp4"))
    dlg.music.setText(str(tmp_path / "missing.mp3"))
    assert dlg.start()
    qtbot.waitUntil(lambda: dlg.error.text() != "")
    assert "music file does not exist" in dlg.error.text() and dlg.job_id is None


def test_export_runs_to_the_end_and_is_listed_with_play(qtbot, local_services, cards, tmp_path):
    dlg = _opened(qtbot, local_services, cards)
    dlg.resolution.setCurrentText("480p")
    out = tmp_path / "카드 short.mp4"
    dlg.out.setText(str(out))
    assert dlg.start()
    assert not dlg.export_button.isEnabled() and not dlg.start()  # no second export while asking
    qtbot.waitUntil(lambda: dlg.job_id is not None)
    job_id = dlg.job_id
    assert dlg.cancel_button.isVisibleTo(dlg)
    worker = _run_jobs_in_a_thread(local_services, job_id)
    qtbot.waitUntil(lambda: dlg.export_button.isEnabled(), timeout=120_000)
    worker.join(30)
    assert dlg.error.text() == "" and dlg.status.text() == f"Exported {out.name}"
    assert out.is_file()
    qtbot.waitUntil(lambda: dlg.exports.tree.topLevelItemCount() == 1)  # the list is re-read off the GUI thread
    opened: list = []
    dlg.exports.opener = opened.append
    dlg.exports.play_button.click()
    dlg.exports.folder_button.click()
    assert [u.toLocalFile() for u in opened] == [str(out), str(tmp_path)]


def test_window_has_export_video_and_play_all(window):
    act = window.act_export_video
    assert act.shortcut().toString() == "Ctrl+E" and act.text() == "Export &video…"
    file_menu = window.menuBar().actions()[0].menu()
    assert act in file_menu.actions()
    assert window.export_controls.button.text() == "Play all"


def test_play_all_plays_the_whole_cut_in_the_preview(qtbot, local_services, cards, window):
    from tests.export import synth

    assert window.open_project(cards)
    said: list[str] = []
    window.export_controls.player.failed.connect(lambda _pid, message: said.append(message))
    window.export_controls.button.click()
    media = window.preview.media
    qtbot.waitUntil(lambda: media.showing_clip() or bool(said), timeout=60_000)
    assert said == []
    proxy = window.export_controls.player.proxy_path(cards)
    assert proxy.is_file()
    assert abs(synth.video_frames(proxy) - local_services.render_plan.total_frames(cards)) <= 1
    assert "480" in [ln for ln in synth.stream_info(proxy).splitlines() if "Video" in ln][0]
