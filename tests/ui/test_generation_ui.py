"""Generation wired into the main window: a real JobEngine on a qasync loop that Qt's
event processing drives (so `qtbot.waitUntil` runs the jobs), the Local preview
providers, and the real store. No network: keys are "missing" unless a test says so,
and a "paid" provider is a stand-in that never leaves the process."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys

import pytest
from PySide6.QtCore import QObject, Qt, Signal

from storyclip_desktop.providers.base import ImageResult
from storyclip_desktop.ui.generation import GenerationController, KeyCache, install_generation
from storyclip_desktop.ui.imaging import local_path
from tests.jobs.helpers import engine as make_engine
from tests.jobs.helpers import make_project, move_scene, png

qasync = pytest.importorskip("qasync")

WAIT = 30_000  # ms: generous, the local renderer and SQLite share a small CI machine


@pytest.fixture
def loop(qasync_loop):
    """The qasync loop of tests/ui/conftest.py: tasks and the engine's callbacks run
    inside qtbot.waitUntil."""
    return qasync_loop


class Session:
    """A window with generation installed and its engine started."""

    def __init__(self, qtbot, loop, services, *, keys=(), **engine_kw) -> None:
        from storyclip_desktop.ui.main_window import MainWindow

        self.qtbot, self.loop, self.services = qtbot, loop, services
        # Not qtbot.addWidget: the engine must stop before the window goes (close()).
        self.window = MainWindow(services)
        self.window.resize(1440, 900)
        self.window.show()
        qtbot.waitExposed(self.window)
        self.engine = make_engine(services, **engine_kw)
        allowed = set(keys)
        self.lookups: list[str] = []

        def lookup(provider: str) -> bool:
            self.lookups.append(provider)
            return provider in allowed

        self.generation = install_generation(self.window, self.engine, key_lookup=lookup)
        self.started = loop.create_task(self.generation.start())
        qtbot.waitUntil(lambda: self.generation.ready and self.started.done(), timeout=WAIT)

    def open(self, pid: int) -> None:
        self.window.sidebar.reload(prefer=pid)
        assert self.window.open_project(pid)
        # the project and its first scene are read off the GUI thread
        self.qtbot.waitUntil(lambda: self.window.ctx.ops.idle() and not self.window.inspector.loading(),
                             timeout=WAIT)

    def jobs(self, pid: int):
        return self.services.generation.jobs(pid)

    def settled(self, pid: int, n: int) -> bool:
        jobs = self.jobs(pid)
        return len(jobs) == n and all(j.terminal for j in jobs) and self.generation.running_count() == 0

    def close(self) -> None:
        task = self.loop.create_task(self.generation.aclose())
        self.qtbot.waitUntil(task.done, timeout=WAIT)
        task.result()
        self.window.close()
        self.window.undo_stack.clear()
        self.window.deleteLater()
        self.qtbot.wait(10)


@pytest.fixture
def session(qtbot, loop, local_services):
    made: list[Session] = []

    def make(**kw) -> Session:
        s = Session(qtbot, loop, local_services, **kw)
        made.append(s)
        return s

    yield make
    for s in made:
        s.close()


def _texts(actions) -> list[str]:
    return [a.text().replace("&", "") for a in actions]


def test_generate_queues_off_the_gui_thread(session, local_services, qtbot):
    """Generate › Images for the whole project asks the store only off the GUI thread
    (the jobs are queued through ui/ops)."""
    from .gui_thread_guard import store_on_gui_thread

    sv = local_services
    pid = make_project(sv, 2, "prompt_confirmed")
    s = session()
    w = s.window
    s.open(pid)
    with store_on_gui_thread(sv) as asked:
        w.act_generate_all["images"].trigger()
        qtbot.waitUntil(w.ctx.ops.idle)
    assert asked == [], "\n".join(asked)
    qtbot.waitUntil(lambda: s.settled(pid, 2), timeout=WAIT)


def test_the_jobs_list_and_the_jobs_left_running_are_read_off_the_gui_thread(session, local_services, qtbot):
    """Installing generation lists the stored jobs and marks the scenes of jobs left
    queued (a previous run, the CLI) busy, asking the store only off the GUI thread."""
    from .gui_thread_guard import store_on_gui_thread

    sv = local_services
    pid = make_project(sv, 2, "prompt_confirmed")
    left = sv.generation.images(pid).job_ids  # queued, no engine has run them yet
    with store_on_gui_thread(sv) as asked:
        s = session()
        qtbot.waitUntil(lambda: s.window.ctx.ops.idle() and s.window.jobs_panel.model.rowCount() >= 2, timeout=WAIT)
    assert asked == [], "\n".join(asked)
    assert {s.window.jobs_panel.model.job_at(r).id for r in range(2)} == set(left)
    qtbot.waitUntil(lambda: s.settled(pid, 2), timeout=WAIT)  # the engine resumed and ran them
    assert s.generation.busy_scenes(pid) == []


def test_generate_images_runs_jobs_and_refreshes_cards_preview_and_inspector(session, local_services, qtbot):
    sv = local_services
    pid = make_project(sv, 3, "prompt_confirmed")
    s = session()
    w = s.window
    s.open(pid)
    sids = [x.scene_id for x in sv.scenes.list(pid)]
    assert w.jobs_popover.isHidden()  # hidden until asked for
    qtbot.mouseClick(w.status.jobs_label, Qt.MouseButton.LeftButton)  # the job count toggles it
    assert w.jobs_popover.isVisible()
    w.act_jobs.trigger()  # so does View › Jobs panel (Ctrl+4)
    assert w.jobs_popover.isHidden()

    # No keys: every kind says it runs on the Local preview, and the status bar hints.
    assert w.act_generate_all["images"].text().replace("&", "") == "Images for whole project — Local preview"
    assert w.act_generate["images"].text().replace("&", "") == f"Images for {sids[0]} — Local preview"
    assert "Local preview" in w.act_generate["images"].toolTip()
    assert not w.status.local_label.isHidden()
    assert "Settings" in w.status.local_label.toolTip()
    assert w.generate_controls.buttons["images"].isEnabled()

    busy: list[tuple[str, bool]] = []
    w.generation_controller.sceneBusy.connect(lambda _p, sid, b: busy.append((sid, b)))
    cards_busy: set[str] = set()
    model = w.timeline.model
    model.busyChanged.connect(lambda: cards_busy.update(sid for sid in sids if model.is_busy(sid)))
    counts: list[int] = []
    w.generation_controller.runningChanged.connect(counts.append)

    w.act_generate_all["images"].trigger()
    qtbot.waitUntil(w.ctx.ops.idle)  # the jobs are queued off the GUI thread
    assert w.jobs_popover.isHidden()  # a batch never opens the jobs panel by itself
    assert "Queued 3 images (Local preview)." in w.status.currentMessage()
    qtbot.waitUntil(lambda: s.settled(pid, 3), timeout=WAIT)
    qtbot.waitUntil(lambda: w.status.jobs_label.text() == "No jobs running", timeout=WAIT)

    assert all(j.state == "succeeded" and j.provider == "local" for j in s.jobs(pid))
    assert cards_busy == set(sids)  # every card showed busy ...
    assert not any(model.is_busy(sid) for sid in sids)  # ... and none is any more
    for sid in sids:
        assert [b for x, b in busy if x == sid] == [True, False]
    assert max(counts) >= 1 and counts[-1] == 0

    for sid in sids:
        versions = sv.assets.versions(pid, sid, "image")
        assert [v.version for v in versions] == [1]
        path = local_path(versions[0].storage_url)  # a media: URL the window can open
        assert path is not None and path.is_file()
        assert sv.scenes.get(pid, sid).status == "image"

    # The current scene: preview on the new version, inspector on the new status (the
    # views re-read off the GUI thread; on a busy machine that comes after the jobs).
    current = w.current_scene_id()
    qtbot.waitUntil(lambda: w.preview.previewed is not None and w.ctx.ops.idle(), timeout=WAIT)
    assert (w.preview.previewed.type, w.preview.previewed.version) == ("image", 1)
    assert w.preview.scene.scene_id == current
    assert w.inspector.scene.status == "image"
    assert model.scene(model.index_of(current).row()).image_version == 1  # the card was re-read

    # The jobs panel lists them as Local preview jobs.
    panel = w.jobs_panel
    rows = [[panel.model.index(r, c).data() for c in range(5)] for r in range(panel.model.rowCount())]
    assert sorted(r[1] for r in rows) == sids
    assert {r[2] for r in rows} == {"Done"} and {r[4] for r in rows} == {"Local preview"}

    # A second image for one named scene: a new version shows in the preview's strip.
    w.select_scene(current)
    w.act_generate["images"].trigger()
    qtbot.waitUntil(w.ctx.ops.idle)  # the jobs are queued off the GUI thread
    qtbot.waitUntil(lambda: s.settled(pid, 4), timeout=WAIT)
    qtbot.waitUntil(lambda: w.preview.previewed is not None and w.preview.previewed.version == 2, timeout=WAIT)
    assert [v.version for v in w.preview.versions if v.type == "image"] == [1, 2]
    qtbot.waitUntil(lambda: "gemini" in w.status.token_labels, timeout=WAIT)


def test_narration_reaches_the_preview_narration_bar(session, local_services, qtbot):
    sv = local_services
    pid = make_project(sv, 2, "init")
    s = session()
    w = s.window
    s.open(pid)
    assert w.preview.narration.path is None
    w.act_generate["narration"].trigger()
    qtbot.waitUntil(w.ctx.ops.idle)  # the jobs are queued off the GUI thread
    assert "Queued 1 narration (Local preview)." in w.status.currentMessage()
    qtbot.waitUntil(lambda: s.settled(pid, 1), timeout=WAIT)
    assert s.jobs(pid)[0].state == "succeeded"
    assert sv.projects.get(pid).narration_version == 1
    qtbot.waitUntil(lambda: w.preview.narration.path is not None, timeout=WAIT)
    assert w.preview.narration.path.is_file()


def test_skipped_scenes_and_errors_are_reported(session, local_services, qtbot):
    sv = local_services
    pid = make_project(sv, 3, "init")
    move_scene(sv, pid, "S1", "prompt_confirmed")
    move_scene(sv, pid, "S2", "prompt")  # not confirmed yet
    s = session()
    w = s.window
    s.open(pid)

    # Named scenes: S1 goes, S2 is skipped with its reason, in an info banner.
    w.timeline.select_scene("S1")
    w._on_selection(["S1", "S2"])
    assert w.act_generate["images"].text().replace("&", "") == "Images for 2 selected scenes — Local preview"
    w.act_generate["images"].trigger()
    qtbot.waitUntil(w.ctx.ops.idle)  # the jobs are queued off the GUI thread
    assert not w.banner.isHidden() and w.banner.level == "info"
    text = w.banner.label.text()
    assert text.startswith("Queued 1 image (Local preview).")
    assert "S2 skipped: an image needs a confirmed prompt (this scene is “Prompt to review”)" in text
    qtbot.waitUntil(lambda: s.settled(pid, 1), timeout=WAIT)

    # Nothing left to do for the whole project: a clear error, nothing queued.
    w.act_generate_all["images"].trigger()
    qtbot.waitUntil(w.ctx.ops.idle)  # the jobs are queued off the GUI thread
    assert w.banner.level == "error"
    assert w.banner.label.text().startswith("No image to generate: S1: already has an image")
    assert "generate for this scene alone for a new version" in w.banner.label.text()  # not the CLI's --scenes
    assert "⚠" in w.status.currentMessage()
    assert len(s.jobs(pid)) == 1

    # Narration is made for the whole project, whatever is selected.
    assert w.act_generate["narration"].text().replace("&", "") == "Narration for whole project — Local preview"


class SlowImage:
    """A stand-in image provider that takes its time (and can be cancelled)."""

    async def generate_image(self, req):
        await asyncio.sleep(60)
        return ImageResult(png=png(), width=480, height=854, usage_tokens=0, model="slow")


def test_cancel_from_the_jobs_panel(session, local_services, qtbot):
    sv = local_services
    pid = make_project(sv, 2, "prompt_confirmed")
    s = session(overrides={"local": SlowImage()})
    w = s.window
    s.open(pid)
    w.act_generate_all["images"].trigger()
    qtbot.waitUntil(w.ctx.ops.idle)  # the jobs are queued off the GUI thread
    qtbot.waitUntil(lambda: w.timeline.model.is_busy("S1") and w.timeline.model.is_busy("S2"), timeout=WAIT)
    assert w.status.jobs_label.text() == "2 jobs running"

    panel = w.jobs_panel
    job = next(j for j in s.jobs(pid) if j.scene_id == "S2")
    panel.select_job(job.id)
    qtbot.waitUntil(panel.cancel_button.isEnabled, timeout=WAIT)
    panel.cancel_button.click()
    qtbot.waitUntil(lambda: sv.generation.job(job.id).state == "cancelled", timeout=WAIT)
    qtbot.waitUntil(lambda: not w.timeline.model.is_busy("S2"), timeout=WAIT)
    assert w.timeline.model.is_busy("S1")  # the other job keeps going
    assert w.status.jobs_label.text() == "1 job running"
    row = next(r for r in range(panel.model.rowCount()) if panel.model.job_at(r).id == job.id)
    assert panel.model.index(row, 2).data() == "Cancelled"
    assert sv.scenes.get(pid, "S2").status == "prompt_confirmed"  # nothing was written
    assert w.banner.isHidden() or w.banner.level == "info"  # a cancel is not an error

    other = next(j for j in s.jobs(pid) if j.scene_id == "S1")
    panel.select_job(other.id)
    panel.cancel_button.click()
    qtbot.waitUntil(lambda: w.status.jobs_label.text() == "No jobs running", timeout=WAIT)


class FakeGemini:
    """Never reached: the quota check fails the job before any call."""

    async def generate_image(self, req):  # pragma: no cover - must not run
        raise AssertionError("a paid call was made past the token limit")


def test_keys_decide_the_labels_and_quota_failures_show(session, local_services, qtbot):
    sv = local_services
    pid = make_project(sv, 2, "prompt_confirmed")
    s = session(keys=("gemini",), overrides={"gemini": FakeGemini()})
    w = s.window
    s.open(pid)
    # Images and prompts go to Gemini (it has a key); clips and narration stay local.
    assert w.act_generate_all["images"].text().replace("&", "") == "Images for whole project"
    assert "with Gemini" in w.act_generate["images"].toolTip()
    assert w.act_generate_all["clips"].text().endswith("— Local preview")
    tip = w.status.local_label.toolTip()
    assert "Seedance" in tip and "ElevenLabs" in tip and "Gemini" not in tip

    sv.tokens.reserve("gemini", 199_999, "someone-else")  # 1 token left
    w.act_generate_all["images"].trigger()
    qtbot.waitUntil(w.ctx.ops.idle)  # the jobs are queued off the GUI thread
    assert "Queued 2 images (Gemini)." in w.status.currentMessage()
    qtbot.waitUntil(lambda: s.settled(pid, 2), timeout=WAIT)
    assert {j.state for j in s.jobs(pid)} == {"failed"}
    qtbot.waitUntil(lambda: not w.banner.isHidden() and w.banner.level == "error", timeout=WAIT)
    text = w.banner.label.text()
    assert "failed: the gemini token limit would be exceeded" in text
    assert "1 more failed; see the Jobs panel" in text
    # Token usage is re-read once the jobs finished (coalesced).
    qtbot.waitUntil(lambda: w.status.token_labels["gemini"].property("near_limit") is True, timeout=WAIT)


def test_settings_key_changes_reach_the_engine_and_the_labels(session, local_services, qtbot, monkeypatch):
    sv = local_services
    pid = make_project(sv, 1, "prompt_confirmed")
    s = session()
    w = s.window
    s.open(pid)
    forgot: list[bool] = []
    # keysChanged is connected to a lambda that looks the method up at call time.
    monkeypatch.setattr(s.engine, "forget_providers", lambda: forgot.append(True))
    assert w.act_generate["images"].text().endswith("— Local preview")

    qtbot.mouseClick(w.status.local_label, Qt.MouseButton.LeftButton)  # the hint opens Settings
    dialog = w.settings_dialog
    assert dialog is not None and dialog.isVisible()
    s.generation.keys._lookup = lambda p: p == "gemini"  # as if the key was just saved
    dialog.keysChanged.emit("gemini")
    assert forgot == [True]
    qtbot.waitUntil(lambda: not w.act_generate["images"].text().endswith("— Local preview"), timeout=WAIT)
    assert "with Gemini" in w.act_generate["images"].toolTip()
    assert w.act_generate["clips"].text().endswith("— Local preview")
    dialog.close()
    w.act_settings.trigger()  # File › Settings… shows the same dialog again
    assert w.settings_dialog is dialog and dialog.isVisible()
    dialog.close()


def test_key_lookups_stay_off_the_gui_thread(qtbot):
    """The cache answers from memory; the lookups ran on a worker thread."""
    import threading

    threads: list[str] = []

    def lookup(p: str) -> bool:
        threads.append(threading.current_thread().name)
        return p == "openai"

    cache = KeyCache(lookup)
    cache.refresh()
    qtbot.waitUntil(lambda: cache.ready, timeout=WAIT)
    assert threads and all(t.startswith("storyclip-ops") for t in threads)  # the operations thread
    threads.clear()
    for _ in range(1000):  # e.g. every repaint
        assert cache.has_key("openai") and not cache.has_key("gemini")
    assert threads == []
    assert "gemini" in cache.missing() and "openai" not in cache.missing()


def test_controller_tracks_busy_scenes_across_projects(qtbot, local_services):
    """Busy cards come back when the editor returns to a project with running jobs."""
    from storyclip_desktop.services.generation_jobs import JobView

    cache = KeyCache(lambda p: False)
    c = GenerationController(local_services, FakeJobs(), cache)
    seen: list[tuple] = []
    c.sceneBusy.connect(lambda p, sid, b: seen.append((p, sid, b)))

    def view(jid, state, sid="S1", pid=1):
        return JobView(jid, pid, sid, "image", "local", "m", {}, state, 0.0, 0, None, None, None, None,
                       None, None, None, None)

    c._track(view(1, "queued"))
    c._track(view(2, "running"))  # a second job for the same scene
    assert c.busy_scenes(1) == ["S1"] and seen == [(1, "S1", True)]
    c._track(view(1, "succeeded"))
    assert c.busy_scenes(1) == ["S1"]  # still busy: job 2 runs
    c._track(view(2, "failed"))
    assert c.busy_scenes(1) == [] and seen[-1] == (1, "S1", False)
    assert c.running_count() == 0


class FakeJobs(QObject):
    """What the controller needs of a JobsController, without an engine."""

    jobChanged = Signal("qint64")

    class engine:  # noqa: N801
        @staticmethod
        def running() -> list[int]:
            return []

    def job(self, _job_id: int):
        return None


CHILD = r"""
import asyncio, json, sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from storyclip_desktop.ui import app as ui_app
from storyclip_desktop.ui.main_window import MainWindow

