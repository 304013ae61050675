"""The scene-split instruction and its JSON schema, shared by the text providers."""

from __future__ import annotations

import json

from .base import ErrorKind, ReferenceImage, SceneDraft, TextRequest
from .errors import make_error

_FIELDS = ("narration", "image_prompt", "motion_prompt", "negative_prompt")

# OpenAI strict mode: every property required, no extras.
SCENES_SCHEMA: dict = {
    "type": "object",
    "properties": {
        "scenes": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    **{f: {"type": "string"} for f in _FIELDS},
                    "duration": {"type": "integer"},
                },
                "required": [*_FIELDS, "duration"],
                "additionalProperties": False,
            },
        }
    },
    "required": ["scenes"],
    "additionalProperties": False,
}

# Gemini's OpenAPI subset: upper-case types, no additionalProperties.
GEMINI_SCENES_SCHEMA: dict = {
    "type": "OBJECT",
    "properties": {
        "scenes": {
            "type": "ARRAY",
            "items": {
                "type": "OBJECT",
                "properties": {
                    **{f: {"type": "STRING"} for f in _FIELDS},
                    "duration": {"type": "INTEGER"},
                },
                # google-genai adds the dict's key order to a schema it is given
                "property_ordering": [*_FIELDS, "duration"],
                "required": [*_FIELDS, "duration"],
            },
        }
    },
    "required": ["scenes"],
}


def scene_split_prompt(req: TextRequest) -> str:
    lines = [
        "Split the script below into scenes for a vertical short-form video.",
        f"Write each scene's narration in language '{req.language}', keeping the script's words.",
        "For each scene give an English image_prompt for a still image, a short English "
        "motion_prompt describing camera or subject motion, a negative_prompt (may be empty), "
        "and a duration in whole seconds between 2 and 12.",
    ]
    if req.split_rule:
        lines.append(f"Split rule: {req.split_rule}")
    if req.custom_style:
        lines.append(f"Visual style for every image_prompt: {req.custom_style}")
    if req.no_subject:
        lines.append(
            "Image prompts must not show people or a main character; scenery and objects only."
        )
    lines += ["", "Script:", req.script]
    return "\n".join(lines)


def parse_scenes(text: str, provider: str) -> list[SceneDraft]:
    try:
        raw = json.loads(text)["scenes"]
        scenes = [
            SceneDraft(
                narration=str(s["narration"]),
                image_prompt=str(s["image_prompt"]),
                motion_prompt=str(s.get("motion_prompt", "")),
                negative_prompt=str(s.get("negative_prompt", "")),
                duration=int(s.get("duration", 5)),
            )
            for s in raw
        ]
    except (ValueError, TypeError, KeyError, AttributeError):
        raise make_error(ErrorKind.MALFORMED, provider, "the scene list was not valid") from None
    if not scenes:
        raise make_error(ErrorKind.MALFORMED, provider, "no scenes came back")
    return scenes


def image_prompt_with_references(prompt: str, negative: str, refs: tuple[ReferenceImage, ...]) -> str:
    """The image prompt, with what to avoid and, when reference images go with it, which
    image shows whom (the images follow the text in the order named here)."""
    text = prompt if not negative else f"{prompt}\n\nAvoid: {negative}"
    if not refs:
        return text
    lines = [text, "", "Reference images, in order:"]
    for i, ref in enumerate(refs, start=1):
        what = f"{ref.character}: keep this person's face, hair and clothes" if ref.character else (
            "the visual style: match its palette, lighting and rendering"
        )
        lines.append(f"{i}. {what}")
    return "\n".join(lines)
