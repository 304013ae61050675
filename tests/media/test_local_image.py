from __future__ import annotations

import asyncio
import io

import pytest
from PIL import Image, ImageStat

from storyclip_desktop.providers.base import ImageRequest, ProviderError
from storyclip_desktop.providers.local import LocalImageProvider


def _generate(prompt: str, ratio: str = "9:16", resolution: str = "480p", **kw) -> Image.Image:
    req = ImageRequest(prompt=prompt, ratio=ratio, resolution=resolution, **kw)
    result = asyncio.run(LocalImageProvider().generate_image(req))
    img = Image.open(io.BytesIO(result.png))
    assert img.format == "PNG"
    assert img.size == (result.width, result.height)
    assert result.model == "local-preview"
    assert result.usage_tokens == 0
    return img


@pytest.mark.parametrize(
    ("ratio", "resolution", "size"),
    [
        ("9:16", "480p", (480, 854)),
        ("16:9", "720p", (1280, 720)),
        ("1:1", "1080p", (1080, 1080)),
        ("4:3", "480p", (640, 480)),
        ("3:4", "720p", (720, 960)),
    ],
)
def test_exact_frame_size(ratio, resolution, size):
    assert _generate("a quiet harbour", ratio, resolution).size == size


def test_two_prompts_give_different_cards():
    a = _generate("a quiet harbour at dawn").convert("RGB")
    b = _generate("a desert road at noon").convert("RGB")
    assert a.tobytes() != b.tobytes()
    # the hue differs, not just the text: compare the background at a corner
    assert a.getpixel((2, 2)) != b.getpixel((2, 2))


def test_same_prompt_is_stable():
    assert _generate("same").tobytes() == _generate("same").tobytes()


def test_korean_text_renders():
    img = _generate(
        "비 내리는 서울의 밤거리, 네온사인이 젖은 아스팔트에 비친다. " * 4,
        title="장면 1",
    ).convert("L")
    stat = ImageStat.Stat(img)
    assert stat.extrema[0][1] - stat.extrema[0][0] > 100  # text on a background, not a flat fill
    assert stat.stddev[0] > 10


def test_cjk_font_found_when_installed():
    from pathlib import Path

    from storyclip_desktop.providers.local.images import _font

    if not any(Path("/usr/share/fonts").rglob("NotoSansCJK-Regular.ttc")):
        pytest.skip("fonts-noto-cjk not installed")
    font = _font(40)
    assert "CJK" in " ".join(font.getname())
    assert font.getlength("한") > 20  # a real Hangul glyph, full-width


def test_unknown_resolution_is_a_bad_request():
    with pytest.raises(ProviderError) as info:
        _generate("x", "9:16", "4k")
    assert info.value.kind == "bad_request"
    assert not info.value.retryable
