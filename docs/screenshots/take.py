"""Screenshots of the main window for the docs, at three window sizes.

    xvfb-run -a -s "-screen 0 2600x1500x24" .venv/bin/python docs/screenshots/take.py \
        [--dark] [--size 1024x700|1440x900|2560x1440]

Without --size all three are taken, each in its own process (2560x1440 is a 1280x720
window at a device pixel ratio of 2: the high-DPI case). Builds a throwaway store in a
temp folder (nothing touches the user's data) and saves next to this file, named
`<state>-<size>[-dark].png`:

  empty          no projects yet: the sidebar and the timeline say what to do
  new-project    the New project dialog before anything is typed (no error yet)
  sample         the sample project's script and settings
  review         a scene whose prompt waits for review, inspector actions
  rejected       a rejected scene: its badge and colour on the card, in the inspector
                 and the preview, with the reviewer's comment
  history        the same scene's review history
  generated      a 9:16 picture under review, filling the window's height
  compare        two versions of one scene side by side (v1 | v2)
  jobs           the jobs popover over the timeline: done, failed, rendering
  replace-edited Generate › Prompts for whole project asks before replacing prompts
                 typed by hand
  delete         Del asks first (undo brings the same scene back)
  script-draft   a script over 2,000 characters: kept as a draft, and quitting asks

Generation runs as in the app: a JobEngine on a qasync loop, wired by
`install_generation`; no API keys are read (the key lookup is a stand-in), so every
step uses the free Local preview and nothing leaves the machine. Dialogs are grabbed
from the screen with the window behind them.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SIZES = {"1024x700": ((1024, 700), 1), "1440x900": ((1440, 900), 1), "2560x1440": ((1280, 720), 2)}
SIZE = (1440, 900)  # the window size of this run (set in main)
NAME = ""  # "-<size>[-dark]": the file name suffix of this run


def _isolate() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="storyclip-shots-"))
    for var, sub in (("STORYCLIP_DATA_DIR", "data"), ("STORYCLIP_CONFIG_DIR", "config"),
                     ("STORYCLIP_MEDIA_DIR", "media")):
        os.environ[var] = str(tmp / sub)
    for var in ("STORYCLIP_DATABASE_URL", "STORYCLIP_USER_EMAIL"):
        os.environ.pop(var, None)
    for var in [v for v in os.environ if v.startswith("STORYCLIP_") and v.endswith("_KEY")]:
        os.environ.pop(var)  # never a real provider from a screenshot run
    os.environ["STORYCLIP_NODE"] = "7"


def _settle(app, seconds: float = 0.6) -> None:  # noqa: ANN001
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)


def _wait(app, predicate, timeout: float = 180.0) -> None:  # noqa: ANN001
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            raise TimeoutError("the screenshot run waited too long")
        app.processEvents()
        time.sleep(0.02)


def _run(app, loop, coro):  # noqa: ANN001, ANN202
    task = loop.create_task(coro)
    _wait(app, task.done)
    return task.result()


def _close_loop(loop) -> None:  # noqa: ANN001
    """Undo "already running" and close: joins the loop's worker threads."""
    loop._after_run_forever()
    loop._QEventLoop__is_running = False  # not stop(): that would QApplication.exit()
    asyncio.events._set_running_loop(None)
    loop.close()


def _shoot(app, window, state: str) -> None:  # noqa: ANN001
    _settle(app)
    path = HERE / f"{state}{NAME}.png"
    window.grab().save(str(path))
    print(f"saved {path.relative_to(HERE.parent.parent)}")


@contextlib.contextmanager
def _dialogs_shot(app, window, state: str):  # noqa: ANN001, ANN202
    """While inside, a dialog that would run modally is shown, grabbed from the screen
    with the window behind it, and answered with its default button (Cancel for a
    destructive question, "Keep" for the edited prompts)."""
    from PySide6.QtWidgets import QDialog, QMessageBox

    taken: list[bool] = []

    def shoot(dlg) -> int:  # noqa: ANN001
        dlg.show()
        dlg.raise_()
        _settle(app, 0.8)
        g = window.frameGeometry()
        screen = app.primaryScreen()
        shot = screen.grabWindow(0, g.x(), g.y(), g.width(), g.height())
        path = HERE / f"{state}{NAME}.png"
        shot.save(str(path))
        print(f"saved {path.relative_to(HERE.parent.parent)}")
        taken.append(True)
        if isinstance(dlg, QMessageBox) and dlg.defaultButton() is not None:
            dlg.defaultButton().click()
            return 0
        dlg.reject()
        return 0

    old_box, old_dialog = QMessageBox.exec, QDialog.exec
    QMessageBox.exec = shoot
    QDialog.exec = shoot
    try:
        yield
    finally:
        QMessageBox.exec, QDialog.exec = old_box, old_dialog
    if not taken:
        raise RuntimeError(f"no dialog appeared for {state}")


