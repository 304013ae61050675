from __future__ import annotations

from PySide6.QtCore import Qt

from storyclip_desktop.ui.sidebar import ProjectSidebar, TitleDialog
from storyclip_desktop.ui.sidebar.panel import copy_title

from .window_support import type_ime


def _sidebar(qtbot, ctx):
    sb = ProjectSidebar(ctx)
    qtbot.addWidget(sb)
    sb.reload()
    return sb


def _titles(services):
    return sorted(p.title for p in services.projects.list())


def test_create_then_undo_and_redo(settle, qtbot, ctx, answer, local_services):
    sb = _sidebar(qtbot, ctx)
    answer.title("새 프로젝트")
    with qtbot.waitSignal(sb.projectSelected):
        assert sb.create_project()
    (pid,) = [p.id for p in local_services.projects.list()]
    assert local_services.projects.get(pid).title == "새 프로젝트"
    assert sb.current_project_id() == pid
    ctx.stack.undo()
    settle()
    assert _titles(local_services) == []
    assert sb.model.rowCount() == 0
    assert "No projects yet" in sb.empty.text()
    ctx.stack.redo()
    settle()
    assert _titles(local_services) == ["새 프로젝트"]
    assert sb.model.rowCount() == 1


def test_cancelled_create_changes_nothing(qtbot, ctx, answer, local_services):
    sb = _sidebar(qtbot, ctx)
    answer.title(None)
    assert sb.create_project() is False
    assert local_services.projects.list() == []
    assert ctx.stack.count() == 0


def test_rename_and_undo(settle, qtbot, ctx, answer, local_services, project):
    sb = _sidebar(qtbot, ctx)
    assert sb.current_project_id() == project
    asked = answer.title("가을 산책")
    sb.rename_project()
    settle()
    assert asked == [("Rename project", "테스트")]
    assert local_services.projects.get(project).title == "가을 산책"
    assert sb.model.project(0).title == "가을 산책"
    ctx.stack.undo()
    settle()
    assert local_services.projects.get(project).title == "테스트"


def test_duplicate_and_undo(settle, qtbot, ctx, answer, local_services, split_project):
    sb = _sidebar(qtbot, ctx)
    asked = answer.title("테스트 2")
    assert sb.duplicate_project()
    settle()
    assert asked == [("Duplicate project", copy_title("테스트"))]
    (new,) = [p.id for p in local_services.projects.list() if p.id != split_project]
    assert local_services.projects.get(new).scene_count == 2
    assert sb.current_project_id() == new
    ctx.stack.undo()
    settle()
    assert [p.id for p in local_services.projects.list()] == [split_project]


def test_delete_asks_and_undo_recreates_from_snapshot(settle, qtbot, ctx, answer, local_services, split_project):
    pid = split_project
    local_services.preferences.update(pid, ratio="16:9", stability=0.8, custom_style="수채화")
    first = local_services.scenes.list(pid)[0].scene_id
    local_services.scenes.edit(pid, first, {"image_prompt": "a maple tree", "duration": 5}, no_subject=True)
    sb = _sidebar(qtbot, ctx)

    asked = answer.confirm(False)
    assert sb.delete_project() is False
    assert "Delete “테스트”" in asked[0] and local_services.projects.list()

    answer.confirm(True)
    assert sb.delete_project() is True
    settle()
    assert local_services.projects.list() == []

    ctx.stack.undo()
    settle()
    (restored,) = local_services.projects.list()
    d = local_services.projects.get(restored.id)
    assert (d.title, d.script) == ("테스트", "첫 장면입니다.\n\n두 번째 장면입니다.")
    assert (d.preferences.ratio, d.preferences.stability, d.preferences.custom_style) == ("16:9", 0.8, "수채화")
    scenes = local_services.scenes.list(restored.id)
    assert [s.narration for s in scenes] == ["첫 장면입니다.", "두 번째 장면입니다."]
    assert scenes[0].scene_json["image_prompt"] == "a maple tree"
    assert scenes[0].scene_json["duration"] == 5 and scenes[0].no_subject
    assert sb.current_project_id() == restored.id

    ctx.stack.redo()  # deletes the re-created project (found through the id alias)
    settle()
    assert local_services.projects.list() == []


def test_filter_box_filters_and_shows_why_empty(settle, qtbot, ctx, local_services, project):
    local_services.projects.create("Busan")
    sb = _sidebar(qtbot, ctx)
    type_ime(sb.filter, "테스")
    assert sb.proxy.rowCount() == 1
    sb.filter.setText("nothing")
    settle()
    assert sb.stack.currentWidget() is sb.empty
    assert "No project matches" in sb.empty.text()


def test_title_dialog_validates_as_you_type(settle, qtbot):
    dlg = TitleDialog(heading="New project", accept_label="Create")
    qtbot.addWidget(dlg)
    assert not dlg.ok.isEnabled()
    assert dlg.reason.text().strip() == ""  # no error before anything was typed

    type_ime(dlg.edit, "가나다라마바사아자차")  # 10 Korean characters: fine
    assert dlg.ok.isEnabled()
    assert dlg.counter.text() == "10 / 10"
    assert dlg.reason.text().strip() == ""

    type_ime(dlg.edit, "카")  # 11th character
    assert not dlg.ok.isEnabled()
    assert "at most 10 characters (it has 11)" in dlg.reason.text()
    assert dlg.edit.text() == "가나다라마바사아자차카"  # kept, not truncated

    dlg.edit.setText("   ")
    settle()
    assert not dlg.ok.isEnabled() and "must not be empty" in dlg.reason.text()
    dlg.edit.setText("")
    settle()
    assert not dlg.ok.isEnabled() and dlg.reason.text() == "Title must not be empty"

    dlg.show()
    qtbot.keyClick(dlg.edit, Qt.Key.Key_Return)  # Enter does not accept an invalid title
    assert dlg.isVisible() and dlg.result() == 0
    qtbot.keyClicks(dlg.edit, "Jeju")
    qtbot.keyClick(dlg.edit, Qt.Key.Key_Return)
    assert dlg.result() == 1 and dlg.title() == "Jeju"


def test_copy_title_fits_the_limit():
    assert copy_title("서울의 가을") == "서울의 가을 2"
    assert copy_title("Walk 2") == "Walk 3"
    assert copy_title("abcdefghij") == "abcdefgh 2"
