"""SceneListModel: Qt model contract, moves as beginMoveRows, busy flag, thumbnails."""

from __future__ import annotations

import random
import threading

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QUndoStack

from storyclip_desktop.services.views import MoveResult
from storyclip_desktop.ui.imaging import ImageLoader
from storyclip_desktop.ui.imaging import loader as loader_module
from storyclip_desktop.ui.timeline import SceneListModel
from storyclip_desktop.ui.timeline.model import (
    BUSY_ROLE,
    NARRATION_ROLE,
    POSITION_ROLE,
    STATUS_ROLE,
    THUMB_STATE_ROLE,
    THUMBNAIL_ROLE,
    first_words,
)

from .timeline_support import add_image, db_order, loaded, make_project, write_png


@pytest.fixture
def loader(qapp):
    ld = ImageLoader(max_bytes=16 * 1024 * 1024)
    yield ld
    ld.shutdown()


def _model(sv, pid, loader, stack=None) -> SceneListModel:
    m = SceneListModel(sv, stack, loader)
    m.set_project(pid)
    loaded(m)  # read off the GUI thread
    return m


def test_modeltester_after_load_and_moves(settle, qtmodeltester, local_services, loader):
    sv = local_services
    pid = make_project(sv, 10)
    m = _model(sv, pid, loader, QUndoStack())
    qtmodeltester.check(m)
    settle()
    assert m.rowCount() == 10 and m.scene_ids()[0] == "S1"
    assert m.move_to_gap(["S10"], 0)
    qtmodeltester.check(m)
    settle()
    assert m.move_to_gap(["S2", "S5", "S7"], 10)
    qtmodeltester.check(m)
    settle()
    assert m.scene_ids() == db_order(sv, pid)
    m.set_project(None)
    loaded(m)  # read off the GUI thread
    settle()
    qtmodeltester.check(m)
    settle()
    assert m.rowCount() == 0


def test_moves_use_begin_move_rows_never_reset(settle, qtbot, local_services, loader):
    sv = local_services
    pid = make_project(sv, 10)
    m = _model(sv, pid, loader, QUndoStack())
    moved, resets = [], []
    m.rowsMoved.connect(lambda *a: moved.append(a))
    settle()
    m.modelReset.connect(lambda: resets.append(1))
    settle()
    with qtbot.waitSignal(m.moved, timeout=1000):
        assert m.move_to_gap(["S10"], 0)
    assert resets == [] and len(moved) == 1
    _parent, start, end, _dest_parent, dest = moved[0]
    assert (start, end, dest) == (9, 9, 0)
    assert m.data(m.index(0), POSITION_ROLE) == 1 and m.scene(0).scene_id == "S10"
    assert m.scene(0).order == 1 and m.scene(1).order == 2  # views carry their new order


def test_apply_move_reaches_any_permutation(settle, qtmodeltester, local_services, loader):
    """The block-move plan turns the model into whatever order the service returns."""
    sv = local_services
    pid = make_project(sv, 30)
    m = _model(sv, pid, loader)
    rng = random.Random(7)
    resets = []
    m.modelReset.connect(lambda: resets.append(1))
    settle()
    for _ in range(40):
        target = m.pks()
        rng.shuffle(target)
        settle()
        m.apply_move(MoveResult(order=target, written=0, positions={}))
        settle()
        assert m.pks() == target
        assert [m.row_of(m.scene(r).scene_id) for r in range(30)] == list(range(30))
    assert resets == []
    qtmodeltester.check(m)
    settle()


def test_apply_move_with_a_different_scene_set_reloads(settle, local_services, loader):
    sv = local_services
    pid = make_project(sv, 4)
    m = _model(sv, pid, loader)
    sv.scenes.add(pid, "새 장면")
    resets = []
    m.modelReset.connect(lambda: resets.append(1))
    settle()
    m.apply_move(sv.ordering.move_after(pid, ["S5"], None))
    settle()
    assert resets == [1] and m.scene_ids() == ["S5", "S1", "S2", "S3", "S4"]


