"""The hand-off to editing software, as rules: stable media names, clip names, the marker
note, and how an edit that comes back is matched to scenes and turned into an order and
spans. Pure: no OpenTimelineIO, no files, no SQL.

A clip is matched by the provenance the export wrote into it (project id and scene pk)
and, where a tool dropped that, by the stable file name of its media (`S03_clip_v2.mp4`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from .naming import label_number, scene_label

FORMATS = ("otio", "otioz", "fcp7xml", "edl")
SUFFIX = {"otio": ".otio", "otioz": ".otioz", "fcp7xml": ".xml", "edl": ".edl"}
READABLE = {".otio": "otio", ".otioz": "otioz", ".xml": "fcp7xml", ".edl": "edl"}
META_KEY = "storyclip"  # the OTIO metadata namespace of everything StoryClip writes
MEDIA_DIR = "media"
MANIFEST = "manifest.json"
PROMPT_WORDS = 6

# S03_clip_v2.mp4, S03_clip_v2_hold.mp4, S03_image_v1.mp4, S03_card.mp4
_STABLE = re.compile(r"^S(?P<n>\d+)_(?P<kind>clip|image|card)(?:_v(?P<v>\d+))?(?:_[a-z]+)?\.[A-Za-z0-9]+$")


class HandoffError(ValueError):
    """A timeline file that cannot be used, with one line an editor can act on."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def padded_label(scene_id: str) -> str:
    """S3 -> S03 (names sort in timeline order up to S99 and stay readable after)."""
    return f"S{label_number(scene_id):02d}"


def media_name(scene_id: str, kind: str, version: int | None, suffix: str, fit: str | None = None) -> str:
    """`S03_clip_v2.mp4`; a clip fitted to its span by rendering gets `_hold`/`_loop`/`_slow`."""
    name = f"{padded_label(scene_id)}_{kind}"
    if version is not None:
        name += f"_v{version}"
    if fit:
        name += f"_{fit}"
    return name + suffix.lower()


def narration_name(version: int, suffix: str) -> str:
    return f"narration_v{version}{suffix.lower()}"


def scene_from_media_name(file_name: str) -> str | None:
    """The scene label a stable media name belongs to, or None for any other name."""
    m = _STABLE.match(file_name)
    return scene_label(int(m.group("n"))) if m else None


def first_words(text: str, n: int = PROMPT_WORDS) -> str:
    words = " ".join((text or "").split()).split(" ")
    out = " ".join(words[:n])
    return out + ("…" if len(words) > n else "")


def clip_name(scene_id: str, version: int | None, prompt: str) -> str:
    """What the editor reads on the clip: `S03 · v2 · a fox runs through snow…`."""
    parts = [padded_label(scene_id)]
    if version is not None:
        parts.append(f"v{version}")
    words = first_words(prompt)
    if words:
        parts.append(words)
    return " · ".join(parts)


def ascii_name(name: str) -> str:
    """For the EDL, which is read as ASCII by most tools: the separator and any accent kept
    readable, anything else dropped."""
    text = unicodedata.normalize("NFKD", name.replace(" · ", " - ").replace("…", "..."))
    return " ".join(text.encode("ascii", "ignore").decode().split())


def reel_name(scene_id: str, version: int | None) -> str:
    """At most 8 characters (CMX 3600): `S03V2`, `S123V14`."""
    reel = padded_label(scene_id) + (f"V{version}" if version is not None else "")
    return reel[:8]


def safe_stem(title: str, project_id: int) -> str:
    """A file name stem from the project title that every OS accepts."""
    cleaned = re.sub(r"[^\w\- ]+", "", unicodedata.normalize("NFC", title or ""), flags=re.UNICODE)
    cleaned = "_".join(cleaned.split())[:40].strip("._-")
    return cleaned or f"project_{project_id}"


def marker_note(p: dict) -> str:
    """The essentials of a clip's provenance as one short note (Resolve keeps marker notes
    even where it drops custom metadata)."""
    bits = [f"StoryClip project {p.get('project_id')} {p.get('scene_id')}"]
    if p.get("clip_version") is not None:
        bits.append(f"clip v{p['clip_version']}")
    if p.get("image_version") is not None:
        bits.append(f"image v{p['image_version']}")
    if p.get("provider") or p.get("model"):
        bits.append(" ".join(str(x) for x in (p.get("provider"), p.get("model")) if x))
    if p.get("seed") is not None:
        bits.append(f"seed {p['seed']}")
    if p.get("job_id") is not None:
        bits.append(f"job {p['job_id']}")
    if p.get("image_confirmed_by"):
        bits.append(f"image confirmed by {p['image_confirmed_by']}")
    note = "; ".join(bits)
    if p.get("image_prompt"):
        note += f"\nprompt: {first_words(p['image_prompt'], 24)}"
    if p.get("motion_prompt"):
        note += f"\nmotion: {first_words(p['motion_prompt'], 24)}"
    return note