seen = {}

def window():
    return next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible())

def check():
    win = window()
    c = win.generation_controller
    seen["engine_loop"] = c.engine._loop is asyncio.get_event_loop()
    # the queued job is still running, or the window's reads (the choices that show the
    # Local preview hint, the jobs left running) are not all back yet
    if not seen["engine_loop"] or not c.ready or c.running_count() or not win.ctx.ops.idle():
        QTimer.singleShot(100, check)
        return
    seen["dock_hidden"] = win.jobs_popover.isHidden()
    seen["settings"] = win.act_settings.shortcut().toString()
    seen["local_hint"] = not win.status.local_label.isHidden()
    win.close()
    QApplication.instance().quit()

ui_app.make_app([sys.argv[0]])
QTimer.singleShot(300, check)
seen["rc"] = ui_app.run()
print("RESULT " + json.dumps(seen))
"""

SETUP = r"""
import json
from storyclip_desktop.services import Services
from tests.jobs.helpers import make_project
sv = Services.open()
pid = make_project(sv, 1, "prompt_confirmed", title="Queued")
job = sv.generation.images(pid).job_ids[0]  # no engine here: it stays queued
print(json.dumps({"pid": pid, "job": job}))
sv.close()
"""


def test_run_starts_the_engine_resumes_queued_jobs_and_quits_cleanly(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    for var in ("STORYCLIP_GEMINI_API_KEY", "STORYCLIP_OPENAI_API_KEY"):
        env.pop(var, None)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
    setup = subprocess.run([sys.executable, "-c", SETUP], env=env, capture_output=True, text=True, timeout=120)
    assert setup.returncode == 0, setup.stderr[-2000:]
    made = json.loads(setup.stdout.strip().splitlines()[-1])

    out = subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, timeout=120)
    line = next((x for x in out.stdout.splitlines() if x.startswith("RESULT ")), None)
    assert line, out.stderr[-3000:]
    seen = json.loads(line[len("RESULT "):])
    assert seen == {"rc": 0, "engine_loop": True, "dock_hidden": True, "settings": "Ctrl+,",
                    "local_hint": True}
    assert "Traceback" not in out.stderr, out.stderr[-3000:]

    from storyclip_desktop.services import Services

    sv = Services.open()
    try:
        assert sv.generation.job(made["job"]).state == "succeeded"  # engine.start() resumed it
        assert [v.version for v in sv.assets.versions(made["pid"], "S1", "image")] == [1]
    finally:
        sv.close()
