"""TimelineWidget's public API and signals, card painting, and the status colours."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QPalette, QUndoStack

from storyclip_desktop.ui.imaging import ImageLoader
from storyclip_desktop.ui.timeline import TimelineWidget
from storyclip_desktop.ui.timeline.model import THUMB_STATE_ROLE, THUMBNAIL_ROLE
from storyclip_desktop.ui.timeline.status_style import STATUSES, contrast_ratio, status_style

from .timeline_support import add_image, loaded, make_project, write_png


@pytest.fixture
def loader(qapp):
    ld = ImageLoader()
    yield ld
    ld.shutdown()


@pytest.fixture
def widget(qtbot, local_services, loader):
    w = TimelineWidget(local_services, QUndoStack(), loader=loader)
    qtbot.addWidget(w)
    w.resize(1200, 260)
    w.show()
    qtbot.waitExposed(w)
    return w


def test_set_project_selects_the_first_scene(settle, qtbot, widget, local_services):
    pid = make_project(local_services, 5)
    with qtbot.waitSignal(widget.sceneActivated) as activated:
        widget.set_project(pid)
        loaded(widget)  # read off the GUI thread
        settle()
    assert activated.args == ["S1"]
    assert widget.selected_scene_ids() == ["S1"]
    assert widget.count_label.text() == "5 scenes"
    widget.set_project(None)
    loaded(widget)  # read off the GUI thread
    settle()
    assert widget.model.rowCount() == 0 and widget.count_label.text() == "0 scenes"


def test_select_scene_and_selection_signal(settle, qtbot, widget, local_services):
    pid = make_project(local_services, 5)
    widget.set_project(pid)
    loaded(widget)  # read off the GUI thread
    settle()
    with qtbot.waitSignals([widget.sceneActivated, widget.selectionChanged]):
        widget.select_scene("S4")
    assert widget.selected_scene_ids() == ["S4"]
    assert widget.view.currentIndex().row() == 3
    seen = []
    widget.selectionChanged.connect(seen.append)
    settle()
    sel = widget.view.selectionModel()
    sel.select(widget.model.index_of("S2"), sel.SelectionFlag.Select)
    settle()
    assert seen[-1] == ["S2", "S4"]  # timeline order, not click order


def test_reload_keeps_the_selection(settle, widget, local_services):
    sv = local_services
    pid = make_project(sv, 5)
    widget.set_project(pid)
    loaded(widget)  # read off the GUI thread
    settle()
    widget.select_scene("S3")
    sv.scenes.add(pid, "끝에 추가한 장면")
    widget.reload()
    settle()
    assert widget.model.rowCount() == 6 and widget.selected_scene_ids() == ["S3"]
    assert widget.count_label.text() == "6 scenes"
    sv.scenes.delete(pid, "S3")
    widget.reload()
    settle()
    assert widget.selected_scene_ids() == ["S1"]


def test_refresh_scene_shows_the_new_status(settle, widget, local_services, tmp_path):
    sv = local_services
    pid = make_project(sv, 3)
    widget.set_project(pid)
    loaded(widget)  # read off the GUI thread
    settle()
    add_image(sv, pid, "S2", write_png(tmp_path / "p.png", (30, 90, 200)))
    settle()
    widget.refresh_scene("S2")
    settle()
    assert widget.model.scene(1).status == "image" and widget.model.scene(1).image_version == 1


def test_cards_paint_thumbnail_badge_and_busy(settle, qtbot, widget, local_services, loader, tmp_path):
    sv = local_services
    pid = make_project(sv, 4)
    add_image(sv, pid, "S1", write_png(tmp_path / "red.png", (220, 20, 20), (1280, 720)))
    settle()
    widget.set_project(pid)
    loaded(widget)  # read off the GUI thread
    settle()
    widget.set_busy("S2", True)
    settle()
    assert widget.view._spin.isActive()
    m = widget.model
    m.data(m.index(0), THUMBNAIL_ROLE)  # ask for the thumbnail, as painting does
    settle()
    qtbot.waitUntil(lambda: m.data(m.index(0), THUMB_STATE_ROLE) == "ready", timeout=5000)
    img = widget.view.viewport().grab().toImage()
    dpr = img.devicePixelRatio()
    r = widget.view.visualRect(m.index(0))
    # Middle of the picture area of card 1 (its portrait frame on the left) is the red image.
    from storyclip_desktop.ui.timeline.delegate import card_rect, thumb_rect

    centre = thumb_rect(card_rect(QRectF(r))).center()
    c = img.pixelColor(round(centre.x() * dpr), round(centre.y() * dpr))
    assert c.red() > 180 and c.green() < 80
    widget.set_busy("S2", False)
    settle()
    assert not widget.view._spin.isActive()


def test_move_selection_api(settle, widget, local_services):
    sv = local_services
    pid = make_project(sv, 5)
    widget.set_project(pid)
    loaded(widget)  # read off the GUI thread
    settle()
    widget.select_scene("S1")
    assert widget.move_selection(2)
    settle()
    assert [s.scene_id for s in sv.scenes.list(pid)] == ["S2", "S3", "S1", "S4", "S5"]
    assert widget.model.last_move.written == 3
    assert not widget.move_selection(0)


@pytest.mark.parametrize("status", STATUSES)
def test_badges_read_on_light_and_dark(status):
    style = status_style(status)
    assert contrast_ratio(style.fill, style.text) >= 4.5  # text on the badge (WCAG AA)
    # The badge stands out from both a light and a dark card.
    assert contrast_ratio(style.fill, QColor("#ffffff")) >= 3.0
    assert contrast_ratio(style.fill, QColor("#1f2227")) >= 1.5
    assert style.label


def test_dark_palette_paints(settle, qtbot, local_services, loader):
    pal = QPalette()
    for role, color in (
        (QPalette.ColorRole.Window, "#1e2024"),
        (QPalette.ColorRole.Base, "#17191c"),
        (QPalette.ColorRole.Text, "#e8e8e8"),
        (QPalette.ColorRole.Highlight, "#3b82f6"),
    ):
        pal.setColor(role, QColor(color))
        settle()
    w = TimelineWidget(local_services, QUndoStack(), loader=loader)
    qtbot.addWidget(w)
    w.setPalette(pal)
    settle()
    w.resize(800, 260)
    w.set_project(make_project(local_services, 3))
    loaded(w)  # read off the GUI thread
    settle()
    w.show()
    img = w.view.grab().toImage()
    dpr = img.devicePixelRatio()
    # The track in the gutter left of the first card is darker than the dark window.
    track = img.pixelColor(round(2 * dpr), round(3 * dpr))
    assert track.lightness() < QColor("#1e2024").lightness()


def test_heavy_painting_keeps_none_alive(settle, widget, local_services):
    """Thousands of repaints must not leak or drop references to None: PySide6 6.12.0
    on Python 3.11 drops one per void call (PYSIDE-3474) and aborts the interpreter,
    which is why pyproject.toml pins 6.11.x."""
    widget.set_project(make_project(local_services, 12))
    loaded(widget)  # read off the GUI thread
    settle()
    before = sys.getrefcount(None)
    for _ in range(1500):
        widget.view.viewport().repaint()
        settle()
    assert sys.getrefcount(None) >= before - 50
