"""Reordering on the timeline: real mouse drags, the drop path, keyboard moves, undo, and
failed writes -- each checked against the database and the rows the service wrote."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, QPoint, QPointF, Qt
from PySide6.QtGui import QDrag, QDragEnterEvent, QDragMoveEvent, QDropEvent, QPalette, QUndoStack
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from storyclip_desktop.ui.imaging import ImageLoader
from storyclip_desktop.ui.timeline import MIME_TYPE, TimelineWidget
from storyclip_desktop.ui.timeline import view as view_module

from .timeline_support import db_order, loaded, make_project

IDS10 = [f"S{i}" for i in range(1, 11)]


@pytest.fixture
def loader(qapp):
    ld = ImageLoader()
    yield ld
    ld.shutdown()


def _timeline(qtbot, sv, pid, loader, width=2100):
    stack = QUndoStack()
    w = TimelineWidget(sv, stack, loader=loader)
    qtbot.addWidget(w)
    w.resize(width, 260)
    w.set_project(pid)
    loaded(w)  # read off the GUI thread
    w.show()
    qtbot.waitExposed(w)
    return w, stack


def _select(w, *scene_ids):
    w.select_scene(scene_ids[0])
    sel = w.view.selectionModel()
    for sid in scene_ids[1:]:
        sel.select(w.model.index_of(sid), sel.SelectionFlag.Select)
    assert w.selected_scene_ids() == sorted(scene_ids, key=w.model.row_of)


def _gap_pos(w, gap) -> QPoint:
    """A point inside the gutter before row `gap` (or after the last card)."""
    v, m = w.view, w.model
    y = v.visualRect(m.index(0)).center().y()
    if gap >= m.rowCount():
        return QPoint(v.visualRect(m.index(m.rowCount() - 1)).right() - 2, y)
    return QPoint(v.visualRect(m.index(gap)).left() + 2, y)


_LEFT, _NONE, _MOVE = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, Qt.DropAction.MoveAction


def _events(pos: QPoint, data):
    """The drag-enter, drag-move and drop events a window system delivers at `pos`."""
    p = QPointF(pos)
    return (  # drag events take a QPoint in PySide6 6.11, the drop a QPointF
        QDragEnterEvent(p.toPoint(), _MOVE, data, _LEFT, _NONE),
        QDragMoveEvent(p.toPoint(), _MOVE, data, _LEFT, _NONE),
        QDropEvent(p, _MOVE, data, _LEFT, _NONE),
    )


def _drop_as_the_view_does(w, gap):
    """Drag-enter, drag-move and drop events on the viewport, carrying exactly the mime
    data the model produces for the selection (what QDrag would deliver)."""
    v = w.view
    data = w.model.mimeData(v.selectedIndexes())
    assert data.hasFormat(MIME_TYPE)
    enter, drag_move, drop = _events(_gap_pos(w, gap), data)
    QApplication.sendEvent(v.viewport(), enter)
    assert enter.isAccepted()
    QApplication.sendEvent(v.viewport(), drag_move)
    assert drag_move.isAccepted() and v.drop_gap == gap
    QApplication.sendEvent(v.viewport(), drop)
    assert v.drop_gap is None  # the indicator is gone after the drop
    return drop


def test_real_mouse_drag_moves_the_last_card_to_the_front(settle, qtbot, local_services, loader, monkeypatch):
    """Mouse press/move on the viewport starts the view's own drag. The offscreen
    platform cannot run QDrag.exec (it returns at once), so exec is scripted to play the
    settle()
    drag-enter/move/drop a window system would deliver -- with the QDrag's own mime."""
    sv = local_services
    pid = make_project(sv, 10)
    w, stack = _timeline(qtbot, sv, pid, loader)
    v, m = w.view, w.model
    played = {}

    class ScriptedDrag(QDrag):
        def exec(self, *args):  # noqa: A003 - QDrag's name
            data = self.mimeData()
            played["mime"] = bytes(data.data(MIME_TYPE).data())
            enter, drag_move, drop = _events(_gap_pos(w, 0), data)
            QApplication.sendEvent(v.viewport(), enter)
            QApplication.sendEvent(v.viewport(), drag_move)
            played["gap"] = v.drop_gap
            played["indicator"] = v.viewport().grab().toImage()
            QApplication.sendEvent(v.viewport(), drop)
            return _MOVE

    monkeypatch.setattr(view_module, "QDrag", ScriptedDrag)
    vp = v.viewport()
    src = v.visualRect(m.index(9)).center()
    QTest.mouseClick(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, src)
    assert w.selected_scene_ids() == ["S10"]
    QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, src)
    for dx in (4, 30, 60, 90):
        QTest.mouseMove(vp, src - QPoint(dx, 0))
    QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, src - QPoint(90, 0))
    settle()

    assert played, "the mouse gesture did not start the view's drag"
    assert b'"scene_ids": ["S10"]' in played["mime"]
    assert played["gap"] == 0
    # The insertion line is painted in the highlight colour at the gap.
    hl = v.palette().color(QPalette.ColorRole.Highlight)
    x = v.gap_x(0)
    img = played["indicator"]
    dpr = img.devicePixelRatio()
    pixel = img.pixelColor(round(x * dpr), round(v.visualRect(m.index(0)).center().y() * dpr))
    assert abs(pixel.red() - hl.red()) < 40 and abs(pixel.blue() - hl.blue()) < 40

    assert db_order(sv, pid) == ["S10"] + IDS10[:9]
    assert m.last_move.written == 10  # every card shifted one place
    assert m.scene_ids() == db_order(sv, pid)
    assert stack.count() == 1


