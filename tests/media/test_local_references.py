"""The Local preview draws the reference images it was given, so the flow shows offline."""

import io

import pytest
from PIL import Image

from storyclip_desktop.providers.base import ImageRequest, ReferenceImage
from storyclip_desktop.providers.local import LocalImageProvider

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend():
    return "asyncio"


def _png(rgb):
    buf = io.BytesIO()
    Image.new("RGB", (120, 200), rgb).save(buf, format="PNG")
    return buf.getvalue()


def _count(img, rgb):
    return sum(1 for px in img.get_flattened_data() if all(abs(a - b) < 8 for a, b in zip(px, rgb, strict=True)))


async def test_reference_images_appear_on_the_card():
    magenta, cyan = (250, 0, 250), (0, 250, 250)
    refs = (ReferenceImage(_png(magenta), "image/png", "민지"), ReferenceImage(_png(cyan), "image/png", None))
    base = ImageRequest(prompt="민지 on a beach", ratio="9:16", resolution="480p", seed=3, title="S1")
    plain = await LocalImageProvider().generate_image(base)
    with_refs = await LocalImageProvider().generate_image(
        ImageRequest(**{**base.__dict__, "references": refs})
    )
    a = Image.open(io.BytesIO(plain.png)).convert("RGB")
    b = Image.open(io.BytesIO(with_refs.png)).convert("RGB")
    assert a.size == b.size == (480, 854)
    assert _count(a, magenta) == 0 and _count(a, cyan) == 0
    # Each thumbnail is a square of at least 60 px a side.
    assert _count(b, magenta) > 3600 and _count(b, cyan) > 3600
