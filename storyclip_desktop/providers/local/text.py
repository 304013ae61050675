"""Local preview text: the rule-based splitter, with an image and motion prompt per scene."""

from __future__ import annotations

import asyncio

from storyclip_desktop.domain.splitter import split_script as _split_chunks

from ..base import SceneDraft, TextRequest, TextResult
from .common import MODEL, NAME, SCENE_SECONDS


def _image_prompt(chunk: str, req: TextRequest) -> str:
    # Sentence punctuation would double up with the ". " joins below.
    parts = [chunk.strip().rstrip(".!?。！？… ")]
    if req.custom_style and req.custom_style.strip():
        parts.append(f"style: {req.custom_style.strip()}")
    if req.no_subject:
        parts.append("no people, scenery only")
    return ". ".join(parts)


class LocalTextProvider:
    """Rule-based scene split; split_rule is free text for a language model, so ignored."""

    name = NAME
    model = MODEL

    async def split_script(self, req: TextRequest) -> TextResult:
        chunks = await asyncio.to_thread(_split_chunks, req.script)
        scenes = [
            SceneDraft(
                narration=chunk,
                image_prompt=_image_prompt(chunk, req),
                motion_prompt="slow push-in",  # what the local clip renderer does
                negative_prompt="people, faces" if req.no_subject else "",
                duration=SCENE_SECONDS,
            )
            for chunk in chunks
        ]
        return TextResult(scenes=scenes, usage_tokens=0, model=MODEL)