def test_drop_s3_after_s4_writes_two_rows(settle, qtbot, local_services, loader):
    sv = local_services
    pid = make_project(sv, 10)
    w, stack = _timeline(qtbot, sv, pid, loader)
    _select(w, "S3")
    settle()
    moved = []
    w.model.rowsMoved.connect(lambda *a: moved.append(a))
    settle()
    _drop_as_the_view_does(w, 4)  # the gutter between S4 and S5
    settle()
    assert db_order(sv, pid) == ["S1", "S2", "S4", "S3", "S5", "S6", "S7", "S8", "S9", "S10"]
    assert w.model.last_move.written == 2
    assert len(moved) == 1 and w.model.scene_ids() == db_order(sv, pid)
    assert w.selected_scene_ids() == ["S3"]  # the selection travelled with the card
    assert stack.undoText() == "Move S3 after S4"


def test_drop_several_selected_cards(settle, qtbot, local_services, loader):
    sv = local_services
    pid = make_project(sv, 10)
    w, stack = _timeline(qtbot, sv, pid, loader)
    _select(w, "S2", "S5", "S7")
    settle()
    _drop_as_the_view_does(w, 0)
    settle()
    expected = ["S2", "S5", "S7", "S1", "S3", "S4", "S6", "S8", "S9", "S10"]
    assert db_order(sv, pid) == expected
    # Rows whose position changed: S2 S5 S7 S1 S3 S4 S6 (S8..S10 keep theirs).
    assert w.model.last_move.written == 7
    assert w.model.scene_ids() == expected
    assert w.selected_scene_ids() == ["S2", "S5", "S7"]
    stack.undo()
    settle()
    assert db_order(sv, pid) == IDS10 and w.model.scene_ids() == IDS10
    stack.redo()
    settle()
    assert db_order(sv, pid) == expected


def test_drop_at_the_end(settle, qtbot, local_services, loader):
    sv = local_services
    pid = make_project(sv, 10)
    w, _ = _timeline(qtbot, sv, pid, loader)
    _select(w, "S1")
    settle()
    _drop_as_the_view_does(w, 10)
    settle()
    assert db_order(sv, pid) == IDS10[1:] + ["S1"]
    assert w.model.last_move.written == 10


def test_dropping_in_place_writes_nothing(settle, qtbot, local_services, loader):
    sv = local_services
    pid = make_project(sv, 5)
    w, stack = _timeline(qtbot, sv, pid, loader)
    _select(w, "S3")
    settle()
    for gap in (2, 3):  # either side of S3 itself
        _drop_as_the_view_does(w, gap)
        settle()
    assert db_order(sv, pid) == ["S1", "S2", "S3", "S4", "S5"]
    assert stack.count() == 0 and w.model.last_move is None


def test_foreign_or_damaged_mime_is_refused(qtbot, local_services, loader):
    from PySide6.QtCore import QByteArray, QMimeData

    from storyclip_desktop.ui.timeline import mime

    sv = local_services
    pid = make_project(sv, 3)
    w, _ = _timeline(qtbot, sv, pid, loader)
    m = w.model
    other = mime.encode(pid + 1, ["S1"])
    assert not m.canDropMimeData(other, Qt.DropAction.MoveAction, 0, 0, QModelIndex())
    assert not m.dropMimeData(other, Qt.DropAction.MoveAction, 0, 0, QModelIndex())
    broken = QMimeData()
    broken.setData(MIME_TYPE, QByteArray(b"{not json"))
    assert not m.canDropMimeData(broken, Qt.DropAction.MoveAction, 0, 0, QModelIndex())
    unknown = mime.encode(pid, ["S99"])
    assert not m.canDropMimeData(unknown, Qt.DropAction.MoveAction, 0, 0, QModelIndex())
    assert db_order(sv, pid) == ["S1", "S2", "S3"]


