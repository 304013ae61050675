from __future__ import annotations

import json

import pytest

from storyclip_desktop.domain.status import SceneAction, SceneStatus, can
from storyclip_desktop.ui.inspector import SceneInspector
from storyclip_desktop.ui.inspector.fields_form import AUTO

from .window_support import focus_out, type_ime


@pytest.fixture
def scene(local_services, split_project):
    return split_project, local_services.scenes.list(split_project)[0].scene_id


def _inspector(qtbot, ctx, pid, sid):
    ins = SceneInspector(ctx)
    qtbot.addWidget(ins)
    ins.set_scene(pid, sid)
    qtbot.waitUntil(lambda: not ins.loading() and ctx.ops.idle())  # read off the GUI thread
    return ins


def _status(services, pid, sid):
    return services.scenes.get(pid, sid).status


def _to_status(services, pid, sid, target: str) -> None:
    """Walk a scene along the pipeline with the real services."""
    steps = {
        "prompt": lambda: services.scenes.edit(pid, sid, {"image_prompt": "가을 단풍"}),
        "prompt_confirmed": lambda: services.reviews.confirm_prompt(pid, sid),
        "image": lambda: services.assets.add_scene_version(pid, sid, "image", "file:///tmp/a.png"),
        "image_confirmed": lambda: services.reviews.confirm_image(pid, sid),
        "clip": lambda: services.assets.add_scene_version(pid, sid, "clip", "file:///tmp/a.mp4"),
    }
    for step in steps.values():
        if _status(services, pid, sid) == target:
            return
        step()
    assert _status(services, pid, sid) == target


def test_field_edit_persists_and_undo_restores(settle, qtbot, ctx, scene, local_services):
    pid, sid = scene
    ins = _inspector(qtbot, ctx, pid, sid)
    edit = ins.fields.edits["image_prompt"]
    type_ime(edit, "붉은 단풍")
    focus_out(edit)
    settle()
    view = local_services.scenes.get(pid, sid)
    assert view.scene_json["image_prompt"] == "붉은 단풍"
    assert view.status == "prompt"
    assert ins.badge.text() == "Prompt to review"

    narration = ins.fields.edits["narration"]
    narration.setPlainText("바뀐 내레이션")
    focus_out(narration)
    settle()
    assert local_services.scenes.get(pid, sid).narration == "바뀐 내레이션"

    ins.fields.duration.setValue(5)
    settle()
    ins.fields.no_subject.setChecked(True)
    settle()
    view = local_services.scenes.get(pid, sid)
    assert view.scene_json["duration"] == 5 and view.no_subject

    for _ in range(4):
        ctx.stack.undo()
        settle()
    view = local_services.scenes.get(pid, sid)
    assert view.scene_json == {"narration": "첫 장면입니다."}
    assert not view.no_subject and view.status == "init"
    assert ins.fields.edits["narration"].toPlainText() == "첫 장면입니다."
    assert ins.fields.edits["image_prompt"].toPlainText() == ""
    assert ins.fields.duration.value() == AUTO


def test_refused_edit_keeps_the_text(settle, qtbot, ctx, scene, local_services):
    pid, sid = scene
    ins = _inspector(qtbot, ctx, pid, sid)
    edit = ins.fields.edits["negative_prompt"]
    too_long = "x" * 4001
    edit.setPlainText(too_long)
    focus_out(edit)
    settle()
    assert "Negative prompt must be at most 4000 characters" in ctx.messages[-1]
    assert edit.toPlainText() == too_long
    assert "negative_prompt" not in local_services.scenes.get(pid, sid).scene_json
    assert ctx.stack.count() == 0


@pytest.mark.parametrize("status", [s.value for s in SceneStatus])
def test_review_actions_follow_the_state_machine(qtbot, ctx, scene, local_services, status):
    pid, sid = scene
    _to_status(local_services, pid, sid, status)
    ins = _inspector(qtbot, ctx, pid, sid)
    a = ins.review_actions
    assert a.confirm_prompt.isEnabled() == can(status, SceneAction.CONFIRM_PROMPT)
    assert a.confirm_image.isEnabled() == can(status, SceneAction.CONFIRM_IMAGE)
    assert a.reject.isEnabled() == can(status, SceneAction.REJECT)
    assert ins.confirm_button.isEnabled() == (status in ("prompt", "image"))
    assert ins.reject_button.isEnabled() == a.reject.isEnabled()


def test_reject_with_comment_changes_status_and_keeps_comment(settle, qtbot, ctx, scene, answer, local_services):
    pid, sid = scene
    _to_status(local_services, pid, sid, "prompt_confirmed")
    ins = _inspector(qtbot, ctx, pid, sid)

    answer.comment(None)  # cancelled: nothing happens
    assert ins.reject() is False
    assert _status(local_services, pid, sid) == "prompt_confirmed"

    asked = answer.comment("인물을 빼 주세요")
    ins.review_actions.reject.trigger()
    settle()
    assert asked == [(sid, "prompt")]
    assert _status(local_services, pid, sid) == "prompt"  # the state machine: reject from prompt_confirmed
    last = local_services.reviews.history(pid, sid)[-1]
    assert (last.action, last.comment, last.from_status, last.to_status) == (
        "reject", "인물을 빼 주세요", "prompt_confirmed", "prompt")
    assert "인물을 빼 주세요" in ins.history.entries[0].text()
    assert ins.tabs.tabText(2) == "Reviews (2)"

    ctx.stack.undo()  # undo of a reject = the forward step again
    settle()
    assert _status(local_services, pid, sid) == "prompt_confirmed"
    ctx.stack.redo()
    settle()
    assert _status(local_services, pid, sid) == "prompt"


