from __future__ import annotations

from storyclip_desktop.domain.validation import SCRIPT_MAX
from storyclip_desktop.ui.project_page import ProjectPage
from storyclip_desktop.ui.project_page.preferences_form import STABILITY_STEPS

from .window_support import focus_out, type_ime


def _page(qtbot, ctx, pid):
    page = ProjectPage(ctx)
    qtbot.addWidget(page)
    page.set_project(pid)
    qtbot.waitUntil(ctx.ops.idle)  # the project is read off the GUI thread
    return page


def test_script_counter_counts_korean_characters(settle, qtbot, ctx, project):
    page = _page(qtbot, ctx, project)
    ed = page.script
    ed.editor.setPlainText("")
    settle()
    type_ime(ed.editor, "가을 하늘")
    assert ed.counter.text() == f"5 / {SCRIPT_MAX:,}"
    ed.editor.setPlainText("가" * 1234)
    settle()
    assert ed.counter.text() == "1,234 / 2,000"
    assert "font-weight" not in ed.counter.styleSheet()


def test_script_saves_on_focus_out_with_one_service_call(settle, qtbot, ctx, project, local_services, monkeypatch):
    page = _page(qtbot, ctx, project)
    calls = []
    real = local_services.projects.set_script
    monkeypatch.setattr(local_services.projects, "set_script", lambda pid, s: (calls.append(s), real(pid, s)))
    page.script.editor.setPlainText("새 대본입니다.")
    settle()
    focus_out(page.script.editor)
    settle()
    assert calls == ["새 대본입니다."]
    assert local_services.projects.get(project).script == "새 대본입니다."
    focus_out(page.script.editor)  # nothing new: no second write
    settle()
    assert len(calls) == 1


def test_script_over_the_limit_is_not_saved_and_kept(settle, qtbot, ctx, project, local_services):
    page = _page(qtbot, ctx, project)
    ed = page.script
    too_long = "가" * (SCRIPT_MAX + 3)
    ed.editor.setPlainText(too_long)
    settle()
    assert "font-weight: 600" in ed.counter.styleSheet()  # red over the limit
    assert ed.save() is False
    assert "3 characters over the 2,000 limit" in ed.error.text()
    assert not ed.error.isHidden()
    assert ctx.messages and "Not saved" in ctx.messages[-1]
    assert local_services.projects.get(project).script.startswith("첫 장면")
    assert ed.text() == too_long

    other = local_services.projects.create("다른")
    page.set_project(other)  # the refused draft survives a project switch
    settle()
    page.set_project(project)
    settle()
    assert ed.text() == too_long and ed.is_dirty()


def test_preference_change_persists_and_undo_restores(settle, qtbot, ctx, project, local_services):
    page = _page(qtbot, ctx, project)
    form = page.preferences
    form.combos["ratio"].setCurrentText("16:9")
    settle()
    assert local_services.preferences.get(project).ratio == "16:9"
    form.stability.setValue(round(0.8 * STABILITY_STEPS))
    settle()
    form.stability.setValue(round(0.85 * STABILITY_STEPS))  # merges with the step above
    settle()
    assert local_services.preferences.get(project).stability == 0.85
    assert form.stability_value.text() == "0.85"
    form.style_edit.setText("수채화 느낌")
    settle()
    form.style_edit.editingFinished.emit()
    settle()
    assert local_services.preferences.get(project).custom_style == "수채화 느낌"
    assert ctx.stack.count() == 3

    ctx.stack.undo()
    settle()
    assert local_services.preferences.get(project).custom_style is None
    assert form.style_edit.text() == ""
    ctx.stack.undo()
    settle()
    assert local_services.preferences.get(project).stability == 0.5
    assert form.stability_value.text() == "0.50"
    ctx.stack.undo()
    settle()
    assert local_services.preferences.get(project).ratio == "9:16"
    assert form.combos["ratio"].currentText() == "9:16"


def test_combos_offer_only_catalog_values(qtbot, ctx, project):
    from storyclip_desktop.domain import catalog

    page = _page(qtbot, ctx, project)
    form = page.preferences
    items = lambda c: [c.itemText(i) for i in range(c.count())]  # noqa: E731
    assert items(form.combos["image_gen_model"]) == list(catalog.IMAGE_MODELS)
    assert items(form.combos["video_gen_model"]) == list(catalog.VIDEO_MODELS)
    assert items(form.combos["voice_gen_model"]) == list(catalog.VOICE_MODELS)
    assert items(form.combos["resolution"]) == list(catalog.RESOLUTIONS)
    assert items(form.combos["ratio"]) == list(catalog.RATIOS)


def test_over_limit_custom_style_is_refused_and_kept(settle, qtbot, ctx, project, local_services):
    page = _page(qtbot, ctx, project)
    form = page.preferences
    form.style_edit.setText("x" * 201)
    settle()
    form.style_edit.editingFinished.emit()
    settle()
    assert local_services.preferences.get(project).custom_style is None
    assert "1 character over the 200 limit" in form.reason.text()
    assert form.style_edit.text() == "x" * 201


def test_split_without_scenes_does_not_ask(settle, qtbot, ctx, project, answer, local_services):
    asked = answer.confirm(False)
    page = _page(qtbot, ctx, project)
    assert page.split_scenes() is True
    settle()
    assert asked == []
    assert len(local_services.scenes.list(project)) == 2


def test_split_asks_before_replacing_and_undo_restores(settle, qtbot, ctx, split_project, answer, local_services):
    pid = split_project
    first = local_services.scenes.list(pid)[0].scene_id
    local_services.scenes.edit(pid, first, {"image_prompt": "단풍"})
    page = _page(qtbot, ctx, pid)
    page.script.editor.setPlainText("하나.\n\n둘.\n\n셋.")
    settle()

    asked = answer.confirm(False)
    assert page.split_scenes() is True  # asked: saving, counting and asking follow
    assert not page.split_button.isEnabled()  # no second split meanwhile
    settle()
    assert page.split_button.isEnabled()
    assert asked == ["Replace 2 scenes? Their texts will be replaced; generated versions stay in the project's history."]
    assert len(local_services.scenes.list(pid)) == 2
    assert local_services.projects.get(pid).script == "하나.\n\n둘.\n\n셋."  # saved first

    answer.confirm(True)
    changed = []
    ctx.events.scenesChanged.connect(changed.append)
    assert page.split_scenes() is True
    settle()
    assert [s.narration for s in local_services.scenes.list(pid)] == ["하나.", "둘.", "셋."]
    assert changed == [pid]  # the timeline reloads on this

    ctx.stack.undo()
    settle()
    scenes = local_services.scenes.list(pid)
    assert [s.narration for s in scenes] == ["첫 장면입니다.", "두 번째 장면입니다."]
    assert scenes[0].scene_json.get("image_prompt") == "단풍"


def test_split_empty_script_shows_the_reason(settle, qtbot, ctx, local_services):
    pid = local_services.projects.create("빈")
    page = _page(qtbot, ctx, pid)
    page.split_scenes()
    settle()
    assert ctx.stack.count() == 0
    assert "Script is empty" in ctx.messages[-1]
    assert not ctx.reporter.banner.isHidden()
    assert ctx.reporter.banner.label.text().startswith("Script is empty")
