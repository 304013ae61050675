"""The review flow in the window: keys where an editor expects them, a delete that
asks and comes back as the same scene, rejected scenes that look rejected, and
generation that leaves hand-written prompts alone."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest

from storyclip_desktop.ui import generate_controls
from storyclip_desktop.ui.actions import ActionId
from storyclip_desktop.ui.main_window import shortcut_rows
from storyclip_desktop.ui.preview import multimedia
from storyclip_desktop.ui.timeline.model import REJECTION_ROLE

from .test_generation_ui import WAIT, loop, session  # noqa: F401 - fixtures
from .timeline_support import add_image, make_mp4, make_project, write_png


def _open(window, settle, pid: int, scene: str = "S1") -> None:
    window.resize(1280, 800)
    window.show()
    window.sidebar.reload(prefer=pid)
    window.open_project(pid)
    settle()
    window.select_scene(scene)
    settle()


@pytest.mark.skipif(not multimedia.AVAILABLE, reason="Qt Multimedia is not available")
def test_space_from_a_focused_timeline_card_plays(window, local_services, qtbot, settle, tmp_path):
    sv = local_services
    pid = make_project(sv, 2)
    add_image(sv, pid, "S1", write_png(tmp_path / "still.png", (200, 120, 20), (720, 1280)))
    sv.reviews.confirm(pid, "S1")
    sv.assets.add_scene_version(pid, "S1", "clip", str(make_mp4(tmp_path / "c.mp4")), {"provider": "local"})
    _open(window, settle, pid)
    window.center.setCurrentIndex(1)
    qtbot.waitUntil(window.preview.media.showing_clip, timeout=WAIT)
    player = window.preview.media.player.player
    playing = multimedia.QMediaPlayer.PlaybackState.PlayingState
    qtbot.waitUntil(lambda: player.playbackState() == playing, timeout=WAIT)  # clips autoplay for review
    window.activateWindow()
    view = window.timeline.view
    view.setFocus()
    qtbot.waitUntil(view.hasFocus, timeout=5000)
    QTest.keyClick(view, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: player.playbackState() != playing, timeout=5000)
    QTest.keyClick(view, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: player.playbackState() == playing, timeout=5000)
    # In a text field Space is a space, and J is a letter.
    edit = window.inspector.fields.edits["narration"]
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus, timeout=5000)
    QTest.keyClicks(edit, " J")
    assert player.playbackState() == playing and window.current_scene_id() == "S1"
    assert edit.toPlainText().startswith(" J")


def test_every_generate_action_has_a_key_and_the_list_is_complete(window):
    rows = dict(shortcut_rows(window))
    for aid in ActionId:
        if aid.value.startswith("generate_"):
            assert window.actions[aid].shortcuts(), aid
    keys = [k.toString() for a in window.actions.values() for k in a.shortcuts()]
    scoped = {"Del"}  # the project list's and the timeline's each have their own
    assert len([k for k in keys if k not in scoped]) == len({k for k in keys if k not in scoped})
    assert rows["Scene › Play / pause"] == QKeySequence("Space").toString(QKeySequence.SequenceFormat.NativeText)
    assert any(label.startswith("Generate › Images") and "Alt" in keys_ for label, keys_ in rows.items())
    # Every action with a key is in the list.
    listed = set(rows.values())
    for a in window.actions.values():
        if a.shortcuts() and a.text():
            assert " / ".join(k.toString(QKeySequence.SequenceFormat.NativeText) for k in a.shortcuts()) in listed, a.text()


def test_delete_asks_and_undo_brings_back_the_same_scene(window, local_services, answer, settle, tmp_path):
    sv = local_services
    pid = make_project(sv, 3)
    add_image(sv, pid, "S2", write_png(tmp_path / "s2.png", (20, 120, 200), (540, 960)))
    sv.reviews.reject(pid, "S2", "하늘을 더 파랗게 / bluer sky")
    before = sv.scenes.get(pid, "S2")
    history = sv.reviews.history(pid, "S2")
    _open(window, settle, pid, "S2")

    asked = answer.confirm(False)
    assert not window.delete_scenes()
    assert asked == ["Delete scene S2?"] and [s.scene_id for s in sv.scenes.list(pid)] == ["S1", "S2", "S3"]

    answer.confirm(True)
    assert window.delete_scenes()
    settle()
    assert [s.scene_id for s in sv.scenes.list(pid)] == ["S1", "S3"]
    window.undo_stack.undo()
    settle()
    back = sv.scenes.get(pid, "S2")
    assert (back.id, back.status, back.image_version) == (before.id, before.status, 1)
    assert [(r.action, r.comment) for r in sv.reviews.history(pid, "S2")] == [(r.action, r.comment) for r in history]
    assert [s.scene_id for s in sv.scenes.list(pid)] == ["S1", "S2", "S3"]
    assert window.timeline.model.scene_ids() == ["S1", "S2", "S3"]


def test_a_rejected_scene_looks_rejected_with_its_comment(window, local_services, settle):
    sv = local_services
    pid = make_project(sv, 2)
    sv.scenes.edit(pid, "S1", {"image_prompt": "a harbour"})
    sv.reviews.reject(pid, "S1", "배를 더 크게 / a bigger boat")
    _open(window, settle, pid)
    m = window.timeline.model
    assert m.data(m.index_of("S1"), REJECTION_ROLE) == "배를 더 크게 / a bigger boat"
    assert m.data(m.index_of("S2"), REJECTION_ROLE) is None
    ins = window.inspector
    assert ins.badge.text() == "Rejected"
    assert not ins.rejection.isHidden() and "a bigger boat" in ins.rejection.text()
    window.center.setCurrentIndex(1)
    settle()
    assert window.preview.badge.text() == "REJECTED"
    assert "a bigger boat" in window.preview.rejection.text() and not window.preview.rejection.isHidden()


def test_batch_prompts_keep_an_edited_prompt_and_a_replacement_is_undoable(session, local_services, qtbot,  # noqa: F811
                                                                           monkeypatch, settle):
    sv = local_services
    pid = sv.projects.create("손글씨")
    sv.scenes.split(pid, chunks=["첫 장면. One.", "둘째 장면. Two.", "셋째 장면. Three."])
    mine = "내가 쓴 프롬프트 / my own prompt"
    sv.scenes.edit(pid, "S2", {"image_prompt": mine})
    s = session()
    w = s.window
    s.open(pid)
    settle()

    asked: list[list[str]] = []
    monkeypatch.setattr(generate_controls, "ask_replace_edited", lambda parent, ids: asked.append(ids) or False)
    w.act_generate_all["prompts"].trigger()
    qtbot.waitUntil(w.ctx.ops.idle)  # the jobs are queued off the GUI thread
    assert asked == [["S2"]]
    qtbot.waitUntil(lambda: s.settled(pid, 2), timeout=WAIT)
    scenes = {x.scene_id: x for x in sv.scenes.list(pid)}
    assert scenes["S2"].scene_json["image_prompt"] == mine  # left alone
    assert scenes["S1"].scene_json.get("image_prompt")  # the others were written
    assert "S2 skipped: its prompt was written by hand" in w.banner.label.text()

    # Asked to replace it: it is replaced, and brought back with one click, undoably.
    monkeypatch.setattr(generate_controls, "ask_replace_edited", lambda parent, ids: True)
    w.select_scene("S2")
    settle()
    w.act_generate["prompts"].trigger()
    qtbot.waitUntil(w.ctx.ops.idle)  # the jobs are queued off the GUI thread
    qtbot.waitUntil(lambda: s.settled(pid, 3), timeout=WAIT)
    qtbot.waitUntil(lambda: sv.scenes.get(pid, "S2").scene_json["image_prompt"] != mine, timeout=WAIT)
    settle()
    ins = w.inspector
    qtbot.waitUntil(lambda: not ins.bring_back_button.isHidden(), timeout=WAIT)
    generated = sv.scenes.get(pid, "S2").scene_json["image_prompt"]
    assert ins.bring_back()
    settle()
    assert sv.scenes.get(pid, "S2").scene_json["image_prompt"] == mine
    assert sv.scenes.get(pid, "S2").edited_fields == ("image_prompt",)
    w.undo_stack.undo()
    settle()
    assert sv.scenes.get(pid, "S2").scene_json["image_prompt"] == generated
    w.undo_stack.redo()
    settle()
    assert sv.scenes.get(pid, "S2").scene_json["image_prompt"] == mine


def _cli(url: str, *args: str) -> str:
    import os
    import subprocess
    import sys

    env = {**os.environ, "STORYCLIP_DATABASE_URL": url, "STORYCLIP_NODE": "9"}
    out = subprocess.run([sys.executable, "-m", "storyclip_desktop", *args], env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_changes_from_another_process_appear_in_the_open_window(window, local_services, sqlite_url, qtbot,
                                                                settle):
    import time

    sv = local_services
    pid = make_project(sv, 12)
    sv.scenes.edit(pid, "S9", {"image_prompt": "a harbour"})
    _open(window, settle, pid, "S9")
    bar = window.timeline.view.horizontalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=5000)
    bar.setValue(bar.maximum())
    scrolled = bar.value()

    # The CLI, in its own process, rejects the selected scene and makes a project.
    _cli(sqlite_url, "scene", "reject", str(pid), "S9", "--comment", "바다를 더 넓게 / wider sea")
    written = time.monotonic()  # the other process has committed and exited
    m = window.timeline.model
    qtbot.waitUntil(lambda: m.data(m.index_of("S9"), REJECTION_ROLE) == "바다를 더 넓게 / wider sea", timeout=5000)
    assert time.monotonic() - written < 1.0  # within a second
    qtbot.waitUntil(lambda: window.inspector.badge.text() == "Rejected", timeout=5000)
    assert window.current_scene_id() == "S9" and window.timeline.selected_scene_ids() == ["S9"]
    assert bar.value() == scrolled  # the strip did not jump

    new = int(_cli(sqlite_url, "project", "create", "--title", "밖에서"))
    qtbot.waitUntil(lambda: window.sidebar.model.row_of(new) >= 0, timeout=5000)
    assert window.current_project_id() == pid  # still where the editor was
    added = _cli(sqlite_url, "scene", "add", str(pid), "--narration", "새 장면 / new scene")
    qtbot.waitUntil(lambda: added in m.scene_ids(), timeout=5000)
    assert window.current_scene_id() == "S9"


def test_the_selected_scene_comes_back_after_a_restart(qtbot, local_services, settle):
    from storyclip_desktop.ui.main_window import MainWindow

    pid = make_project(local_services, 5)
    w = MainWindow(local_services)
    qtbot.addWidget(w)
    _open(w, settle, pid, "S4")
    assert w.current_scene_id() == "S4"
    w.close()

    again = MainWindow(local_services)
    qtbot.addWidget(again)
    again.show()
    settle()
    assert again.current_project_id() == pid and again.current_scene_id() == "S4"


def test_an_unsaved_script_draft_asks_before_quitting_and_its_banner_stays_behind(window, local_services,
                                                                                   answer, settle):
    sv = local_services
    first, second = make_project(sv, 1, "첫째"), make_project(sv, 1, "둘째")
    _open(window, settle, first)
    script = window.project_page.script
    script.editor.setPlainText("가" * 2100)
    assert not window.commit_pending()
    assert not window.banner.isHidden()  # "Not saved: the script is 100 characters over ..."
    window.open_project(second)
    settle()
    assert window.banner.isHidden()  # the message belongs to the other project's draft
    asked = answer.confirm(False)
    window.close()
    assert asked == ["The script could not be saved (it is over 2,000 characters)."]
    assert window.isVisible()  # stayed open: the draft is still there
    window.open_project(first)
    settle()
    assert script.text() == "가" * 2100


def test_a_prompt_being_typed_shows_its_saved_state(window, local_services, qtbot, settle):
    pid = make_project(local_services, 2)
    _open(window, settle, pid)
    form = window.inspector.fields
    edit = form.edits["image_prompt"]
    edit.setFocus()
    QTest.keyClicks(edit, "a quiet harbour")
    assert form.state.text().startswith("Edited")
    qtbot.waitUntil(lambda: local_services.scenes.get(pid, "S1").scene_json.get("image_prompt") == "a quiet harbour",
                    timeout=5000)  # saved after a pause, without leaving the field
    assert edit.hasFocus() or not window.isActiveWindow()
    qtbot.waitUntil(lambda: form.state.text() == "Saved", timeout=5000)