def test_keyboard_moves_with_ctrl_arrows(settle, qtbot, local_services, loader):
    sv = local_services
    pid = make_project(sv, 10)
    w, stack = _timeline(qtbot, sv, pid, loader)
    v = w.view
    _select(w, "S5")
    settle()
    v.setFocus()
    QTest.keyClick(v, Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier)
    settle()
    assert db_order(sv, pid)[3:5] == ["S5", "S4"]
    assert w.model.last_move.written == 2
    QTest.keyClick(v, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    settle()
    assert db_order(sv, pid) == IDS10 and w.model.last_move.written == 2
    assert stack.count() == 2

    _select(w, "S2", "S3")
    settle()
    QTest.keyClick(v, Qt.Key.Key_Right, Qt.KeyboardModifier.ControlModifier)
    settle()
    assert db_order(sv, pid)[:5] == ["S1", "S4", "S2", "S3", "S5"]
    assert w.model.last_move.written == 3
    assert w.selected_scene_ids() == ["S2", "S3"]

    _select(w, "S1")
    settle()
    QTest.keyClick(v, Qt.Key.Key_Left, Qt.KeyboardModifier.ControlModifier)  # already first
    assert stack.count() == 3

    stack.undo()
    settle()
    assert db_order(sv, pid) == IDS10 and w.model.scene_ids() == IDS10
    # A plain arrow still just moves the current card.
    QTest.keyClick(v, Qt.Key.Key_Right)
    settle()
    assert db_order(sv, pid) == IDS10


def test_undo_restores_the_previous_order(settle, qtbot, local_services, loader):
    sv = local_services
    pid = make_project(sv, 10)
    w, stack = _timeline(qtbot, sv, pid, loader)
    _select(w, "S10")
    settle()
    _drop_as_the_view_does(w, 0)
    settle()
    _select(w, "S4")
    settle()
    _drop_as_the_view_does(w, 10)
    settle()
    assert stack.count() == 2
    stack.undo()
    settle()
    assert db_order(sv, pid) == ["S10"] + IDS10[:9]
    stack.undo()
    settle()
    assert db_order(sv, pid) == IDS10 and w.model.scene_ids() == IDS10
    assert w.model.last_move.written == 10
    stack.redo()
    settle()
    stack.redo()
    settle()
    assert db_order(sv, pid) == w.model.scene_ids() == ["S10", "S1", "S2", "S3", "S5", "S6", "S7", "S8", "S9", "S4"]


def test_failed_write_keeps_the_cards_and_reports(settle, qtbot, local_services, loader):
    sv = local_services
    pid = make_project(sv, 6)
    w, stack = _timeline(qtbot, sv, pid, loader)
    _select(w, "S6")
    settle()
    sv.projects.delete(pid)  # e.g. deleted from another window meanwhile
    moved, resets = [], []
    w.model.rowsMoved.connect(lambda *a: moved.append(a))
    settle()
    w.model.modelReset.connect(lambda: resets.append(1))
    settle()
    with qtbot.waitSignal(w.errorOccurred, timeout=1000) as blocker:
        _drop_as_the_view_does(w, 0)
        settle()
    assert f"No project with id {pid}" in blocker.args[0]
    assert w.model.scene_ids() == ["S1", "S2", "S3", "S4", "S5", "S6"]
    assert moved == [] and resets == []
    assert stack.count() == 0  # nothing to undo


def test_failed_undo_reports_and_leaves_the_stack_consistent(settle, qtbot, local_services, loader):
    sv = local_services
    pid = make_project(sv, 4)
    w, stack = _timeline(qtbot, sv, pid, loader)
    _select(w, "S4")
    settle()
    _drop_as_the_view_does(w, 0)
    settle()
    sv.scenes.add(pid, "someone added a scene")  # the set changed: exact restore is impossible
    with qtbot.waitSignal(w.errorOccurred, timeout=1000) as blocker:
        stack.undo()
        settle()
    assert "cannot restore" in blocker.args[0]
    assert stack.count() == 0
    assert w.model.scene_ids() == ["S4", "S1", "S2", "S3"]


@pytest.mark.postgres
def test_drop_on_the_shared_store(settle, qtbot, pg_services, loader):
    sv = pg_services
    pid = make_project(sv, 10)
    w, stack = _timeline(qtbot, sv, pid, loader)
    _select(w, "S3")
    settle()
    _drop_as_the_view_does(w, 4)
    settle()
    assert db_order(sv, pid) == ["S1", "S2", "S4", "S3", "S5", "S6", "S7", "S8", "S9", "S10"]
    assert w.model.last_move.written == 2
    stack.undo()
    settle()
    assert db_order(sv, pid) == IDS10
