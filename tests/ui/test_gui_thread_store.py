"""The window never asks the store on the GUI thread: every service call of the common
flows (open a project, select scenes, edit, save the script, split, reorder, confirm,
choose a version, undo, add and delete a scene) goes through ui/ops. On a shared store
a query on the GUI thread is a click that waits for the network; this test lists any
that crept back, by who asked."""

from __future__ import annotations

from storyclip_desktop.ui.main_window import MainWindow

from .gui_thread_guard import store_on_gui_thread
from .window_support import focus_out, scenes_under_review, title_card_project


def _window_on(qtbot, settle, services, project_id: int) -> MainWindow:
    """A shown window with `project_id` open and every read it set off back."""
    w = MainWindow(services)
    qtbot.addWidget(w)
    w.show()
    settle()
    assert w.open_project(project_id)
    settle()
    return w


def test_the_common_flows_never_ask_the_store_on_the_gui_thread(qtbot, settle, local_services, answer, tmp_path):
    sv = local_services
    other = sv.projects.create("다른", script="다른 장면.")
    pid = sv.projects.create("테스트", script="하나.\n\n둘.\n\n셋.")
    sv.scenes.split(pid)
    scenes_under_review(sv, pid, tmp_path)
    answer.confirm(True)

    with store_on_gui_thread(sv) as asked:
        w = _window_on(qtbot, settle, sv, other)
        assert w.open_project(pid)
        settle()
        assert w.project_page.title.text() == "테스트"

        for sid in ("S1", "S2", "S3", "S2"):  # selecting reads the scene for inspector and preview
            w.select_scene(sid)
            settle()
        assert w.inspector.scene.scene_id == "S2"
        assert w.preview.scene.scene_id == "S2"

        w.review.confirm.trigger()
        settle()
        assert w.inspector.scene.status == "prompt_confirmed"
        w.undo_stack.undo()
        settle()
        assert w.inspector.scene.status == "prompt"

        w.select_scene("S1")
        settle()
        prompt = w.inspector.fields.edits["image_prompt"]
        prompt.setPlainText("붉은 단풍")
        w.inspector.fields.commit_pending()
        settle()
        assert w.inspector.scene.scene_json.get("image_prompt") == "붉은 단풍"

        w.act_move_right.trigger()
        settle()
        assert w.timeline.model.scene_ids() == ["S2", "S1", "S3"]

        w.select_scene("S3")
        settle()
        w.preview.preview(next(v for v in w.preview.versions if v.version == 1))
        w.preview.use_button.click()
        settle()
        assert w.preview.scene.image_version == 1

        w.project_page.script.editor.setPlainText("하나.\n\n둘.\n\n셋.\n\n넷.")
        focus_out(w.project_page.script.editor)
        settle()
        assert w.project_page.script.state.text() == "Saved"
        assert w.project_page.split_scenes()
        settle()
        assert len(w.timeline.model.scene_ids()) == 4  # re-split: new labels (S4 … S7)
        w.undo_stack.undo()
        settle()
        assert len(w.timeline.model.scene_ids()) == 3

        w.select_scene(w.timeline.model.scene_ids()[0])
        settle()
        assert w.add_scene()
        settle()
        assert len(w.timeline.model.scene_ids()) == 4
        assert w.delete_scenes()
        settle()
        assert len(w.timeline.model.scene_ids()) == 3

    assert sv.projects.get(pid).script == "하나.\n\n둘.\n\n셋.\n\n넷."
    assert asked == [], "\n".join(dict.fromkeys(asked))


