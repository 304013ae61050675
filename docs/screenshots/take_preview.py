"""Render the timeline and the preview pane with real generated pictures, for review.

    xvfb-run -a -s "-screen 0 1600x1000x24" .venv/bin/python docs/screenshots/take_preview.py

Writes next to this file:
  timeline.png        the card strip, dark theme: mixed statuses, a busy card, a
                      two-card selection and the drop indicator of a drag in progress
  timeline-light.png  the same strip in the light theme
  timeline-end.png    the end of the strip: a missing file, the last scenes
  generated.png       the preview pane on a generated picture with its versions and the
                      narration bar, above the timeline
  compare.png         two versions side by side in the compare view
"""

from __future__ import annotations

import math
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

OUT = Path(__file__).resolve().parent
ROOT = OUT.parents[1]
sys.path.insert(0, str(ROOT))

NARRATIONS = [
    "서울의 가을은 짧지만 강렬합니다. 북한산 능선이 붉게 물들기 시작하면 도시 전체가 천천히 색을 바꿉니다.",
    "아침 일찍 경복궁 돌담길을 걸어 보세요. 은행잎이 바람에 흩날리고, 궁궐 지붕 위로 햇살이 내려앉습니다.",
    "In the afternoon, the Han River parks fill with picnics. Cyclists glide past fields of silver reeds.",
    "해가 지면 남산타워에 불이 켜집니다. 서울의 밤은 가을에 가장 아름답습니다!",
    "Street food stalls in Gwangjang Market steam with bindaetteok and tteokbokki.",
    "북촌 한옥마을 골목에는 기와지붕 사이로 파란 하늘이 보입니다.",
    "A quiet temple in the mountains: lanterns sway above the stone path.",
    "청계천을 따라 걷다 보면 도심 한가운데서 물소리가 들립니다.",
    "The last subway home, city lights streaking past the window.",
    "다음 주말에는 단풍이 절정입니다. 서두르세요.",
    "Seoul in autumn — 짧아서 더 아름다운 계절.",
    "끝.",
]


# -- pictures ---------------------------------------------------------------------------