def test_roles_and_first_words(local_services, loader):
    sv = local_services
    pid = make_project(sv, 3)
    m = _model(sv, pid, loader)
    idx = m.index(0)
    assert m.data(idx, Qt.ItemDataRole.DisplayRole) == "S1"
    assert m.data(idx, STATUS_ROLE) == "init"
    assert m.data(idx, NARRATION_ROLE).startswith("서울의 가을은 짧지만")
    assert m.data(idx, NARRATION_ROLE).endswith("…")
    assert m.data(idx, THUMB_STATE_ROLE) == "none" and m.data(idx, THUMBNAIL_ROLE) is None
    assert first_words("one two three", words=2) == "one two…"
    assert first_words("짧은 문장") == "짧은 문장"
    assert m.flags(QModelIndex()) & Qt.ItemFlag.ItemIsDropEnabled
    assert m.flags(idx) & Qt.ItemFlag.ItemIsDragEnabled


def test_busy_flag(settle, qtbot, local_services, loader):
    sv = local_services
    pid = make_project(sv, 3)
    m = _model(sv, pid, loader)
    with qtbot.waitSignal(m.dataChanged) as blocker:
        m.set_busy("S2", True)
        settle()
    assert blocker.args[0].row() == 1 and BUSY_ROLE in blocker.args[2]
    assert m.data(m.index(1), BUSY_ROLE) is True and m.busy_rows() == [1]
    m.set_busy("S2", False)
    settle()
    assert m.data(m.index(1), BUSY_ROLE) is False and m.busy_rows() == []


def test_thumbnail_decodes_off_the_gui_thread(settle, qtbot, local_services, loader, tmp_path, monkeypatch):
    sv = local_services
    pid = make_project(sv, 3)
    add_image(sv, pid, "S2", write_png(tmp_path / "s2.png", (200, 40, 40), (1280, 720)))
    settle()
    threads = []
    real = loader_module.decode

    def spy(key, use_disk=False):
        threads.append(threading.current_thread())
        return real(key, use_disk)

    monkeypatch.setattr(loader_module, "decode", spy)
    m = _model(sv, pid, loader)
    idx = m.index(1)
    assert m.data(idx, THUMB_STATE_ROLE) == "loading"  # looked up on the next event-loop turn
    qtbot.waitUntil(lambda: m.data(idx, THUMB_STATE_ROLE) == "ready", timeout=5000)
    image = m.data(idx, THUMBNAIL_ROLE)
    assert (image.width(), image.height()) == (m.thumbnail_size().width(), m.thumbnail_size().height())
    assert threads and all(t is not threading.main_thread() for t in threads)
    # Cached now: a second look does not decode again.
    count = len(threads)
    assert m.data(idx, THUMBNAIL_ROLE) is not None and len(threads) == count


def test_missing_file_shows_as_missing(settle, qtbot, local_services, loader, tmp_path):
    sv = local_services
    pid = make_project(sv, 2)
    add_image(sv, pid, "S1", tmp_path / "gone.png")
    settle()
    m = _model(sv, pid, loader)
    idx = m.index(0)
    m.data(idx, THUMBNAIL_ROLE)
    settle()
    qtbot.waitUntil(lambda: m.data(idx, THUMB_STATE_ROLE) == "missing", timeout=5000)
    assert m.data(idx, THUMBNAIL_ROLE) is None


def test_refresh_scene_picks_up_a_new_image(settle, qtbot, local_services, loader, tmp_path):
    sv = local_services
    pid = make_project(sv, 2)
    m = _model(sv, pid, loader)
    idx = m.index(0)
    assert m.data(idx, THUMB_STATE_ROLE) == "none"
    add_image(sv, pid, "S1", write_png(tmp_path / "a.png", (10, 120, 200)))
    settle()
    with qtbot.waitSignal(m.dataChanged):
        m.refresh_scene("S1")
        settle()
    assert m.data(idx, STATUS_ROLE) == "image"
    m.data(idx, THUMBNAIL_ROLE)
    settle()
    qtbot.waitUntil(lambda: m.data(idx, THUMB_STATE_ROLE) == "ready", timeout=5000)


def test_image_cache_is_bounded_by_bytes(settle, qapp):
    from PySide6.QtGui import QImage

    from storyclip_desktop.ui.imaging import ImageCache

    cache = ImageCache(max_bytes=3 * 100 * 100 * 4)
    for i in range(5):
        img = QImage(100, 100, QImage.Format.Format_ARGB32_Premultiplied)
        cache.put(("p", i), img)
        settle()
    assert len(cache) == 3 and cache.total_bytes <= cache.max_bytes
    assert cache.get(("p", 0)) is None and cache.get(("p", 4)) is not None
