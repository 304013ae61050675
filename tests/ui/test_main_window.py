from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeySequence

from storyclip_desktop.config import config_dir
from storyclip_desktop.services.errors import Conflict
from storyclip_desktop.ui.app import first_run_project
from storyclip_desktop.ui.main_window import MainWindow, shortcut_rows, ui_settings
from storyclip_desktop.ui.status_bar import compact


def _menu(window, title):
    return next(a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == title)


def test_window_has_the_panels_and_menus(split_project, window):
    assert [a.text().replace("&", "") for a in window.menuBar().actions()] == [
        "File", "Edit", "Scene", "Review", "Generate", "View", "Help"]
    assert window.current_project_id() == split_project
    assert window.current_scene_id() is not None
    assert window.top_split.widget(0) is window.sidebar
    assert window.top_split.widget(2) is window.inspector
    assert window.main_split.widget(1) is window.timeline
    assert not any(a.isEnabled() for a in _menu(window, "Generate").actions())


def test_shortcuts_are_listed_in_help(settle, window):
    rows = dict(shortcut_rows(window))
    native = lambda s: QKeySequence(s).toString(QKeySequence.SequenceFormat.NativeText)  # noqa: E731
    assert rows["File › New project…"] == native("Ctrl+N")
    assert rows["File › Rename project…"] == "F2"
    assert rows["File › Quit"] == native("Ctrl+Q")
    assert rows["Edit › Undo"] == native("Ctrl+Z")
    assert native("Ctrl+Shift+Z") in rows["Edit › Redo"]
    assert rows["Edit › Find project…"] == native("Ctrl+F")
    assert rows["Scene › Move left"] == native("Ctrl+Left")
    assert rows["Scene › Move right"] == native("Ctrl+Right")
    assert rows["Scene › Next scene"] == f"J / {native('Alt+Down')}"
    assert rows["Scene › Previous scene"] == f"K / {native('Alt+Up')}"
    assert rows["Review › Confirm"].startswith(native("Ctrl+Return"))
    assert rows["Review › Reject…"] == native("Ctrl+Backspace")
    window.show_shortcuts()
    settle()
    assert window._shortcuts_dialog.isVisible()


def test_scene_navigation_and_review_menu_follow_selection(settle, local_services, split_project, window):
    pid = split_project
    first, second = (s.scene_id for s in local_services.scenes.list(pid))
    assert window.current_scene_id() == first
    window.act_next.trigger()
    settle()
    assert window.current_scene_id() == second
    assert window.inspector.scene.scene_id == second
    window.act_next.trigger()  # stays on the last
    settle()
    assert window.current_scene_id() == second
    window.act_prev.trigger()
    settle()
    assert window.current_scene_id() == first
    assert not window.review.confirm.isEnabled()  # init: nothing to confirm
    local_services.scenes.edit(pid, first, {"image_prompt": "달"})
    window.events.sceneChanged.emit(pid, first)
    settle()
    assert window.review.confirm.isEnabled()


def test_add_and_delete_scene_with_undo(settle, local_services, split_project, window, answer):
    answer.confirm(True)  # Del asks first
    pid = split_project
    first, second = (s.scene_id for s in local_services.scenes.list(pid))
    assert window.add_scene()
    settle()
    ids = [s.scene_id for s in local_services.scenes.list(pid)]
    assert len(ids) == 3 and ids[0] == first and ids[2] == second  # after the current
    assert window.current_scene_id() == ids[1]
    window.undo_stack.undo()
    settle()
    assert [s.scene_id for s in local_services.scenes.list(pid)] == [first, second]

    local_services.scenes.edit(pid, first, {"image_prompt": "해돋이"})
    window.timeline.select_scene(first)
    settle()
    assert window.delete_scenes()
    settle()
    assert [s.scene_id for s in local_services.scenes.list(pid)] == [second]
    window.undo_stack.undo()
    settle()
    scenes = local_services.scenes.list(pid)
    assert [s.narration for s in scenes] == ["첫 장면입니다.", "두 번째 장면입니다."]  # back in front
    assert scenes[0].scene_json["image_prompt"] == "해돋이"
    window.undo_stack.redo()  # the re-created scene is found through its alias
    settle()
    assert [s.narration for s in local_services.scenes.list(pid)] == ["두 번째 장면입니다."]


def test_layout_persists_in_config_dir(settle, qtbot, local_services, project):
    w = MainWindow(local_services)
    qtbot.addWidget(w)
    w.act_show["inspector"].setChecked(False)
    settle()
    w.resize(760, 560)  # the offscreen screen is 800x600; restore clamps to it
    w.show()
    qtbot.waitExposed(w)
    w.top_split.setSizes([230, 530, 0])
    settle()
    saved, size = w.top_split.sizes(), w.size()
    w.close()
    settle()
    assert (config_dir() / "ui.ini").exists()

    w2 = MainWindow(local_services)
    qtbot.addWidget(w2)
    w2.show()
    qtbot.waitExposed(w2)
    assert w2.size() == size
    assert w2.top_split.sizes()[0] == saved[0]
    assert not w2.act_show["inspector"].isChecked()
    settle()  # the project list is read off the GUI thread
    assert w2.current_project_id() == project
    w2.reset_layout()
    settle()
    assert w2.act_show["inspector"].isChecked()


