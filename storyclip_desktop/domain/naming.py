"""How assets name their owner: parents_id = "<project_id>-<scene_id>"."""

from __future__ import annotations

from .ids import MAX_ID
from .validation import SCENE_ID_MAX

PARENTS_ID_MAX = 30
# Project-level assets (the narration) use this instead of a scene id. It cannot clash
# with a scene because scene ids always look like S<digits>.
PROJECT_PART = "narration"
# Reference images: a character's are under its label (C1, C2, ...), the project's style
# reference under "style". Neither can clash with a scene (S<digits>) or the narration.
STYLE_PART = "style"
CHARACTER_PREFIX = "C"

assert len(str(MAX_ID)) + 1 + max(SCENE_ID_MAX, len(PROJECT_PART)) <= PARENTS_ID_MAX


def scene_parents_id(project_id: int, scene_id: str) -> str:
    return f"{project_id}-{scene_id}"


def project_parents_id(project_id: int) -> str:
    return f"{project_id}-{PROJECT_PART}"


def scene_label(number: int) -> str:
    """The editor-facing scene id: S1, S2, ... (unique within a project)."""
    return f"S{number}"


def label_number(scene_id: str) -> int:
    return int(scene_id[1:])


def character_parents_id(project_id: int, label: str) -> str:
    return f"{project_id}-{label}"


def style_parents_id(project_id: int) -> str:
    return f"{project_id}-{STYLE_PART}"


def character_label(number: int) -> str:
    return f"{CHARACTER_PREFIX}{number}"