def test_play_all_and_the_timeline_export_never_ask_the_store_on_the_gui_thread(qtbot, settle, local_services,
                                                                               tmp_path):
    """Both plan the project (several reads) and render for seconds: on their own lanes,
    with the button grey until the answer came back. Opening Export video (short of
    starting the export) asks nothing on the GUI thread either."""
    from storyclip_desktop.ui.handoff.export_dialog import ExportTimelineDialog

    sv = local_services
    pid = title_card_project(sv, (1, 1, 1))
    with store_on_gui_thread(sv) as asked:
        w = _window_on(qtbot, settle, sv, pid)
        said: list[str] = []
        w.export_controls.player.failed.connect(lambda _pid, message: said.append(message))
        w.export_controls.button.click()
        assert not w.export_controls.button.isEnabled()  # no second Play all while this one renders
        qtbot.waitUntil(lambda: w.preview.media.showing_clip() or bool(said), timeout=60_000)
        assert said == [] and w.export_controls.button.isEnabled()

        w.handoff_controls.export_timeline()
        dlg = w.findChild(ExportTimelineDialog)
        qtbot.waitUntil(lambda: dlg.folder.text().endswith("_timeline"))  # named after the project
        dlg.folder.setText(str(tmp_path / "timeline"))
        dlg.export_button.click()
        assert not dlg.export_button.isEnabled()  # no double export
        qtbot.waitUntil(dlg.export_button.isEnabled, timeout=60_000)
        assert dlg.result_value is not None and dlg.result_value.timeline.is_file(), dlg.message.text()
        dlg.close()

        w.export_controls.export_video()  # the project, the plan, the frame, the earlier exports
        video = w.export_controls.dialog
        qtbot.waitUntil(lambda: video.plan is not None, timeout=10_000)
        other = "720p" if video.plan.resolution != "720p" else "480p"
        video.resolution.setCurrentText(other)  # a new plan
        qtbot.waitUntil(lambda: video.plan.resolution == other, timeout=10_000)
        qtbot.waitUntil(lambda: video.frame.pixmap() is not None and not video.frame.pixmap().isNull(),
                        timeout=30_000)
        video.out.setText(str(tmp_path / "short.mp4"))
        video.start()  # checked and queued off the GUI thread (no engine here: it stays queued)
        qtbot.waitUntil(lambda: video.job_id is not None, timeout=10_000)
        video.cancel()
        qtbot.waitUntil(lambda: video._lane.idle(), timeout=10_000)
        video.close()

    assert asked == [], "\n".join(dict.fromkeys(asked))


def test_the_characters_panel_never_asks_the_store_on_the_gui_thread(qtbot, settle, local_services, answer,
                                                                    tmp_path):
    from PIL import Image

    sv = local_services
    pid = sv.projects.create("인물", script="민지가 웃는다.")
    sv.scenes.split(pid)
    png = tmp_path / "m.png"
    Image.new("RGB", (160, 240), (250, 0, 250)).save(png, format="PNG")
    answer.confirm(True)
    with store_on_gui_thread(sv) as asked:
        w = _window_on(qtbot, settle, sv, pid)
        panel = w.project_page.characters
        assert panel.add_character("민지")
        settle()
        assert panel.add_image("민지", png)
        settle()
        assert panel.add_image(None, png)  # the style
        settle()
        assert panel.add_character("Jun")
        settle()
        assert panel.remove_character("Jun")
        settle()
        names = [panel.rows.itemAt(i).widget().objectName() for i in range(panel.rows.count())]
        assert names == ["reference-row-style", "reference-row-민지"]

    refs = sv.references.get(pid)
    assert [c.name for c in refs.characters] == ["민지"] and len(refs.character("민지").references) == 1
    assert len(refs.style) == 1
    assert asked == [], "\n".join(dict.fromkeys(asked))


def test_quick_clicks_through_scenes_show_the_last_and_never_blank(qtbot, settle, local_services, split_project,
                                                                   window):
    pid = split_project
    local_services.scenes.add(pid, "세 번째 장면입니다.", after="S2")  # S3
    window.timeline.refresh()
    settle()
    window.select_scene("S1")
    settle()
    assert window.inspector.scene.scene_id == "S1"
    reads: list[str] = []
    real = local_services.scenes.get
    local_services.scenes.get = lambda p, s: (reads.append(s), real(p, s))[1]
    try:
        for sid in ("S2", "S3", "S2", "S3"):
            window.select_scene(sid)
            # until the new scene arrives, the panels keep showing the one before
            assert window.inspector.stack.currentWidget() is not window.inspector.empty
            assert window.inspector.scene is not None and window.preview.scene is not None
        settle()
    finally:
        local_services.scenes.get = real
    assert window.inspector.scene.scene_id == window.preview.scene.scene_id == "S3"
    assert window.inspector.fields.edits["narration"].toPlainText() == local_services.scenes.get(pid, "S3").narration
    # superseded reads never ran: far fewer than one inspector + one preview read per click
    assert len(reads) < 8, reads


def test_the_project_page_waits_for_the_list_before_saying_how_to_start(qtbot, settle, local_services):
    w = MainWindow(local_services)
    qtbot.addWidget(w)
    assert w.project_page.stack.currentWidget() is not w.project_page.empty  # nothing flashes by
    settle()
    assert w.project_page.stack.currentWidget() is w.project_page.empty  # no projects: how to start
