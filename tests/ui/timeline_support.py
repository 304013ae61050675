"""Helpers for the timeline and preview tests: real projects, real PNG and MP4 files."""

from __future__ import annotations

import subprocess
from pathlib import Path

from PIL import Image, ImageDraw

NARRATIONS_KO = [
    "서울의 가을은 짧지만 강렬합니다. 북한산 능선이 붉게 물들기 시작하면 도시 전체가 천천히 색을 바꿉니다.",
    "아침 일찍 경복궁 돌담길을 걸어 보세요. 은행잎이 바람에 흩날립니다.",
    "In the afternoon, the Han River parks fill with picnics.",
    "해가 지면 남산타워에 불이 켜집니다.",
]


def make_project(sv, n: int, title: str = "타임라인 test") -> int:
    pid = sv.projects.create(title)
    chunks = [f"{NARRATIONS_KO[i % len(NARRATIONS_KO)]} ({i + 1})" for i in range(n)]
    sv.scenes.split(pid, chunks=chunks)
    return pid


def db_order(sv, pid: int) -> list[str]:
    return [s.scene_id for s in sv.scenes.list(pid)]


def write_png(path: Path, color: tuple[int, int, int], size: tuple[int, int] = (640, 360), label: str = "") -> Path:
    img = Image.new("RGB", size, color)
    d = ImageDraw.Draw(img)
    w, h = size
    d.rectangle((w // 8, h // 8, w - w // 8, h - h // 8), outline=(255, 255, 255), width=max(2, w // 80))
    if label:
        d.text((w // 6, h // 6), label, fill=(255, 255, 255))
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path)
    return path


def to_prompt_confirmed(sv, pid: int, scene_id: str) -> None:
    sv.scenes.edit(pid, scene_id, {"image_prompt": f"a picture for {scene_id}"})
    sv.reviews.confirm(pid, scene_id)


def add_image(sv, pid: int, scene_id: str, path: Path, model: str = "local-preview"):
    """Register an image version (first bringing the scene to prompt_confirmed)."""
    if sv.scenes.get(pid, scene_id).status in ("init", "prompt"):
        if sv.scenes.get(pid, scene_id).status == "init":
            sv.scenes.edit(pid, scene_id, {"image_prompt": f"a picture for {scene_id}"})
        sv.reviews.confirm(pid, scene_id)
    return sv.assets.add_scene_version(pid, scene_id, "image", str(path), {"provider": "local", "model": model})


def make_mp4(path: Path, seconds: float = 1.0, size: str = "180x320") -> Path:
    import imageio_ffmpeg

    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi",
            "-i", f"testsrc=size={size}:rate=12", "-t", str(seconds),
            "-pix_fmt", "yuv420p", "-c:v", "libx264", str(path),
        ],
        check=True,
        timeout=60,
    )
    return path


def make_wav(path: Path, seconds: float = 1.0) -> Path:
    import imageio_ffmpeg

    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi",
            "-i", f"sine=frequency=440:duration={seconds}", str(path),
        ],
        check=True,
        timeout=60,
    )
    return path


def loaded(timeline, timeout_s: float = 15.0) -> None:
    """Wait, with Qt's events flowing, until a timeline (widget or model) has read what
    it asked for: scenes are read off the GUI thread (ui/ops)."""
    import time

    from PySide6.QtWidgets import QApplication

    ops = getattr(timeline, "model", timeline).ctx.ops
    end = time.monotonic() + timeout_s
    while not ops.idle():
        assert time.monotonic() < end, "the timeline's reads did not come back"
        QApplication.processEvents()
        time.sleep(0.001)