def _changed(window, pid: int) -> None:  # noqa: ANN001
    """Changes made here through the services, as the window hears of its own."""
    from PySide6.QtWidgets import QApplication

    from storyclip_desktop.ui.ops import Changes

    window.events.publish(Changes(pid, scenes=True, projects=True))
    app = QApplication.instance()
    _wait(app, window.ctx.ops.idle)  # the views re-read off the GUI thread
    _settle(app, 0.2)


# ---- generation ---------------------------------------------------------------------


class Shots:
    """Drives the window's Generate actions and waits, on the qasync loop, for the jobs."""

    def __init__(self, app, loop, window, services, pid: int, keys: set[str]) -> None:  # noqa: ANN001
        self.app, self.loop, self.window, self.sv, self.pid, self.keys = app, loop, window, services, pid, keys
        self.batches: list = []
        window.generation_controller.batchQueued.connect(self.batches.append)

    def wait(self, predicate, timeout: float = 180.0) -> None:  # noqa: ANN001
        _wait(self.app, predicate, timeout)

    def generate(self, kind: str, scenes: list[str] | None = None, *, wait: bool = True) -> list[int]:
        """Through the window's actions, as an editor would."""
        w = self.window
        before = len(self.batches)
        if scenes is None:
            (w.act_generate_all.get(kind) or w.act_generate[kind]).trigger()
        else:
            w.timeline.select_scene(scenes[0])
            w._on_selection(list(scenes))  # a multi-selection, as Ctrl+click makes it
            w.act_generate[kind].trigger()
        self.wait(w.ctx.ops.idle)  # the jobs are queued off the GUI thread
        if len(self.batches) == before:
            states = {s.scene_id: s.status for s in self.sv.scenes.list(self.pid)}
            shown = {sid: w.timeline.model.scene(w.timeline.model.index_of(sid).row()).status for sid in states}
            raise RuntimeError(f"nothing queued: {w.reporter.last}; store {states}; cards {shown}; "
                               f"enabled {w.act_generate[kind].isEnabled()} ready {w.generate_controls.ready()}")
        ids = self.batches[-1].job_ids
        if wait:
            self.wait(lambda: all(self.sv.generation.job(j).terminal for j in ids))
            self.wait(lambda: w.generation_controller.running_count() == 0)
        return ids

    def set_keys(self, *providers: str) -> None:
        """Pretend these providers have API keys (only to show a failed job)."""
        keys = self.window.generation_controller.keys
        self.keys.clear()
        self.keys.update(providers)
        seen: list[bool] = []
        keys.changed.connect(lambda: seen.append(True))
        self.window.keysChanged.emit(",".join(providers))
        self.wait(lambda: bool(seen))

    def confirm_all(self, status: str) -> None:
        sv, pid = self.sv, self.pid
        for s in sv.scenes.list(pid):
            if s.status == status:
                sv.reviews.confirm(pid, s.scene_id)
        _changed(self.window, pid)