def landscape(path: Path, seed: int, size: tuple[int, int] = (720, 1280)) -> Path:
    """A generated-looking illustration: sky gradient, a sun, layered ridges, a skyline."""
    rng = random.Random(seed)
    w, h = size
    hue = (seed * 0.618034) % 1  # golden-ratio steps: neighbours differ clearly
    top = _hsv(hue, 0.55, 0.35 + 0.3 * rng.random())
    bottom = _hsv((hue + 0.08) % 1, 0.65, 0.95)
    img = Image.new("RGB", size)
    d = ImageDraw.Draw(img)
    for y in range(h):
        t = y / h
        d.line([(0, y), (w, y)], fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
    sun_x, sun_y, r = rng.randint(w // 5, 4 * w // 5), rng.randint(h // 6, h // 3), rng.randint(w // 12, w // 6)
    glow = Image.new("L", size, 0)
    ImageDraw.Draw(glow).ellipse((sun_x - 3 * r, sun_y - 3 * r, sun_x + 3 * r, sun_y + 3 * r), fill=90)
    img.paste(Image.new("RGB", size, (255, 236, 190)), mask=glow.filter(ImageFilter.GaussianBlur(r)))
    d = ImageDraw.Draw(img)
    d.ellipse((sun_x - r, sun_y - r, sun_x + r, sun_y + r), fill=(255, 244, 214))
    for layer in range(4):
        base = h * (0.45 + 0.12 * layer)
        color = _hsv((hue + 0.55 + 0.04 * layer) % 1, 0.45, 0.55 - 0.12 * layer)
        pts = [(0, h)]
        for x in range(0, w + 40, 40):
            pts.append((x, base - 90 * math.sin(x / (90 + 40 * layer) + seed + layer) - rng.randint(0, 40)))
        pts.append((w, h))
        d.polygon(pts, fill=color)
    x = 0
    while x < w:  # a skyline in the foreground
        bw, bh = rng.randint(30, 70), rng.randint(60, 260)
        d.rectangle((x, h - bh, x + bw, h), fill=(20, 22, 30))
        for wy in range(h - bh + 12, h - 10, 22):
            for wx in range(x + 6, x + bw - 8, 14):
                if rng.random() < 0.35:
                    d.rectangle((wx, wy, wx + 5, wy + 8), fill=(255, 214, 120))
        x += bw + rng.randint(2, 10)
    img.save(path)
    return path


def _hsv(h: float, s: float, v: float) -> tuple[int, int, int]:
    import colorsys

    return tuple(round(c * 255) for c in colorsys.hsv_to_rgb(h, s, v))


def ffmpeg(*args: str) -> None:
    import imageio_ffmpeg

    subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", *args], check=True, timeout=120)


# -- project ----------------------------------------------------------------------------


def build(sv, media: Path) -> int:  # noqa: ANN001
    pid = sv.projects.create("서울의 가을", description="A 30-second autumn walk through Seoul")
    sv.scenes.split(pid, chunks=NARRATIONS)

    def image(sid: str, seed: int, provider: str = "gemini", model: str = "gemini-2.5-flash-image") -> None:
        path = landscape(media / f"{sid}-{seed}.png", seed)
        sv.assets.add_scene_version(pid, sid, "image", str(path), {"provider": provider, "model": model})

    def confirm_prompt(sid: str) -> None:
        sv.scenes.edit(pid, sid, {"image_prompt": f"autumn Seoul, {sid}, warm film photography"})
        sv.reviews.confirm(pid, sid)

    for i, sid in enumerate(sv.scenes.list(pid)):
        sid = sid.scene_id
        n = i + 1
        if n in (1, 2, 3, 4, 8, 9, 10, 11):
            confirm_prompt(sid)
            image(sid, seed=n * 11)
        if n == 3:  # three versions from two providers: the compare subject
            image(sid, seed=301, provider="openai", model="gpt-image-1")
            image(sid, seed=302)
        if n in (1, 2, 9):
            sv.reviews.confirm(pid, sid)  # image_confirmed
        if n == 1:
            clip = media / "S1.mp4"
            still = media / f"{sid}-11.png"
            ffmpeg("-loop", "1", "-i", str(still), "-t", "2", "-vf", "scale=360:640", "-pix_fmt", "yuv420p", str(clip))
            sv.assets.add_scene_version(pid, sid, "clip", str(clip), {"provider": "seedance", "model": "seedance-1-pro"})
        if n == 5:
            confirm_prompt(sid)  # prompt_confirmed, no picture yet
        if n == 6:
            sv.scenes.edit(pid, sid, {"image_prompt": "a hanok alley"})  # prompt to review
        if n == 10:  # the file was removed from disk after it was registered
            sv.assets.add_scene_version(pid, sid, "image", str(media / "deleted.png"), {"provider": "gemini"})
    narration = media / "narration.wav"
    ffmpeg("-f", "lavfi", "-i", "sine=frequency=220:duration=30", str(narration))
    sv.assets.add_narration_version(pid, str(narration), {"provider": "local", "model": "Bin"})
    return pid


# -- rendering ----------------------------------------------------------------------------


def settle(app, loader) -> None:  # noqa: ANN001
    from PySide6.QtTest import QTest

    for _ in range(4):
        QTest.qWait(150)  # lets the canvases' resize debounce fire
        loader.wait(10_000)
        app.processEvents()


def main() -> None:
    os.environ.setdefault("STORYCLIP_THEME", "dark")
    work = Path(tempfile.mkdtemp(prefix="storyclip-shots-"))
    os.environ["STORYCLIP_MEDIA_DIR"] = str(work / "library")
    from PySide6.QtGui import QUndoStack
    from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget

    from storyclip_desktop.services import Services
    from storyclip_desktop.ui.imaging import ImageLoader
    from storyclip_desktop.ui.preview import PreviewPane
    from storyclip_desktop.ui.timeline import TimelineWidget

    app = QApplication.instance() or QApplication(sys.argv[:1])
    try:
        from storyclip_desktop.ui import theme

        theme.apply(app)
    except ImportError:  # the theme module belongs to the window; fall back to Fusion
        theme = None
        app.setStyle("Fusion")

    media = work / "media"
    media.mkdir()
    sv = Services.open(f"sqlite:///{work / 'shots.sqlite3'}", node=1)
    pid = build(sv, media)
    loader = ImageLoader.shared()

    # 1. The timeline strip (dark), mid-drag.
    tl = TimelineWidget(sv, QUndoStack(), loader=loader)
    tl.resize(1560, tl.sizeHint().height())  # the strip as tall as its cards
    tl.set_project(pid)
    tl.show()
    tl.select_scene("S3")
    sel = tl.view.selectionModel()
    sel.select(tl.model.index_of("S5"), sel.SelectionFlag.Select)
    tl.set_busy("S4", True)
    settle(app, loader)
    tl.view._set_drop_gap(7)  # as while dragging S3+S5 between S7 and S8
    tl.view.viewport().repaint()
    tl.grab().save(str(OUT / "timeline.png"))

    # 2. The same in the light theme.
    if theme is not None:
        os.environ["STORYCLIP_THEME"] = "light"
        theme.apply(app)
        settle(app, loader)
        tl.view.viewport().repaint()
        tl.grab().save(str(OUT / "timeline-light.png"))
        os.environ["STORYCLIP_THEME"] = "dark"
        theme.apply(app)
    tl.view._set_drop_gap(None)
    # The end of the strip: a picture whose file is gone, and more statuses.
    tl.set_busy("S4", False)
    tl.select_scene("S11")
    tl.view.horizontalScrollBar().setValue(tl.view.horizontalScrollBar().maximum())
    settle(app, loader)
    tl.grab().save(str(OUT / "timeline-end.png"))
    tl.close()

    # 3. Preview of a generated picture above the timeline, as the window arranges them.
    frame = QWidget()
    frame.resize(1500, 980)
    lay = QVBoxLayout(frame)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.setSpacing(0)
    pane = PreviewPane(sv, loader=loader)
    strip = TimelineWidget(sv, QUndoStack(), loader=loader)
    lay.addWidget(pane, 1)
    lay.addWidget(strip)
    strip.sceneActivated.connect(lambda sid: pane.show_scene(pid, sid))
    strip.set_project(pid)
    frame.show()
    strip.select_scene("S3")
    settle(app, loader)
    pane.preview(pane.strip.versions.version(1))  # looking at v2 (v3 is in use)
    settle(app, loader)
    frame.grab().save(str(OUT / "generated.png"))

    # 4. Compare v2 (candidate) with v3 (in use).
    pane.compare_button.click()
    frame.resize(1500, 980)
    settle(app, loader)
    pane.grab().save(str(OUT / "compare.png"))
    frame.close()
    sv.close()
    print("wrote", ", ".join(p.name for p in sorted(OUT.glob("*.png"))))


if __name__ == "__main__":
    main()
