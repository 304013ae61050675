from __future__ import annotations

import io

import pytest
from PIL import Image


@pytest.fixture
def png_bytes() -> bytes:
    img = Image.new("RGB", (480, 854), (30, 60, 120))
    for x in range(0, 480, 40):
        img.paste((200, 180, 40), (x, 0, x + 20, 854))  # stripes so zoom frames differ
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return buf.getvalue()
