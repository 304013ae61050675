from __future__ import annotations

from storyclip_desktop.ui.commands import (
    CreateProject,
    DeleteProject,
    EditScene,
    RenameProject,
    SetPreferences,
)


def test_a_refused_command_never_reaches_the_stack(push, settle, ctx, project):
    assert push(RenameProject(ctx, project, "테스트", "")) is False
    assert ctx.stack.count() == 0
    assert ctx.messages == ["Title must not be empty"]


def test_undo_that_no_longer_applies_is_reported_and_dropped(push, settle, ctx, local_services, project):
    assert push(RenameProject(ctx, project, "테스트", "새 이름"))
    local_services.projects.delete(project)  # someone else deleted it meanwhile
    ctx.stack.undo()
    settle()
    assert "No project with id" in ctx.messages[-1]
    assert ctx.stack.count() == 0  # obsolete: gone from the stack


def test_older_commands_follow_a_recreated_project(push, settle, ctx, local_services, project):
    assert push(RenameProject(ctx, project, "테스트", "하나"))
    assert push(DeleteProject(ctx, project))
    ctx.stack.undo()  # re-created with a new id
    settle()
    (new,) = [p.id for p in local_services.projects.list()]
    assert new != project and ctx.project(project) == new
    ctx.stack.undo()  # the rename, now aimed at the new id
    settle()
    assert local_services.projects.get(new).title == "테스트"
    ctx.stack.redo()
    settle()
    ctx.stack.redo()
    settle()
    assert local_services.projects.list() == []


def test_create_redo_aliases_the_new_id(push, settle, ctx, local_services):
    cmd = CreateProject(ctx, "하나")
    assert push(cmd)
    first = cmd.pid
    assert push(SetPreferences(ctx, first, {"ratio": "9:16"}, {"ratio": "1:1"}))
    ctx.stack.undo()
    settle()
    ctx.stack.undo()
    settle()
    assert local_services.projects.list() == []
    ctx.stack.redo()
    settle()
    ctx.stack.redo()
    settle()
    (p,) = local_services.projects.list()
    assert local_services.preferences.get(p.id).ratio == "1:1"
    assert ctx.project(first) == p.id


def test_stability_changes_merge(push, settle, ctx, local_services, project):
    for old, new in ((0.5, 0.55), (0.55, 0.6), (0.6, 0.65)):
        assert push(SetPreferences(ctx, project, {"stability": old}, {"stability": new}))
    assert ctx.stack.count() == 1
    ctx.stack.undo()
    settle()
    assert local_services.preferences.get(project).stability == 0.5


def test_edit_scene_undo_removes_added_keys(push, settle, ctx, local_services, split_project):
    sid = local_services.scenes.list(split_project)[0].scene_id
    assert push(EditScene(ctx, split_project, sid, {"duration": None}, {"duration": 6}))
    assert local_services.scenes.get(split_project, sid).scene_json["duration"] == 6
    ctx.stack.undo()
    settle()
    assert "duration" not in local_services.scenes.get(split_project, sid).scene_json
