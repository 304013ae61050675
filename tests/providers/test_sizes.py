from __future__ import annotations

import io

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from storyclip_desktop.providers.openai import IMAGE_SIZES
from storyclip_desktop.providers.sizes import SHORT_SIDE, fit_png, nearest_ratio, target_size

from .fakes import GREEN, RED, framed_png


@pytest.mark.parametrize(
    ("ratio", "resolution", "size"),
    [
        ("9:16", "480p", (480, 854)),
        ("9:16", "720p", (720, 1280)),
        ("9:16", "1080p", (1080, 1920)),
        ("16:9", "720p", (1280, 720)),
        ("1:1", "480p", (480, 480)),
        ("4:3", "480p", (640, 480)),
        ("3:4", "720p", (720, 960)),
        ("21:9", "1080p", (2520, 1080)),
    ],
)
def test_target_size(ratio, resolution, size):
    assert target_size(ratio, resolution) == size


@given(w=st.integers(1, 40), h=st.integers(1, 40), resolution=st.sampled_from(sorted(SHORT_SIDE)))
def test_target_size_is_even_with_the_short_side_of_the_resolution(w, h, resolution):
    width, height = target_size(f"{w}:{h}", resolution)
    assert width % 2 == 0 and height % 2 == 0
    assert min(width, height) == SHORT_SIDE[resolution]
    assert (width > height) == (w > h)
    # rounding to even costs at most one pixel on the long side
    assert abs(width * h - height * w) <= max(w, h)


@pytest.mark.parametrize(
    ("ratio", "resolution"), [("9x16", "480p"), ("0:1", "720p"), ("9:16", "4k")]
)
def test_target_size_rejects_nonsense(ratio, resolution):
    with pytest.raises(ValueError):
        target_size(ratio, resolution)


@pytest.mark.parametrize(
    ("ratio", "size"),
    [
        ("9:16", "1024x1536"),
        ("3:4", "1024x1536"),
        ("16:9", "1536x1024"),
        ("21:9", "1536x1024"),
        ("1:1", "1024x1024"),
    ],
)
def test_nearest_openai_size(ratio, size):
    assert nearest_ratio(ratio, IMAGE_SIZES) == size


def test_fit_png_center_crops_instead_of_stretching():
    out = Image.open(io.BytesIO(fit_png(framed_png(1024, 1536), 480, 854)))
    assert out.format == "PNG" and out.size == (480, 854)
    # 1024x1536 is wider than 9:16, so the sides (and their red frame) are cut away...
    assert out.getpixel((1, 427)) == GREEN
    assert out.getpixel((478, 427)) == GREEN
    # ...while top and bottom are kept
    assert out.getpixel((240, 1)) == RED
