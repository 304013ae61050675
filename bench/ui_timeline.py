"""Timeline scrolling with 1,000 scenes: how long one frame takes to paint.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/ui_timeline.py [--scenes 1000] [--no-images]

Builds a real SQLite project of N scenes (each with its own generated PNG unless
--no-images), shows the TimelineWidget 1600 px wide, then scrolls it in 120 px steps,
forcing `viewport().repaint()` and timing each one:

  cold: first pass, thumbnails not decoded yet (cards paint placeholders; the event-loop
        time between frames -- file lookups, queueing decodes, delivering images -- is
        reported separately, since it is GUI-thread time too)
  warm: second pass over the same range, thumbnails in the cache
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def build_project(sv, root: Path, n: int, images: bool) -> int:  # noqa: ANN001
    from PIL import Image

    pid = sv.projects.create("bench 1000")
    texts = [
        "서울의 가을은 짧지만 강렬합니다. 북한산 능선이 붉게 물들기 시작하면 도시 전체가 색을 바꿉니다.",
        "In the afternoon, the Han River parks fill with picnics and cyclists glide past silver reeds.",
    ]
    sv.scenes.split(pid, chunks=[f"{texts[i % 2]} #{i + 1}" for i in range(n)])
    if images:
        for i in range(n):
            sid = f"S{i + 1}"
            path = root / f"img_{i:04d}.png"
            hue = (i * 37) % 255
            Image.new("HSV", (640, 360), (hue, 160, 200)).convert("RGB").save(path)
            sv.scenes.edit(pid, sid, {"image_prompt": f"scene {i}"})
            sv.reviews.confirm(pid, sid)
            sv.assets.add_scene_version(pid, sid, "image", str(path), {"provider": "local", "model": "bench"})
    return pid


def percentile(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def scroll_pass(app, widget, steps: int, step_px: int) -> tuple[list[float], list[float]]:  # noqa: ANN001
    """Repaint time per frame and GUI-thread event time between frames, in ms."""
    view = widget.view
    bar = view.horizontalScrollBar()
    bar.setValue(0)
    app.processEvents()
    frames, between = [], []
    for _ in range(steps):
        bar.setValue(min(bar.maximum(), bar.value() + step_px))
        t0 = time.perf_counter()
        view.viewport().repaint()
        t1 = time.perf_counter()
        app.processEvents()
        t2 = time.perf_counter()
        frames.append((t1 - t0) * 1000)
        between.append((t2 - t1) * 1000)
        if bar.value() >= bar.maximum():
            break
    return frames, between


def run(n: int = 1000, images: bool = True, steps: int | None = None, step_px: int = 120) -> dict:
    from PySide6.QtGui import QUndoStack
    from PySide6.QtWidgets import QApplication

    from storyclip_desktop.services import Services
    from storyclip_desktop.ui.imaging import ImageLoader
    from storyclip_desktop.ui.timeline import TimelineWidget

    app = QApplication.instance() or QApplication(sys.argv[:1])
    root = Path(tempfile.mkdtemp(prefix="storyclip-bench-"))
    os.environ.setdefault("STORYCLIP_MEDIA_DIR", str(root / "media"))
    sv = Services.open(f"sqlite:///{root / 'bench.sqlite3'}", node=1)
    try:
        t = time.perf_counter()
        pid = build_project(sv, root, n, images)
        build_s = time.perf_counter() - t
        loader = ImageLoader()
        widget = TimelineWidget(sv, QUndoStack(), loader=loader)
        widget.resize(1600, 260)
        t = time.perf_counter()
        shown: list[bool] = []
        # The scenes are read off the GUI thread (ui/ops): the load runs until they are in.
        widget.set_project(pid, then=lambda: shown.append(True))
        widget.show()
        while not shown:
            if time.perf_counter() - t > 60:
                raise RuntimeError("the timeline did not load its scenes within 60 s")
            app.processEvents()
            time.sleep(0.001)
        app.processEvents()
        load_ms = (time.perf_counter() - t) * 1000
        total = widget.view.horizontalScrollBar().maximum()
        steps = steps or (total // step_px + 1)
        cold, cold_between = scroll_pass(app, widget, steps, step_px)
        loader.wait(60_000)
        app.processEvents()
        warm, warm_between = scroll_pass(app, widget, steps, step_px)
        result = {
            "scenes": n,
            "images": images,
            "build_s": build_s,
            "load_ms": load_ms,
            "frames": len(cold),
            "cold_median_ms": statistics.median(cold),
            "cold_p95_ms": percentile(cold, 0.95),
            "cold_between_median_ms": statistics.median(cold_between),
            "cold_between_p95_ms": percentile(cold_between, 0.95),
            "warm_median_ms": statistics.median(warm),
            "warm_p95_ms": percentile(warm, 0.95),
            "warm_between_p95_ms": percentile(warm_between, 0.95),
            "visible_cards": widget.view.viewport().width() / widget.view.visualRect(widget.model.index(0)).width(),
        }
        widget.close()
        loader.shutdown()
        return result
    finally:
        sv.close()
        shutil.rmtree(root, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenes", type=int, default=1000)
    ap.add_argument("--no-images", action="store_true")
    ap.add_argument("--steps", type=int, default=None, help="frames per pass (default: the whole strip)")
    args = ap.parse_args()
    r = run(args.scenes, not args.no_images, args.steps)
    print(f"scenes={r['scenes']} images={r['images']} build={r['build_s']:.1f}s "
          f"set_project+show={r['load_ms']:.1f}ms frames/pass={r['frames']} "
          f"visible cards={r['visible_cards']:.1f}")
    print(f"cold  repaint: median {r['cold_median_ms']:.2f} ms  p95 {r['cold_p95_ms']:.2f} ms   "
          f"(event loop between frames: median {r['cold_between_median_ms']:.2f} ms  p95 {r['cold_between_p95_ms']:.2f} ms)")
    print(f"warm  repaint: median {r['warm_median_ms']:.2f} ms  p95 {r['warm_p95_ms']:.2f} ms   "
          f"(event loop between frames: p95 {r['warm_between_p95_ms']:.2f} ms)")


if __name__ == "__main__":
    main()