def test_confirm_prompt_and_undo(settle, qtbot, ctx, scene, local_services):
    pid, sid = scene
    _to_status(local_services, pid, sid, "prompt")
    ins = _inspector(qtbot, ctx, pid, sid)
    assert ins.confirm_button.text() == "Confirm prompt"
    ins.review_actions.confirm.trigger()
    settle()
    assert _status(local_services, pid, sid) == "prompt_confirmed"
    assert not ins.review_actions.confirm.isEnabled()
    ctx.stack.undo()
    settle()
    assert _status(local_services, pid, sid) == "prompt"
    assert local_services.reviews.history(pid, sid) == []  # the decision is taken back


def test_reject_from_prompt_undo_returns_to_prompt(settle, qtbot, ctx, scene, answer, local_services):
    pid, sid = scene
    _to_status(local_services, pid, sid, "prompt")
    ins = _inspector(qtbot, ctx, pid, sid)
    answer.comment("다시")
    assert ins.reject()
    settle()
    assert _status(local_services, pid, sid) == "init"
    ctx.stack.undo()
    settle()
    view = local_services.scenes.get(pid, sid)
    assert view.status == "prompt" and view.scene_json["image_prompt"] == "가을 단풍"


def test_confirm_image_names_the_version_being_viewed(settle, qtbot, ctx, scene, local_services):
    pid, sid = scene
    _to_status(local_services, pid, sid, "image")  # image v1 is current
    local_services.assets.add_scene_version(pid, sid, "image", "file:///tmp/b.png", make_current=False)
    ins = _inspector(qtbot, ctx, pid, sid)
    assert ins.confirm_button.text() == "Confirm image"

    ins.image_version_source = lambda: 2  # the reviewer looks at v2, which is not current
    assert ins.review(SceneAction.CONFIRM_IMAGE)  # asked; the store refuses it
    settle()
    assert "image v2 was replaced by v1" in ctx.messages[-1]
    assert ctx.stack.count() == 0
    assert _status(local_services, pid, sid) == "image"

    ins.image_version_source = lambda: 1
    assert ins.review(SceneAction.CONFIRM_IMAGE) is True
    settle()
    assert _status(local_services, pid, sid) == "image_confirmed"
    ctx.stack.undo()
    settle()
    assert _status(local_services, pid, sid) == "image"


def test_raw_json_error_is_shown_inline_and_text_kept(settle, qtbot, ctx, scene, local_services):
    pid, sid = scene
    ins = _inspector(qtbot, ctx, pid, sid)
    ed = ins.json
    assert json.loads(ed.text()) == {"narration": "첫 장면입니다."}

    ed.edit.setPlainText('{"narration": "고침", ')
    ins.apply_json(ed.text())
    settle()
    assert not ed.error.isHidden()
    assert ed.error.text().startswith("Scene JSON is not valid JSON")
    assert ed.text() == '{"narration": "고침", '

    bad = '{"narration": "고침", "duration": 90}'
    ed.edit.setPlainText(bad)
    ed.apply_button.click()
    settle()
    assert "Duration must be a number of seconds from 0.5 to 60" in ed.error.text()
    assert ed.text() == bad
    assert local_services.scenes.get(pid, sid).narration == "첫 장면입니다."

    good = '{"narration": "고침", "duration": 4, "camera": "dolly"}'
    ed.edit.setPlainText(good)
    ed.apply_button.click()
    settle()
    assert ed.error.isHidden()
    assert local_services.scenes.get(pid, sid).scene_json == {"narration": "고침", "duration": 4, "camera": "dolly"}
    assert ins.fields.edits["narration"].toPlainText() == "고침"
    ctx.stack.undo()
    settle()
    assert local_services.scenes.get(pid, sid).scene_json == {"narration": "첫 장면입니다."}
    assert json.loads(ed.text()) == {"narration": "첫 장면입니다."}


def test_empty_state_without_scene(qtbot, ctx, project):
    ins = _inspector(qtbot, ctx, project, None)
    assert ins.stack.currentWidget() is ins.empty
    assert not ins.review_actions.confirm.isEnabled()


def test_unapplied_json_survives_a_scene_switch(settle, qtbot, ctx, scene, local_services):
    pid, sid = scene
    other = local_services.scenes.list(pid)[1].scene_id
    ins = _inspector(qtbot, ctx, pid, sid)
    ins.json.edit.setPlainText('{"narration": "반쯤 고친')
    ins.set_scene(pid, other)
    assert ins.json.text() == '{"narration": "반쯤 고친'  # shown until the other scene arrives
    settle()
    assert json.loads(ins.json.text())["narration"] == "두 번째 장면입니다."
    ins.set_scene(pid, sid)
    settle()
    assert ins.json.text() == '{"narration": "반쯤 고친'
    assert not ins.json.error.isHidden()
