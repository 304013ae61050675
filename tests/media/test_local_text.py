from __future__ import annotations

import asyncio

from storyclip_desktop.providers.base import TextRequest
from storyclip_desktop.providers.local import LocalTextProvider

SCRIPT = "첫 번째 장면입니다. 바다가 보인다!\n\n두 번째 문단은 새 장면이다."


def _split(**kw):
    return asyncio.run(LocalTextProvider().split_script(TextRequest(script=SCRIPT, **kw)))


def test_one_scene_per_chunk_with_narration_and_prompt():
    result = _split()
    assert result.model == "local-preview"
    assert result.usage_tokens == 0
    assert [s.narration for s in result.scenes] == [
        "첫 번째 장면입니다. 바다가 보인다!",
        "두 번째 문단은 새 장면이다.",
    ]
    for scene in result.scenes:
        assert scene.duration == 5
        assert scene.image_prompt.startswith(scene.narration[:5])
        assert "no people" not in scene.image_prompt


def test_style_and_no_subject_reach_the_prompt():
    result = _split(custom_style="watercolor, soft light", no_subject=True)
    for scene in result.scenes:
        assert "watercolor, soft light" in scene.image_prompt
        assert "no people, scenery only" in scene.image_prompt
        assert ".." not in scene.image_prompt


def test_empty_script_gives_no_scenes():
    result = asyncio.run(LocalTextProvider().split_script(TextRequest(script="   ")))
    assert result.scenes == []
