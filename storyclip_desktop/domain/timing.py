"""Where each scene sits in the project narration: its span, found by laying the scene
texts (in timeline order) over the provider's character alignment.

The alignment is ElevenLabs' `alignment` (the characters as sent; `normalized_alignment`
spells numbers out and would not line up with the scene text) or the Local preview's
exact equivalent. Whitespace, punctuation, case and Unicode form may differ between the
joined scene texts and the alignment characters, so the two are compared on letters and
digits only, and any remaining differences are bridged by a sequence match.
"""

from __future__ import annotations

import difflib
import hashlib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

SCENE_SEPARATOR = " "  # how the scene texts are joined into the one narration request


def clean_text(text: str) -> str:
    """A scene's narration as it is spoken: whitespace runs folded to one space."""
    return " ".join(str(text or "").split())


def joined_narration(texts: Sequence[str]) -> str:
    """The one narration text made from the scenes that have narration, in order."""
    return SCENE_SEPARATOR.join(t for t in (clean_text(x) for x in texts) if t)


def reading_seconds(text: str) -> float:
    """About how long a narrator takes to read `text` (before any narration is made):
    7 Hangul or 15 Latin characters a second."""
    text = clean_text(text)
    hangul = sum(1 for ch in text if "\uac00" <= ch <= "\ud7af")
    return max(1.0, hangul / 7.0 + (len(text) - hangul) / 15.0)


def text_hash(text: str) -> str:
    """A short fingerprint of a scene's spoken text (whitespace changes do not count)."""
    return hashlib.sha256(clean_text(text).encode()).hexdigest()[:16]


def order_fingerprint(items: Sequence[tuple[int, str]]) -> str:
    """A fingerprint of the narrated scenes (pk, text hash) in their order."""
    raw = "|".join(f"{pk}:{h}" for pk, h in items)
    return hashlib.sha256(raw.encode()).hexdigest()[:16]


