"""Durations in the window: each card, the inspector, the project total, and the
narration-out-of-date notice."""

from __future__ import annotations

import pytest

from storyclip_desktop.ui.ops import Changes
from storyclip_desktop.ui.timeline.model import DURATION_ROLE, DURATION_STALE_ROLE
from storyclip_desktop.ui.timing_text import seconds_text
from tests.jobs.helpers import run_jobs


def narrate(sv, pid):
    (job,) = run_jobs(sv, sv.generation.narration(pid).job_ids)
    assert job.state == "succeeded", job.error


@pytest.fixture
def timed_window(qtbot, local_services, split_project, settle):
    narrate(local_services, split_project)
    from storyclip_desktop.ui.main_window import MainWindow

    w = MainWindow(local_services)
    qtbot.addWidget(w)
    settle()  # the project and its first scene are read off the GUI thread
    yield w
    w.undo_stack.clear()


def durations(model):
    return [model.data(model.index(r), DURATION_ROLE) for r in range(model.rowCount())]


def test_cards_inspector_and_project_show_durations(qtbot, local_services, split_project, timed_window):
    w, pid = timed_window, split_project
    plan = local_services.render_plan.plan(pid)
    model = w.timeline.model
    # read off the GUI thread, then shown
    qtbot.waitUntil(lambda: all(durations(model)) and "in all" in w.project_page.description.text())
    qtbot.waitUntil(lambda: w.inspector.fields.lasts.text() != "")
    shown = durations(model)
    assert shown == [seconds_text(s.frames) for s in plan.scenes]
    assert all(text.endswith(" s") for text in shown)
    assert f"{seconds_text(plan.total_frames)} in all" in w.project_page.description.text()
    assert w.project_page.stale_notice.isHidden()
    lasts = w.inspector.fields.lasts.text()
    assert lasts == f"Lasts {shown[0]} · from the narration"


def test_a_changed_scene_shows_the_narration_is_out_of_date(qtbot, local_services, split_project, timed_window):
    w, pid = timed_window, split_project
    qtbot.waitUntil(lambda: all(durations(w.timeline.model)))
    local_services.scenes.edit(pid, "S2", {"narration": "완전히 바뀐 두 번째 장면입니다."})
    # what the window's live watcher announces for a change made outside it
    w.events.publish(Changes(pid, scene_ids=frozenset({"S2"})))
    notice = w.project_page.stale_notice
    qtbot.waitUntil(lambda: not notice.isHidden())
    qtbot.waitUntil(lambda: w.timeline.model.data(w.timeline.model.index(1), DURATION_STALE_ROLE))
    assert notice.text() == "Narration out of date: S2 changed since it was made. Generate the narration again."
    model = w.timeline.model
    assert [model.data(model.index(r), DURATION_STALE_ROLE) for r in range(2)] == [False, True]


def test_the_short_clip_choice_is_kept_with_the_scene(qtbot, local_services, split_project, timed_window):
    w, pid = timed_window, split_project
    fit = w.inspector.fields.fit
    fit.setCurrentIndex(fit.findData("loop"))
    qtbot.waitUntil(lambda: local_services.scenes.get(pid, "S1").scene_json.get("fit") == "loop")
    qtbot.waitUntil(lambda: w.undo_stack.canUndo())
    w.undo_stack.undo()
    qtbot.waitUntil(lambda: "fit" not in local_services.scenes.get(pid, "S1").scene_json)
    assert "fit" not in local_services.scenes.get(pid, "S1").scene_json
