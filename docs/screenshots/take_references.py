"""Screenshots of characters and reference images for the docs.

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python docs/screenshots/take_references.py [--dark]

A throwaway store (nothing touches the user's data): a project with two characters and a
style reference, one scene that names both, its image made by the Local preview (which
draws the references into its card). Saves next to this file:

  characters.png        the project page's Characters & style panel
  character-picker.png  the inspector's character picker with the preview of that image
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from take import SIZE, _isolate, _shoot  # noqa: E402

SCRIPT = """민지가 골목 끝 작은 빵집 문을 연다. 따뜻한 빛이 새어 나온다.

Jun은 창가 자리에서 스케치북을 펼치고 민지를 그린다.

민지와 Jun이 한강 다리 위를 걷는다. 노을이 진다.

비 오는 거리, 우산들이 지나간다."""


def _portrait(rgb: tuple[int, int, int], initial: str) -> bytes:
    from PIL import Image, ImageDraw

    from storyclip_desktop.providers.local.images import _font

    img = Image.new("RGB", (360, 480), (236, 230, 222))
    d = ImageDraw.Draw(img)
    d.ellipse((110, 70, 250, 230), fill=(233, 196, 170))  # face
    d.pieslice((90, 50, 270, 250), 180, 360, fill=(60, 40, 30))  # hair
    d.rounded_rectangle((70, 250, 290, 480), radius=60, fill=rgb)  # jacket
    d.text((180, 380), initial, font=_font(64, bold=True), fill=(255, 255, 255), anchor="mm")
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def _style() -> bytes:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (480, 480), (40, 50, 90))
    d = ImageDraw.Draw(img)
    for i in range(8):
        d.ellipse((i * 55, 300 - i * 25, i * 55 + 160, 460 - i * 25), fill=(250 - i * 12, 170 + i * 8, 90 + i * 15))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dark", action="store_true", help="the dark scheme (files end in -dark)")
    args = parser.parse_args()
    _isolate()
    if args.dark:
        os.environ["STORYCLIP_THEME"] = "dark"
    sys.path.insert(0, str(HERE.parent.parent))

    from storyclip_desktop.jobs import JobEngine
    from storyclip_desktop.jobs.reference_import import add_reference_file
    from storyclip_desktop.services import Services
    from storyclip_desktop.ui.app import make_app
    from storyclip_desktop.ui.main_window import MainWindow

    suffix = "-dark" if args.dark else ""
    sv = Services.open()
    sv.generation.key_check = lambda provider: False  # the Local preview: nothing leaves the machine
    pid = sv.projects.create("빵집 이야기", description="두 사람, 네 장면", script=SCRIPT)
    sv.preferences.update(pid, custom_style="soft watercolour, warm evening light")
    sv.scenes.split(pid)
    files = Path(os.environ["STORYCLIP_DATA_DIR"]) / "refs"
    files.mkdir(parents=True)
    for name, data in (("minji-1.png", _portrait((200, 70, 90), "민")), ("minji-2.png", _portrait((220, 120, 60), "민")),
                       ("jun.png", _portrait((50, 90, 170), "J")), ("style.png", _style())):
        (files / name).write_bytes(data)
    sv.references.add_character(pid, "민지")
    sv.references.add_character(pid, "Jun")
    sv.references.add_character(pid, "할머니")
    add_reference_file(sv, pid, files / "minji-1.png", character="민지")
    add_reference_file(sv, pid, files / "minji-2.png", character="민지")
    add_reference_file(sv, pid, files / "jun.png", character="Jun")
    add_reference_file(sv, pid, files / "style.png", style=True)
    sv.scenes.edit(pid, "S3", {"image_prompt": "민지 and Jun walk across a Han River bridge at sunset",
                               "motion_prompt": "slow tracking shot"})
    sv.reviews.confirm(pid, "S3")
    sv.references.link(pid, "S3", ["민지"])  # Jun is only suggested, for the picker to show

    async def images() -> None:
        engine = JobEngine(sv, poll_interval=0.1)
        try:
            ids = sv.generation.images(pid, ["S3"]).job_ids
            await engine.submit(ids)
            await engine.wait(ids)
        finally:
            await engine.aclose()

    sv.references.link(pid, "S3", ["민지", "Jun"])
    asyncio.run(images())
    sv.references.link(pid, "S3", ["민지"])

    app = make_app([sys.argv[0]])
    window = MainWindow(sv)
    window.resize(*SIZE)
    window.show()
    window.activateWindow()
    window.sidebar.reload(prefer=pid)
    window.open_project(pid)
    window.center.setCurrentIndex(0)
    _shoot(app, window, f"characters{suffix}.png")
    window.center.setCurrentIndex(1)
    window.select_scene("S3")
    window.inspector.tabs.setCurrentIndex(0)
    _shoot(app, window, f"character-picker{suffix}.png")
    window.close()
    sv.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