def spoken_keys(text: str) -> str:
    """The letters and digits of `text`, case-folded and decomposed (NFKD, so composed
    and jamo-by-jamo Hangul agree even one alignment entry at a time): what both sides share."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", text.casefold()) if ch.isalnum())


@dataclass(frozen=True)
class Alignment:
    """Character timing: characters[i] is spoken from starts[i] to ends[i] (seconds)."""

    characters: tuple[str, ...]
    starts: tuple[float, ...]
    ends: tuple[float, ...]

    @classmethod
    def from_json(cls, data: object) -> Alignment:
        """From the ElevenLabs shape; ValueError when it is not one."""
        if not isinstance(data, dict):
            raise ValueError("the narration timing is not an object")
        try:
            chars = tuple(str(c) for c in data["characters"])
            starts = tuple(float(x) for x in data["character_start_times_seconds"])
            ends = tuple(float(x) for x in data["character_end_times_seconds"])
        except (KeyError, TypeError, ValueError):
            raise ValueError("the narration timing lacks characters or their times") from None
        if not len(chars) == len(starts) == len(ends):
            raise ValueError("the narration timing's characters and times differ in number")
        return cls(chars, starts, ends)

    @classmethod
    def joined(cls, pieces: Sequence[tuple[str, float]], separator: str = SCENE_SEPARATOR) -> Alignment:
        """Timing for texts spoken one after another, each piece (text, seconds) laid
        evenly over its own real duration: scene boundaries are exact, the characters
        inside a scene are estimated. The separator takes no time."""
        chars: list[str] = []
        starts: list[float] = []
        ends: list[float] = []
        offset = 0.0
        for i, (text, seconds) in enumerate(pieces):
            if i:
                for ch in separator:
                    chars.append(ch)
                    starts.append(round(offset, 6))
                    ends.append(round(offset, 6))
            step = seconds / len(text) if text else 0.0
            for j, ch in enumerate(text):
                chars.append(ch)
                starts.append(round(offset + j * step, 6))
                ends.append(round(offset + (j + 1) * step, 6))
            offset += seconds
        return cls(tuple(chars), tuple(starts), tuple(ends))

    def to_json(self) -> dict:
        return {
            "characters": list(self.characters),
            "character_start_times_seconds": list(self.starts),
            "character_end_times_seconds": list(self.ends),
        }

    @property
    def duration(self) -> float:
        return max(self.ends, default=0.0)

    @property
    def text(self) -> str:
        return "".join(self.characters)


@dataclass(frozen=True)
class SceneSpan:
    """One narrated scene's part of the narration: [start, end) seconds, and the
    alignment characters [first, last) spoken in it."""

    start: float
    end: float
    first: int
    last: int
    matched: float  # share of the scene's letters and digits found in the alignment (1.0 = all)


def map_scenes(texts: Sequence[str], alignment: Alignment, duration: float | None = None) -> list[SceneSpan]:
    """The span of each text (the narrated scenes, in order) in the narration. Spans tile
    the narration: the first starts at 0, each ends where the next begins (at the start of
    its first spoken character, after the space that separates them), the last ends at
    `duration` (the audio's own length; else the last character's end)."""
    total = max(duration if duration is not None else alignment.duration, alignment.duration)
    if not texts:
        return []
    # key characters of the alignment, and which alignment entry each came from
    a_keys: list[str] = []
    a_entry: list[int] = []
    for i, ch in enumerate(alignment.characters):
        for k in spoken_keys(ch):
            a_keys.append(k)
            a_entry.append(i)
    s_keys: list[str] = []
    s_scene: list[int] = []
    for n, text in enumerate(texts):
        for k in spoken_keys(text):
            s_keys.append(k)
            s_scene.append(n)
    mapped = _match("".join(s_keys), "".join(a_keys))

    found: list[list[int]] = [[] for _ in texts]  # alignment entries of each scene's keys
    counts = [0] * len(texts)
    for si, n in enumerate(s_scene):
        counts[n] += 1
        ai = mapped.get(si)
        if ai is not None:
            found[n].append(a_entry[ai])

    firsts: list[int] = []
    previous_last = -1
    for n in range(len(texts)):
        entries = [e for e in found[n] if e > previous_last]
        if n == 0:
            first = 0
        elif entries:
            first = _onset(alignment.characters, previous_last, entries[0])
        else:
            first = previous_last + 1
        first = min(max(first, firsts[-1] if firsts else 0), len(alignment.characters))
        firsts.append(first)
        if entries:
            previous_last = max(previous_last, entries[-1])

    spans: list[SceneSpan] = []
    for n in range(len(texts)):
        first = firsts[n]
        last = firsts[n + 1] if n + 1 < len(texts) else len(alignment.characters)
        start = 0.0 if n == 0 else _time_at(alignment, first, total)
        end = total if n + 1 == len(texts) else _time_at(alignment, last, total)
        matched = len(found[n]) / counts[n] if counts[n] else 1.0
        spans.append(SceneSpan(start=start, end=max(end, start), first=first, last=max(last, first), matched=matched))
    return spans


def _match(scene_keys: str, align_keys: str) -> dict[int, int]:
    """scene key index -> alignment key index, for the characters both share."""
    if scene_keys == align_keys:
        return {i: i for i in range(len(scene_keys))}
    out: dict[int, int] = {}
    matcher = difflib.SequenceMatcher(None, scene_keys, align_keys, autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            out[block.a + k] = block.b + k
    return out


def _onset(chars: Sequence[str], previous_last: int, first_key: int) -> int:
    """The alignment entry where a scene begins: after the last space between the
    previous scene's last letter and this scene's first, so closing punctuation stays
    with the previous scene and an opening quote comes with this one."""
    onset = first_key
    for i in range(first_key - 1, previous_last, -1):
        if chars[i].isspace():
            onset = i + 1
            break
    else:
        return first_key
    # skip further spaces (never start a scene on one)
    while onset < first_key and chars[onset].isspace():
        onset += 1
    return onset


def _time_at(alignment: Alignment, entry: int, total: float) -> float:
    if entry >= len(alignment.starts):
        return total
    return alignment.starts[entry]


# ---- what is kept with a narration version ------------------------------------------


@dataclass(frozen=True)
class NarratedScene:
    scene_pk: int
    scene_id: str
    text: str


def narrated(scenes: Sequence[tuple[int, str, str]]) -> list[NarratedScene]:
    """(pk, scene_id, narration) in timeline order -> the scenes that have narration."""
    return [NarratedScene(pk, sid, clean_text(t)) for pk, sid, t in scenes if clean_text(t)]


def span_records(scenes: Sequence[NarratedScene], alignment: Alignment, duration: float | None = None) -> list[dict]:
    """`metadata["scene_spans"]` of a narration version: each narrated scene's span, with
    the text fingerprint it was made from (for stale detection)."""
    spans = map_scenes([s.text for s in scenes], alignment, duration)
    return [
        {
            "scene_pk": s.scene_pk, "scene_id": s.scene_id, "text_hash": text_hash(s.text),
            "start": round(sp.start, 4), "end": round(sp.end, 4), "first": sp.first, "last": sp.last,
            "matched": round(sp.matched, 3),
        }
        for s, sp in zip(scenes, spans, strict=True)
    ]


def fingerprint(scenes: Sequence[NarratedScene]) -> str:
    """`metadata["scenes_fingerprint"]`: the narrated scenes' order and texts."""
    return order_fingerprint([(s.scene_pk, text_hash(s.text)) for s in scenes])


def changed_scenes(made_from: Sequence[dict], now: Sequence[NarratedScene]) -> tuple[list[str], list[str]]:
    """(scene ids changed, moved or newly narrated since the narration was made; scene ids
    whose narration was removed or that were deleted), comparing by scene pk."""
    then = [(int(r["scene_pk"]), str(r.get("text_hash") or "")) for r in made_from]
    then_hash = dict(then)
    label_then = {int(r["scene_pk"]): str(r.get("scene_id") or "?") for r in made_from}
    now_pks = [s.scene_pk for s in now]
    changed: set[int] = set()
    for s in now:
        if s.scene_pk not in then_hash or then_hash[s.scene_pk] != text_hash(s.text):
            changed.add(s.scene_pk)
    common_then = [pk for pk, _ in then if pk in set(now_pks)]
    common_now = [pk for pk in now_pks if pk in then_hash]
    kept = set()
    for block in difflib.SequenceMatcher(None, common_then, common_now, autojunk=False).get_matching_blocks():
        kept.update(common_then[block.a : block.a + block.size])
    changed.update(pk for pk in common_now if pk not in kept)
    removed = [label_then[pk] for pk, _ in then if pk not in set(now_pks)]
    return [s.scene_id for s in now if s.scene_pk in changed], removed
