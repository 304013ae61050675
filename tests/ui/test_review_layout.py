"""The window is shaped around judging vertical pictures: the 9:16 preview is the
largest thing in it, compare keeps both halves large, and the window never resizes
itself when banners, panels or jobs appear."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QApplication

from storyclip_desktop.ui.layout import first_size

from .timeline_support import add_image, make_project, write_png


def _open(window, qtbot, settle, sv, tmp_path, size: tuple[int, int]) -> int:
    pid = make_project(sv, 5)
    add_image(sv, pid, "S1", write_png(tmp_path / "v1.png", (200, 60, 40), (540, 960), "v1"))
    add_image(sv, pid, "S1", write_png(tmp_path / "v2.png", (40, 90, 200), (540, 960), "v2"))
    window.resize(*size)
    window.show()
    window.layout_memory.reset()
    window.sidebar.reload(prefer=pid)
    window.open_project(pid)
    settle()
    window.select_scene("S1")
    window.center.setCurrentIndex(1)
    settle()
    return pid


def _ready(qtbot, *canvases) -> None:
    qtbot.waitUntil(lambda: all(c.state == "ready" for c in canvases), timeout=10_000)


def test_a_portrait_picture_fills_the_window_at_1280x800(window, local_services, qtbot, settle, tmp_path):
    _open(window, qtbot, settle, local_services, tmp_path, (1280, 800))
    window.show_jobs()  # the jobs panel open, and the timeline
    assert window.timeline.isVisible() and window.jobs_popover.isVisible()
    QApplication.processEvents()
    canvas = window.preview.media.canvas
    _ready(qtbot, canvas)
    single = canvas.frame_rect()
    assert single.height() >= 520, single
    assert abs(single.width() / single.height() - 9 / 16) < 0.01
    # The largest thing in the window: the picture's stage is larger than every other
    # panel, and the picture takes nearly all the height above the timeline.
    stage = window.preview.stack
    for other in (window.sidebar, window.inspector, window.timeline):
        assert stage.width() * stage.height() > other.width() * other.height(), other.objectName()
    assert single.height() >= 0.85 * window.top_split.height()

    window.preview.compare_button.click()
    left, right = window.preview.compare.left.media.canvas, window.preview.compare.right.media.canvas
    _ready(qtbot, left, right)
    for half in (left.frame_rect(), right.frame_rect()):
        assert half.height() >= 310 and half.height() >= 0.6 * single.height(), half
    assert left.frame_rect().translated(left.mapTo(window, left.rect().topLeft())).right() \
        < right.mapTo(window, right.rect().topLeft()).x()  # side by side


@pytest.mark.parametrize("size", [(1024, 700), (1440, 900)])
def test_the_window_never_resizes_itself(window, local_services, qtbot, settle, tmp_path, size):
    _open(window, qtbot, settle, local_services, tmp_path, size)
    QApplication.processEvents()
    assert window.size().toTuple() == size

    def unchanged() -> None:
        for _ in range(5):
            QApplication.processEvents()
        assert window.size().toTuple() == size

    window.reporter.notify("Queued 5 images (Local preview). " + "S2 skipped: a reason that is long. " * 8)
    unchanged()
    window.reporter.report("Images for S3 failed: " + "the provider said no. " * 12)
    unchanged()
    window.show_jobs()
    unchanged()
    window.set_running_jobs(12)
    window.status.show_notice("A status message that is far too long to fit " * 6)
    unchanged()
    for action in window.act_show.values():
        action.setChecked(False)
    unchanged()
    for action in window.act_show.values():
        action.setChecked(True)
    unchanged()
    window.preview.compare_button.click()
    unchanged()
    window.center.setCurrentIndex(0)  # the script editor
    unchanged()
    window.jobs_popover.hide()
    window.reporter.clear()
    unchanged()


def test_first_size_comes_from_the_screen():
    assert first_size(QRect(0, 0, 1024, 700)).size().toTuple() == (1024, 700)
    assert first_size(QRect(0, 0, 2560, 1400)).size().toTuple() == (1440, 900)
    small = first_size(QRect(0, 24, 1366, 744))
    assert QRect(0, 24, 1366, 744).contains(small)


def test_generate_never_opens_the_jobs_panel(window, local_services, qtbot, settle, tmp_path):
    _open(window, qtbot, settle, local_services, tmp_path, (1280, 800))
    assert not window.jobs_popover.isVisible()
    window.status.jobsClicked.emit()
    assert window.jobs_popover.isVisible()
    assert window.act_jobs.isChecked()
    window.act_jobs.trigger()
    assert not window.jobs_popover.isVisible()


def test_status_messages_are_never_cut_under_the_chips(window, local_services, qtbot, settle, tmp_path):
    _open(window, qtbot, settle, local_services, tmp_path, (1024, 700))
    st = window.status
    st.set_local_preview({"gemini": ["image"]})
    long = "Queued 5 images (Local preview). S2 skipped: an image needs a confirmed prompt " * 3
    st.show_notice(long)
    shown = st.currentMessage()
    assert shown.endswith(" …") and long.startswith(shown[:-2])  # cut between words
    assert st.fontMetrics().horizontalAdvance(shown) <= st.message_room()
    chip_left = st.local_label.mapTo(st, st.local_label.rect().topLeft()).x()
    assert st.fontMetrics().horizontalAdvance(shown) + 8 < chip_left
    assert st.toolTip() == long


def test_comparing_in_a_narrow_window_gives_the_side_column_to_the_pictures(window, local_services, qtbot,
                                                                            settle, tmp_path):
    _open(window, qtbot, settle, local_services, tmp_path, (1024, 700))
    pane = window.preview
    single = pane.media.canvas
    _ready(qtbot, single)
    pane.compare_button.click()
    left, right = pane.compare.left.media.canvas, pane.compare.right.media.canvas
    _ready(qtbot, left, right)
    assert pane.side.isHidden() and pane.compare_button.isVisible() and pane.use_button.isVisible()
    assert left.frame_rect().height() >= 0.6 * single.frame_rect().height() or left.frame_rect().height() >= 300
    pane.compare_button.click()  # "Done comparing" sits above the pictures now
    assert not pane.side.isHidden() and pane.side.isAncestorOf(pane.compare_button)


def test_the_script_editor_is_usable_at_1024x700(window, local_services, qtbot, settle, tmp_path):
    _open(window, qtbot, settle, local_services, tmp_path, (1024, 700))
    window.center.setCurrentIndex(0)
    QApplication.processEvents()
    editor = window.project_page.script.editor
    fm = editor.fontMetrics()
    # At least ~40 characters a line and ~8 lines: a paragraph can be read and written.
    assert editor.viewport().width() >= 40 * fm.averageCharWidth(), editor.viewport().width()
    assert editor.viewport().height() >= 8 * fm.lineSpacing(), editor.viewport().height()
    page = window.project_page
    assert page.settings_toggle.isVisible()  # the video settings fold under the script
    assert not page.preferences.isVisible()
    page.settings_toggle.click()
    assert page.preferences.isVisible()


@pytest.mark.parametrize("size", [(1024, 700), (1440, 900), (1920, 1080)])
def test_preview_controls_sit_in_its_column_with_their_words_whole(
    window, local_services, qtbot, settle, tmp_path, size
):
    """Play all sits in the preview's header beside the scene's title (not over the
    picture), and no button of the column has its text cut, with or without versions."""
    pid = _open(window, qtbot, settle, local_services, tmp_path, size)
    pane = window.preview
    play = window.export_controls.button
    side = pane.side

    def inside(w, box) -> bool:
        return box.rect().contains(QRect(w.mapTo(box, w.rect().topLeft()), w.size()))

    for scene in ("S1", "S2"):  # two versions, none
        window.select_scene(scene)
        settle()
        QApplication.processEvents()
        assert play.isVisible() and inside(play, side), (scene, play.geometry())
        assert not pane.stack.geometry().intersects(QRect(play.mapTo(pane, play.rect().topLeft()), play.size()))
        for b in (pane.use_button, pane.compare_button, pane.version_menu.button, play):
            if b.isVisible():
                assert b.width() >= b.sizeHint().width(), (scene, b.text(), b.width(), b.sizeHint().width())
                assert inside(b, side), (scene, b.text())
    assert pid