def generation_shots(app, loop, window, services, pid: int) -> None:  # noqa: ANN001
    from storyclip_desktop.jobs import JobEngine
    from storyclip_desktop.ui.generation import install_generation

    keys: set[str] = set()
    gen = install_generation(window, JobEngine(services, poll_interval=0.2), key_lookup=lambda p: p in keys)
    shots = Shots(app, loop, window, services, pid, keys)
    _run(app, loop, gen.start())
    shots.wait(lambda: gen.ready)

    # The editor's path: prompts for every scene (the two typed by hand are kept: the
    # window asks first), confirm them, images for all of them.
    with _dialogs_shot(app, window, "replace-edited"):
        shots.generate("prompts")
    shots.confirm_all("prompt")
    shots.generate("images")
    # A few scenes further along: two images confirmed and animated, a second take of
    # S4's picture (the compare view), and the narration.
    for sid in ("S1", "S2", "S3"):
        services.reviews.confirm(pid, sid)
    _changed(window, pid)
    shots.generate("clips", ["S1", "S2"])
    shots.generate("images", ["S4"])
    shots.generate("narration")

    window.banner.hide()
    _changed(window, pid)
    window.select_scene("S4")
    window.center.setCurrentIndex(1)
    window.inspector.tabs.setCurrentIndex(0)
    window.status.clearMessage()
    shots.wait(lambda: window.preview.media.canvas.state == "ready")
    _shoot(app, window, "generated")

    window.preview.compare_button.setChecked(True)
    _shoot(app, window, "compare")
    window.preview.compare_button.setChecked(False)

    # The jobs panel: everything above done, a job that failed (a key that is said to
    # exist but does not), and a clip rendering right now.
    shots.set_keys("gemini")
    shots.generate("images", ["S6"])
    shots.set_keys()
    running = shots.generate("clips", ["S3"], wait=False)[0]
    shots.wait(lambda: (j := services.generation.job(running)).state == "polling" and j.progress >= 0.1)
    window.jobs_panel.select_job(running)
    window.select_scene("S3")
    window.banner.hide()  # the failure is in the panel; the banner would repeat it
    window.show_jobs()
    window.status.clearMessage()
    _shoot(app, window, "jobs")
    window.jobs_popover.hide()

    with _dialogs_shot(app, window, "delete"):
        window.select_scene("S5")
        window.timeline.view.setFocus()
        window.delete_scenes()

    _run(app, loop, gen.aclose())


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dark", action="store_true", help="the dark scheme (files end in -dark)")
    parser.add_argument("--size", choices=sorted(SIZES), help="one window size (default: all three)")
    args = parser.parse_args()
    if args.size is None:
        for size in SIZES:
            cmd = [sys.executable, __file__, "--size", size] + (["--dark"] if args.dark else [])
            subprocess.run(cmd, check=True)
        return 0
    global SIZE, NAME
    SIZE, scale = SIZES[args.size]
    NAME = f"-{args.size}" + ("-dark" if args.dark else "")
    _isolate()
    if scale != 1:
        os.environ["QT_SCALE_FACTOR"] = str(scale)
    if args.dark:
        os.environ["STORYCLIP_THEME"] = "dark"
    sys.path.insert(0, str(HERE.parent.parent))

    import qasync

    from storyclip_desktop.services import Services
    from storyclip_desktop.services.demo import create_demo
    from storyclip_desktop.ui.app import make_app
    from storyclip_desktop.ui.main_window import MainWindow

    app = make_app([sys.argv[0]])
    # "Already running": the loop runs whenever Qt processes events, as under app.exec(),
    # so the jobs go on while this script settles and grabs.
    loop = qasync.QEventLoop(app, already_running=True)
    asyncio.set_event_loop(loop)
    services = Services.open()
    window = MainWindow(services)
    window.move(0, 0)
    window.resize(*SIZE)
    window.layout_memory.reset()  # the panels sized for this window, as on a screen this size
    window.show()
    window.activateWindow()  # no window manager under Xvfb: take focus ourselves
    _shoot(app, window, "empty")
    with _dialogs_shot(app, window, "new-project"):
        window.sidebar.create_project()

    pid = create_demo(services)
    window.sidebar.reload(prefer=pid)
    window.open_project(pid)
    window.center.setCurrentIndex(0)
    _shoot(app, window, "sample")

    # Scenes part-way through review: S3's prompt waits for the reviewer, S2 was
    # rejected with a comment (both prompts typed by hand).
    services.scenes.edit(pid, "S2", {"image_prompt": "Gyeongbokgung stone wall path, ginkgo leaves "
                                     "drifting, morning light", "motion_prompt": "slow dolly forward",
                                     "negative_prompt": "people, text", "duration": 5}, no_subject=True)
    services.reviews.confirm_prompt(pid, "S2")
    services.reviews.reject(pid, "S2", "은행잎이 더 보이게 해 주세요 / show more ginkgo leaves")
    services.scenes.edit(pid, "S3", {"image_prompt": "Han River park picnic, silver reeds, afternoon"})
    _changed(window, pid)
    window.center.setCurrentIndex(1)
    window.select_scene("S3")
    window.inspector.tabs.setCurrentIndex(0)
    _shoot(app, window, "review")
    window.select_scene("S2")
    _shoot(app, window, "rejected")
    window.inspector.tabs.setCurrentIndex(2)
    _shoot(app, window, "history")
    window.inspector.tabs.setCurrentIndex(0)

    generation_shots(app, loop, window, services, pid)

    # A script over the limit: kept as a draft with its reason; quitting asks.
    window.center.setCurrentIndex(0)
    editor = window.project_page.script.editor
    editor.setPlainText(editor.toPlainText() + "\n\n" + "가을 바람이 불어옵니다. " * 150)
    window.project_page.script.save()
    window.banner.hide()
    with _dialogs_shot(app, window, "script-draft"):
        window.close()  # answered "Cancel": the window stays

    window.project_page.script.editor.setPlainText("")  # let the real close go through
    window.close()
    _close_loop(loop)
    services.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
