from __future__ import annotations

import subprocess

import imageio_ffmpeg
import pytest
from PIL import Image

from storyclip_desktop.media.library import MediaLibrary
from storyclip_desktop.media.thumbnails import ensure_thumbnail


def _check_once(media, root, size=320):
    thumb = ensure_thumbnail(media, root, size)
    assert thumb.parent == root / ".thumbs"
    assert thumb.name == f"{media.stem}_{size}.jpg"
    mtime = thumb.stat().st_mtime_ns
    with Image.open(thumb) as img:
        assert img.format == "JPEG"
        assert max(img.size) == size
    assert ensure_thumbnail(media, root, size) == thumb
    assert thumb.stat().st_mtime_ns == mtime
    return thumb


def test_image_thumbnail_made_once(tmp_path, png_bytes):
    lib = MediaLibrary(tmp_path / "media")
    media = lib.store_bytes(png_bytes, ".png")
    thumb = _check_once(media, lib.root)
    with Image.open(thumb) as img:
        assert img.size == (180, 320)  # 480x854 kept in proportion


def test_clip_thumbnail_is_the_first_frame(tmp_path):
    lib = MediaLibrary(tmp_path / "media")
    tmp = lib.temp_path(".mp4")
    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-v", "error", "-f", "lavfi",
         "-i", "color=c=red:s=640x360:d=1:r=24", "-pix_fmt", "yuv420p", str(tmp)],
        check=True,
    )  # fmt: skip
    media = lib.store_file(tmp, ".mp4")
    thumb = _check_once(media, lib.root, 160)
    with Image.open(thumb) as img:
        assert img.size == (160, 90)
        r, g, b = img.convert("RGB").getpixel((80, 45))
        assert r > 200 and g < 60 and b < 60


def test_unsupported_file(tmp_path):
    f = tmp_path / "notes.txt"
    f.write_text("hi")
    with pytest.raises(ValueError):
        ensure_thumbnail(f, tmp_path)