# ---- the edit coming back -----------------------------------------------------------


@dataclass(frozen=True)
class EditedClip:
    """One clip of the edit's picture track, as read from the file."""

    name: str
    frames: int  # its span on the track, at FPS
    project_id: int | None  # from provenance, when the tool kept it
    scene_pk: int | None
    scene_id: str | None
    media_file: str | None  # the media's file name, when there is one


@dataclass(frozen=True)
class SceneNow:
    pk: int
    scene_id: str
    frames: int | None  # its span in the current render plan (None: unknown)


@dataclass(frozen=True)
class EditPlan:
    """What applying the edit would do."""

    order: tuple[int, ...]  # every scene pk of the project, in the new order
    spans: dict[int, int]  # scene pk -> new span in frames, only where it changed
    matched: tuple[str, ...]  # scene labels in the edit's order
    unmatched: tuple[str, ...]  # clip names the edit has that belong to no scene here
    missing: tuple[str, ...]  # scene labels the edit does not have (they keep their place)
    duplicates: tuple[str, ...] = ()  # scenes used twice: the first counts
    before: tuple[int, ...] = ()  # the order it replaces
    by_name: tuple[str, ...] = ()  # scenes matched by their media's file name only

    @property
    def moved(self) -> bool:
        return self.order != self.before


def foreign_project(clips: Sequence[EditedClip], timeline_project: int | None, project_id: int) -> int | None:
    """The other project this edit was made for: what the timeline says, else what its
    clips say when none of them is this project's (one borrowed clip is only unmatched)."""
    if timeline_project is not None:
        return timeline_project if timeline_project != project_id else None
    named = {c.project_id for c in clips if c.project_id is not None}
    if named and project_id not in named:
        return min(named)
    return None


def plan_edit(clips: Sequence[EditedClip], scenes: Sequence[SceneNow], project_id: int) -> EditPlan:
    """Match the edit's clips to the project's scenes (in timeline order) and say what
    changes. Scenes missing from the edit keep their positions; the matched scenes take
    the remaining positions in the edit's order."""
    if not clips:
        raise HandoffError("the timeline has no clips on its picture track")
    by_pk = {s.pk: s for s in scenes}
    by_label = {s.scene_id: s for s in scenes}
    seen: set[int] = set()
    matched: list[SceneNow] = []
    spans: dict[int, int] = {}
    unmatched: list[str] = []
    duplicates: list[str] = []
    by_name: list[str] = []
    for c in clips:
        scene = _match(c, by_pk, by_label, project_id)
        if scene is None:
            unmatched.append(c.name or c.media_file or "(unnamed clip)")
            continue
        if scene.pk in seen:
            duplicates.append(scene.scene_id)
            continue
        seen.add(scene.pk)
        matched.append(scene)
        if c.scene_pk is None:
            by_name.append(scene.scene_id)
        if c.frames > 0 and c.frames != scene.frames:
            spans[scene.pk] = c.frames
    if not matched:
        raise HandoffError(
            f"none of the timeline's {len(clips)} clips belongs to a scene of project {project_id}"
        )
    before = [s.pk for s in scenes]
    slots = iter(s.pk for s in matched)
    order = tuple(next(slots) if pk in seen else pk for pk in before)
    return EditPlan(
        order=order,
        spans=spans,
        matched=tuple(s.scene_id for s in matched),
        unmatched=tuple(unmatched),
        missing=tuple(s.scene_id for s in scenes if s.pk not in seen),
        duplicates=tuple(duplicates),
        before=tuple(before),
        by_name=tuple(by_name),
    )


def _match(c: EditedClip, by_pk: dict, by_label: dict, project_id: int) -> SceneNow | None:
    if c.project_id is not None and c.project_id != project_id:
        return None  # another project's clip, whatever its file is called
    if c.scene_pk is not None:
        return by_pk.get(c.scene_pk)  # provenance names the scene; a deleted one is unmatched
    label = scene_from_media_name(c.media_file) if c.media_file else None
    return by_label.get(label) if label else None
