"""PreviewPane: the version strip, "Use this version", compare, letterboxing, missing
files -- against real PNG files registered through the asset service."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from storyclip_desktop.ui.imaging import ImageLoader
from storyclip_desktop.ui.preview import PreviewPane, VersionListModel
from storyclip_desktop.ui.preview.versions import (
    CURRENT_ROLE,
    DATE_ROLE,
    MODEL_ROLE,
    PROVIDER_ROLE,
    TYPE_ROLE,
)

from .timeline_support import add_image, make_project, write_png


@pytest.fixture
def loader(qapp):
    ld = ImageLoader()
    yield ld
    ld.shutdown()


@pytest.fixture
def scene_with_two_images(local_services, tmp_path):
    sv = local_services
    pid = make_project(sv, 3)
    add_image(sv, pid, "S1", write_png(tmp_path / "v1.png", (30, 160, 60), (720, 1280)), model="local-preview")
    sv.assets.add_scene_version(
        pid, "S1", "image", str(write_png(tmp_path / "v2.png", (40, 90, 220), (720, 1280))),
        {"provider": "gemini", "model": "imagen-x", "created_at": "2025-03-01T09:30:00Z"},
    )
    return sv, pid


def _pane(qtbot, sv, loader) -> PreviewPane:
    pane = PreviewPane(sv, loader=loader)
    qtbot.addWidget(pane)
    pane.resize(900, 900)
    pane.show()
    qtbot.waitExposed(pane)
    return pane


def _data(model, row, role):
    return model.data(model.index(row), role)


def test_version_strip_lists_versions_with_provider_and_model(qtbot, qtmodeltester, scene_with_two_images, loader):
    sv, pid = scene_with_two_images
    pane = _pane(qtbot, sv, loader)
    pane.show_scene(pid, "S1")
    qtbot.waitUntil(pane.ctx.ops.idle)  # read off the GUI thread
    m = pane.strip.versions
    qtmodeltester.check(m)
    assert m.rowCount() == 2
    assert [_data(m, r, Qt.ItemDataRole.DisplayRole) for r in range(2)] == ["v1", "v2"]
    assert [_data(m, r, TYPE_ROLE) for r in range(2)] == ["image", "image"]
    assert [_data(m, r, PROVIDER_ROLE) for r in range(2)] == ["local", "gemini"]
    assert [_data(m, r, MODEL_ROLE) for r in range(2)] == ["local-preview", "imagen-x"]
    assert _data(m, 1, DATE_ROLE) == "2025-03-01 09:30"  # the provider's created_at
    assert len(_data(m, 0, DATE_ROLE)) == 16  # the row's own timestamp otherwise
    assert [_data(m, r, CURRENT_ROLE) for r in range(2)] == [False, True]
    # The newest image is shown large and is the one in use.
    assert (pane.previewed.type, pane.previewed.version) == ("image", 2)
    assert not pane.use_button.isEnabled() and pane.use_button.text() == "In use"
    qtbot.waitUntil(lambda: pane.media.canvas.state == "ready", timeout=5000)


def test_clicking_a_version_previews_it(qtbot, scene_with_two_images, loader):
    sv, pid = scene_with_two_images
    pane = _pane(qtbot, sv, loader)
    pane.show_scene(pid, "S1")
    qtbot.waitUntil(pane.ctx.ops.idle)  # read off the GUI thread
    strip = pane.strip
    QTest.mouseClick(strip.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     strip.visualRect(strip.versions.index(0)).center())
    assert pane.previewed.version == 1
    assert pane.use_button.isEnabled() and pane.use_button.text() == "Use this version"
    assert "preview only" in pane.subtitle.text()
    qtbot.waitUntil(lambda: pane.media.canvas.state == "ready", timeout=5000)
    img = pane.media.canvas.image()
    c = img.pixelColor(img.width() // 2, img.height() // 3)
    assert c.green() > 120 and c.blue() < 100  # v1 is the green one
    assert sv.scenes.get(pid, "S1").image_version == 2  # previewing changes nothing


def test_use_this_version_after_confirmation_goes_back_to_review(qtbot, scene_with_two_images, loader):
    sv, pid = scene_with_two_images
    sv.reviews.confirm(pid, "S1")
    assert sv.scenes.get(pid, "S1").status == "image_confirmed"
    pane = _pane(qtbot, sv, loader)
    pane.show_scene(pid, "S1")
    qtbot.waitUntil(pane.ctx.ops.idle)  # read off the GUI thread
    pane.preview(pane.versions[0])
    with qtbot.waitSignal(pane.versionChosen) as chosen:
        pane.use_button.click()
    assert chosen.args == ["S1"]
    scene = sv.scenes.get(pid, "S1")
    assert scene.image_version == 1 and scene.status == "image"  # as the state machine says
    assert pane.badge.text() == "IMAGE"
    m = pane.strip.versions
    assert [_data(m, r, CURRENT_ROLE) for r in range(2)] == [True, False]
    assert not pane.use_button.isEnabled()


def test_choosing_a_version_is_one_undo_step(qtbot, scene_with_two_images, loader):
    sv, pid = scene_with_two_images
    pane = _pane(qtbot, sv, loader)
    pane.show_scene(pid, "S1")
    qtbot.waitUntil(pane.ctx.ops.idle)  # read off the GUI thread
    pane.preview(pane.versions[0])
    with qtbot.waitSignal(pane.versionChosen):
        pane.use_button.click()
        assert not pane.use_button.isEnabled()  # no second click while the store answers
    stack = pane.ctx.stack
    assert (stack.count(), stack.undoText()) == (1, "Use image v1 for S1")
    stack.undo()
    qtbot.waitUntil(lambda: sv.scenes.get(pid, "S1").image_version == 2, timeout=5000)
    qtbot.waitUntil(lambda: pane.scene.image_version == 2, timeout=5000)
    assert "v2" in pane.info.text()
    stack.redo()
    qtbot.waitUntil(lambda: sv.scenes.get(pid, "S1").image_version == 1, timeout=5000)


def test_compare_shows_two_versions_side_by_side(qtbot, scene_with_two_images, loader):
    sv, pid = scene_with_two_images
    pane = _pane(qtbot, sv, loader)
    pane.show_scene(pid, "S1")
    qtbot.waitUntil(pane.ctx.ops.idle)  # read off the GUI thread
    pane.preview(pane.versions[0])
    pane.compare_button.click()
    assert pane.stack.currentWidget() is pane.compare
    left, right = pane.compare.versions_shown()
    assert (left.version, right.version) == (1, 2)  # read as the version strip: v1 | v2
    assert pane.compare.left.picker.count() == 2 and "in use" in pane.compare.right.picker.currentText()
    assert pane.previewed.version == 1  # opening compare keeps the candidate
    canvases = (pane.compare.left.media.canvas, pane.compare.right.media.canvas)
    qtbot.waitUntil(lambda: all(c.state == "ready" for c in canvases), timeout=5000)
    # Pick a version in a pane: it becomes the one "Use this version" applies to.
    pane.compare.left.picker.setCurrentIndex(1)
    assert pane.compare.versions_shown()[0].version == 2 and pane.previewed.version == 2
    pane.compare.left.picker.setCurrentIndex(0)
    with qtbot.waitSignal(pane.versionChosen):
        pane.use_button.click()
    assert sv.scenes.get(pid, "S1").image_version == 1
    assert "in use" in pane.compare.left.picker.currentText()
    pane.compare_button.click()
    assert pane.stack.currentWidget() is pane.media


def test_compare_needs_two_versions(qtbot, local_services, loader, tmp_path):
    sv = local_services
    pid = make_project(sv, 1)
    add_image(sv, pid, "S1", write_png(tmp_path / "only.png", (1, 2, 3)))
    pane = _pane(qtbot, sv, loader)
    pane.show_scene(pid, "S1")
    qtbot.waitUntil(pane.ctx.ops.idle)  # read off the GUI thread
    assert not pane.compare_button.isEnabled()
    pane.set_comparing(True)
    assert pane.stack.currentWidget() is pane.media


def test_letterboxed_at_the_project_ratio(qtbot, scene_with_two_images, loader):
    sv, pid = scene_with_two_images
    pane = _pane(qtbot, sv, loader)
    pane.show_scene(pid, "S1")
    qtbot.waitUntil(pane.ctx.ops.idle)  # read off the GUI thread
    frame = pane.media.canvas.frame_rect()
    assert frame.width() / frame.height() == pytest.approx(9 / 16, rel=0.01)  # the default
    sv.preferences.update(pid, ratio="16:9")
    pane.show_project(pid)
    qtbot.waitUntil(pane.ctx.ops.idle)  # read off the GUI thread
    frame = pane.media.canvas.frame_rect()
    assert frame.width() / frame.height() == pytest.approx(16 / 9, rel=0.01)
    qtbot.waitUntil(lambda: pane.media.canvas.state == "ready", timeout=5000)


def test_missing_file_says_so(qtbot, local_services, loader, tmp_path):
    sv = local_services
    pid = make_project(sv, 1)
    add_image(sv, pid, "S1", tmp_path / "deleted.png")
    pane = _pane(qtbot, sv, loader)
    pane.show_scene(pid, "S1")
    qtbot.waitUntil(pane.ctx.ops.idle)  # read off the GUI thread
    qtbot.waitUntil(lambda: pane.media.canvas.state == "missing", timeout=5000)
    pane.media.canvas.grab()  # paints the "missing file" text without raising


def test_scene_without_versions_and_no_scene(qtbot, local_services, loader):
    sv = local_services
    pid = make_project(sv, 2)
    pane = _pane(qtbot, sv, loader)
    pane.show_scene(pid, "S2")
    qtbot.waitUntil(pane.ctx.ops.idle)  # read off the GUI thread
    assert pane.previewed is None and pane.strip.versions.rowCount() == 0
    assert pane.media.canvas.state == "empty" and "No image yet" in pane.media.canvas.message
    assert not pane.use_button.isEnabled() and not pane.compare_button.isEnabled()
    pane.show_scene(pid, None)
    qtbot.waitUntil(pane.ctx.ops.idle)  # read off the GUI thread
    assert pane.title.text() == "Preview"


def test_errors_are_reported_not_raised(qtbot, local_services, loader):
    sv = local_services
    pid = make_project(sv, 1)
    pane = _pane(qtbot, sv, loader)
    with qtbot.waitSignal(pane.errorOccurred) as err:
        pane.show_scene(pid, "S42")
        qtbot.waitUntil(pane.ctx.ops.idle)  # read off the GUI thread
    assert "no scene S42" in err.args[0]


def test_version_model_orders_images_before_clips(qtmodeltester):
    from datetime import datetime

    from storyclip_desktop.services.views import AssetVersion

    def av(t, v):
        return AssetVersion(v, "1-S1", t, v, f"/x/{t}{v}.png", {"provider": "p", "model": "m"}, datetime(2025, 1, 1))

    m = VersionListModel()
    m.set_versions([av("clip", 1), av("image", 2), av("image", 1), av("narration", 1)], {"image": 1, "clip": 1})
    qtmodeltester.check(m)
    assert [(m.version(r).type, m.version(r).version) for r in range(m.rowCount())] == [
        ("image", 1), ("image", 2), ("clip", 1),
    ]
    assert m.row_of("clip", 1) == 2 and m.row_of("clip", 9) == -1
