"""Screenshots of the main window for the docs.

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python docs/screenshots/take.py [--dark]

Builds a throwaway store in a temp folder (nothing touches the user's data), opens the
window at 1440x900 and saves `empty.png` (no projects), `sample.png` (the sample
project) and `review.png` (a scene under review) next to this file.
"""

from __future__ import annotations

import argparse
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
    os.environ["STORYCLIP_NODE"] = "7"


def _settle(app, seconds: float = 0.6) -> None:  # noqa: ANN001
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)


def _shoot(app, window, name: str) -> None:  # noqa: ANN001
    _settle(app)
    path = HERE / name
    window.grab().save(str(path))
    print(f"saved {path.relative_to(HERE.parent.parent)}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dark", action="store_true", help="the dark scheme (files end in -dark)")
    args = parser.parse_args()
    _isolate()
    if args.dark:
        os.environ["STORYCLIP_THEME"] = "dark"
    sys.path.insert(0, str(HERE.parent.parent))

    from storyclip_desktop.services import Services
    from storyclip_desktop.services.demo import create_demo
    from storyclip_desktop.ui.app import make_app
    from storyclip_desktop.ui.main_window import MainWindow

    app = make_app([sys.argv[0]])
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

    window.close()
    services.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
