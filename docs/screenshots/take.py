"""Screenshots of the main window for the docs.

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python docs/screenshots/take.py [--dark]

Builds a throwaway store in a temp folder (nothing touches the user's data), opens the
window at 1440x900 and saves next to this file:

  empty.png             no projects yet
  sample.png            the sample project's script and settings
  review.png            a scene under review (inspector actions)
  history.png           the same scene's review history
  generated-window.png  the sample after Generate prompts → confirm → Generate images
                        (and a few scenes further: confirmed, clips, narration), all made
                        by the Local preview providers on a real job engine
  compare-window.png    two image versions of one scene side by side
  jobs.png              the jobs panel: finished jobs, one failed, one rendering

Generation runs as in the app: a JobEngine on a qasync loop, wired by
`install_generation`; no API keys are read (the key lookup is a stand-in), so every
step uses the free Local preview and nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SIZE = (1440, 900)


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


def _shoot(app, window, name: str) -> None:  # noqa: ANN001
    _settle(app)
    path = HERE / name
    window.grab().save(str(path))
    print(f"saved {path.relative_to(HERE.parent.parent)}")


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
        if len(self.batches) == before:
            raise RuntimeError(f"nothing queued: {w.reporter.last}")
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
        self.window.events.scenesChanged.emit(pid)
        self.window.events.projectsChanged.emit()


def generation_shots(app, loop, window, services, pid: int, suffix: str) -> None:  # noqa: ANN001
    from PySide6.QtCore import Qt

    from storyclip_desktop.jobs import JobEngine
    from storyclip_desktop.ui.generation import install_generation

    keys: set[str] = set()
    gen = install_generation(window, JobEngine(services, poll_interval=0.2), key_lookup=lambda p: p in keys)
    shots = Shots(app, loop, window, services, pid, keys)
    _run(app, loop, gen.start())
    shots.wait(lambda: gen.ready)

    # The editor's path: prompts for every scene, confirm them, images for all of them.
    shots.generate("prompts")
    shots.confirm_all("prompt")
    shots.generate("images")
    # A few scenes further along: two images confirmed and animated, a second take of
    # S4's picture (the compare view), and the narration.
    for sid in ("S1", "S2", "S3"):
        services.reviews.confirm(pid, sid)
    window.events.scenesChanged.emit(pid)
    shots.generate("clips", ["S1", "S2"])
    shots.generate("images", ["S4"])
    shots.generate("narration")

    window.jobs_dock.hide()
    window.resize(*SIZE)  # the dock may have made the window taller
    window.banner.hide()
    window.events.projectsChanged.emit()
    window.select_scene("S4")
    window.center.setCurrentIndex(1)
    window.inspector.tabs.setCurrentIndex(0)
    window.status.clearMessage()
    _shoot(app, window, f"generated-window{suffix}.png")

    window.preview.compare_button.setChecked(True)
    _shoot(app, window, f"compare-window{suffix}.png")
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
    window.resize(*SIZE)
    window.resizeDocks([window.jobs_dock], [230], Qt.Orientation.Vertical)
    window.status.clearMessage()
    _shoot(app, window, f"jobs{suffix}.png")

    _run(app, loop, gen.aclose())


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dark", action="store_true", help="the dark scheme (files end in -dark)")
    args = parser.parse_args()
    _isolate()
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
    suffix = "-dark" if args.dark else ""
    services = Services.open()
    window = MainWindow(services)
    window.resize(*SIZE)
    window.show()
    window.activateWindow()  # no window manager under Xvfb: take focus ourselves
    _shoot(app, window, f"empty{suffix}.png")

    pid = create_demo(services)
    window.sidebar.reload(prefer=pid)
    window.open_project(pid)
    window.center.setCurrentIndex(0)
    _shoot(app, window, f"sample{suffix}.png")

    # A scene part-way through review, to show the inspector's actions and history.
    scenes = services.scenes.list(pid)
    a, b = scenes[1].scene_id, scenes[2].scene_id
    services.scenes.edit(pid, a, {"image_prompt": "Gyeongbokgung stone wall path, ginkgo leaves "
                                  "drifting, morning light", "motion_prompt": "slow dolly forward",
                                  "negative_prompt": "people, text", "duration": 5}, no_subject=True)
    services.reviews.confirm_prompt(pid, a)
    services.reviews.reject(pid, a, "은행잎이 더 보이게 해 주세요 / show more ginkgo leaves")
    services.scenes.edit(pid, b, {"image_prompt": "Han River park picnic, silver reeds, afternoon"})
    services.reviews.confirm_prompt(pid, b)
    window.events.scenesChanged.emit(pid)
    window.events.projectsChanged.emit()
    window.select_scene(a)
    window.inspector.tabs.setCurrentIndex(0)
    _shoot(app, window, f"review{suffix}.png")
    window.inspector.tabs.setCurrentIndex(2)
    _shoot(app, window, f"history{suffix}.png")

    generation_shots(app, loop, window, services, pid, suffix)

    window.close()
    _close_loop(loop)
    services.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
