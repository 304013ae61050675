"""Start-up of the window with a 1,000-scene project, against a bare PySide6 window.

Reports, per run: time from process start to the first painted window (measured by the
parent from spawning the process to the child's first Paint event), and the peak RSS of
the window process once the thumbnails of the visible cards are loaded.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/window_startup.py [--runs 5]
    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python bench/window_startup.py
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SCENES = 1000


def build_store(root: Path) -> int:
    """A local store with a 1,000-scene project; every scene has a generated image."""
    from PIL import Image

    from storyclip_desktop.services import Services

    sv = Services.open(f"sqlite:///{root / 'bench.sqlite3'}", node=1)
    pid = sv.projects.create("천 장면")
    sv.scenes.split(pid, chunks=[f"장면 {i}: 바람이 분다. Scene {i}." for i in range(1, SCENES + 1)])
    images = root / "images"
    images.mkdir()
    for i, scene in enumerate(sv.scenes.list(pid)):
        sv.scenes.edit(pid, scene.scene_id, {"image_prompt": f"scene {i}"})
        sv.reviews.confirm(pid, scene.scene_id)
        path = images / f"{i}.png"
        buf = io.BytesIO()
        Image.new("RGB", (480, 854), ((i * 37) % 255, (i * 91) % 255, (i * 53) % 255)).save(buf, "PNG")
        path.write_bytes(buf.getvalue())
        sv.assets.add_scene_version(pid, scene.scene_id, "image", path.as_uri(), {"provider": "local"})
    sv.close()
    return pid


def child(kind: str, url: str, pid: int) -> None:
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    app = QApplication(sys.argv)

    class FirstPaint(QObject):
        done = False

        def eventFilter(self, obj, event):  # noqa: N802
            if event.type() == QEvent.Type.Paint and not self.done:
                self.done = True
                print("painted", flush=True)
                QTimer.singleShot(3000, report)  # let the visible thumbnails load
            return False

    def report() -> None:
        import resource

        print(f"rss {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}", flush=True)
        app.quit()

    if kind == "bare":
        window = QMainWindow()
    else:
        from storyclip_desktop.services import Services
        from storyclip_desktop.ui.app import make_app  # noqa: F401 - same theme as the app
        from storyclip_desktop.ui.main_window import MainWindow

        services = Services.open(url, node=1)
        window = MainWindow(services)
        window.open_project(pid)
    probe = FirstPaint()
    window.installEventFilter(probe)
    window.resize(1440, 900)
    window.show()
    app.exec()


def run_once(kind: str, url: str, pid: int, env: dict) -> tuple[float, float]:
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", kind, url, str(pid)],
        stdout=subprocess.PIPE, text=True, env=env,
    )
    first = None
    rss = float("nan")
    for line in proc.stdout:
        if line.startswith("painted") and first is None:
            first = (time.perf_counter() - t0) * 1000
        elif line.startswith("rss"):
            rss = int(line.split()[1]) / 1024
    proc.wait(60)
    return first or float("nan"), rss


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="storyclip-startup-"))
    env = dict(os.environ, STORYCLIP_CONFIG_DIR=str(root / "config"), STORYCLIP_DATA_DIR=str(root / "data"))
    os.environ.update(env)
    pid = build_store(root)
    url = f"sqlite:///{root / 'bench.sqlite3'}"
    print(f"platform: {os.environ.get('QT_QPA_PLATFORM') or 'xcb (DISPLAY=' + os.environ.get('DISPLAY', '') + ')'}")
    print(f"{'window':<34} {'first paint ms (median)':>24} {'min':>7} {'peak RSS MB':>12}")
    for kind, label in (("bare", "bare QMainWindow"), ("storyclip", f"StoryClip, {SCENES} scenes + images")):
        runs = [run_once(kind, url, pid, env) for _ in range(args.runs)]
        paints = [r[0] for r in runs]
        print(f"{label:<34} {statistics.median(paints):>24.0f} {min(paints):>7.0f} {max(r[1] for r in runs):>12.1f}")


if __name__ == "__main__":
    main()
