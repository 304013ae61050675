"""How tall a 9:16 picture is in the window, single and compared, at common sizes
(with the jobs panel open): the figures in the issue-10 note.

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots/measure.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SIZES = ((1024, 700), (1280, 800), (1440, 900), (1920, 1080))


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="storyclip-measure-"))
    for var, sub in (("STORYCLIP_DATA_DIR", "data"), ("STORYCLIP_CONFIG_DIR", "config"),
                     ("STORYCLIP_MEDIA_DIR", "media")):
        os.environ[var] = str(tmp / sub)
    sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "ui")]
    from PySide6.QtWidgets import QApplication
    from timeline_support import add_image, make_project, write_png

    from storyclip_desktop.services import Services
    from storyclip_desktop.ui.main_window import MainWindow

    app = QApplication([])

    def pump(seconds: float = 0.5) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.01)

    sv = Services.open(f"sqlite:///{tmp / 'store.sqlite3'}", node=3)
    pid = make_project(sv, 5)
    add_image(sv, pid, "S1", write_png(tmp / "a.png", (200, 60, 40), (540, 960)))
    add_image(sv, pid, "S1", write_png(tmp / "b.png", (40, 60, 200), (540, 960)))
    for size in SIZES:
        w = MainWindow(sv)
        w.resize(*size)
        w.layout_memory.reset()
        w.show()
        w.sidebar.reload(prefer=pid)
        w.open_project(pid)
        pump()
        w.select_scene("S1")
        w.center.setCurrentIndex(1)
        w.show_jobs()
        pump(1.0)
        single = w.preview.media.canvas.frame_rect().height()
        w.preview.compare_button.click()
        pump(1.0)
        half = w.preview.compare.left.media.canvas.frame_rect().height()
        print(f"{size[0]}x{size[1]}: 9:16 preview {single:.0f} px tall ({single / size[1]:.0%} of the window); "
              f"compare halves {half:.0f} px ({half / single:.0%} of it); window stays {w.width()}x{w.height()}")
        w.preview.compare_button.click()
        w.close()
        pump(0.2)
    sv.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