def test_service_errors_reach_banner_and_status_bar(settle, window):
    window.show_error(Conflict("project 1 already has 3 scenes"))
    settle()
    assert not window.banner.isHidden()
    assert window.banner.label.text() == "Project 1 already has 3 scenes"
    assert "Project 1 already has 3 scenes" in window.status.currentMessage()


def test_status_bar_shows_store_jobs_and_tokens(settle, window, local_services):
    st = window.status
    assert "Local store" in st.store_label.text()
    assert st.jobs_label.text() == "No jobs running"
    window.set_running_jobs(2)
    settle()
    assert st.jobs_label.text() == "2 jobs running"
    assert st.token_labels["gemini"].text() == "gemini 0/200k"
    assert st.token_labels["gemini"].property("near_limit") is False
    local_services.tokens.reserve("gemini", 181_000, "req-1")
    window.refresh_tokens()
    settle()
    assert st.token_labels["gemini"].text() == "gemini 181k/200k"
    assert st.token_labels["gemini"].property("near_limit") is True  # >= 90%: red
    assert compact(1234) == "1.2k" and compact(2_000_000) == "2M" and compact(12) == "12"


def test_generation_hook_enables_generate_actions(settle, split_project, window, local_services):
    calls = []

    class Controller(QObject):  # what ui/protocols.GenerationHooks asks for
        runningChanged = Signal(int)
        sceneBusy = Signal(object, str, bool)
        jobFinished = Signal(object)
        batchQueued = Signal(object)
        errorOccurred = Signal(object)
        choicesChanged = Signal()
        ready = True

        def choices(self, project_id):
            return None

        def busy_scenes(self, project_id):
            return []

        def generate(self, kind, project_id, scene_ids):
            calls.append((kind, project_id, scene_ids))

    controller = Controller()
    window.set_generation_controller(controller)
    settle()
    assert not window.act_generate["images"].isEnabled()  # a draft scene: no image to make yet
    sid = window.current_scene_id()
    local_services.scenes.edit(split_project, sid, {"image_prompt": "달"})
    local_services.reviews.confirm_prompt(split_project, sid)
    window.timeline.reload()
    settle()
    window.update_actions()
    assert window.act_generate["images"].isEnabled()
    window.act_generate["images"].trigger()
    settle()
    assert calls == [("images", split_project, [window.current_scene_id()])]


def test_first_run_creates_the_sample_once(local_services):
    settings = ui_settings()
    pid = first_run_project(local_services, settings)
    assert pid is not None
    assert local_services.projects.get(pid).scene_count > 0
    local_services.projects.delete(pid)
    assert first_run_project(local_services, settings) is None  # not on later runs
    assert local_services.projects.list() == []


def test_close_with_an_unsaved_over_limit_script_asks(settle, project, window, answer):
    window.project_page.script.editor.setPlainText("가" * 2001)
    settle()
    asked = answer.confirm(False)
    assert window.close() is False
    assert asked
    answer.confirm(True)
    assert window.close() is True


def test_tab_order_runs_left_to_right(split_project, window):
    def after(w):
        n = w.nextInFocusChain()
        while not (n.focusPolicy() & Qt.FocusPolicy.TabFocus):
            n = n.nextInFocusChain()
        return n

    pp = window.project_page
    assert after(window.sidebar.filter) is window.sidebar.view
    assert after(pp.split_button) is pp.script.editor
    assert after(pp.script.editor) is pp.preferences.combos["image_gen_model"]
    assert after(pp.preferences.combos["voice_gen_model"]) is pp.preferences.stability
    assert after(pp.preferences.rule_edit) is window.inspector.confirm_button


def test_panels_toggle_from_the_view_menu(settle, split_project, window):
    window.act_show["timeline"].setChecked(False)
    settle()
    assert window.timeline.isHidden()
    window.reset_layout()
    settle()
    assert not window.timeline.isHidden()


def test_typing_keys_stay_in_text_fields(settle, split_project, window, qtbot, answer, local_services):
    """J, Ctrl+Backspace and Del are window shortcuts, but never while typing."""
    asked = answer.comment("no")
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    settle()
    ed = window.inspector.fields.edits["narration"]
    ed.setFocus()
    qtbot.waitUntil(ed.hasFocus)
    start = window.current_scene_id()
    ed.moveCursor(ed.textCursor().MoveOperation.End)
    settle()
    qtbot.keyClicks(ed, " jk")
    assert ed.toPlainText().endswith(" jk")
    assert window.current_scene_id() == start
    qtbot.keyClick(ed, Qt.Key.Key_Backspace, Qt.KeyboardModifier.ControlModifier)
    assert asked == []  # no reject dialog
    assert not ed.toPlainText().endswith("jk")


def test_j_and_k_move_between_scenes_from_the_timeline(settle, split_project, window, qtbot, local_services):
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    settle()
    first, second = (s.scene_id for s in local_services.scenes.list(split_project))
    target = getattr(window.timeline, "view", window.timeline)
    target.setFocus()
    qtbot.waitUntil(target.hasFocus)
    qtbot.keyClick(target, Qt.Key.Key_J)
    assert window.current_scene_id() == second
    qtbot.keyClick(target, Qt.Key.Key_K)
    assert window.current_scene_id() == first
