"""Subtitle cues from the narration's character timing, broken by the line rules.

- Lines break only at spaces or after punctuation; a line never starts with closing
  punctuation (a run of punctuation stays with the word before it).
- Korean (any Hangul in the scene): at most 16 a line, where Latin letters, digits,
  spaces and punctuation count half and Hangul (and other wide characters) count one.
- Otherwise (English): at most 42 characters a line.
- At most 2 lines and about 7 seconds a cue.
A word longer than a line is never cut: it gets a line of its own.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from .render_plan import Cue, seconds_to_frames
from .timing import Alignment

KOREAN_MAX = 16.0
ENGLISH_MAX = 42.0
MAX_LINES = 2
MAX_CUE_SECONDS = 7.0
BRIDGE_GAP_SECONDS = 0.5  # a shorter pause between cues keeps the previous one on screen
_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
# punctuation between two digits (3.5, 1,000, 10:30) or two letters (don't) joins them
_JOINERS_DIGITS = frozenset(".,:")
_JOINERS_LETTERS = frozenset("'\u2019")
_STRAIGHT_QUOTES = frozenset("\"'")
_SENTENCE_END = frozenset(".!?\u2026\u3002\uff01\uff1f")


@dataclass(frozen=True)
class _Word:
    text: str
    start: float
    end: float
    space_before: bool


def is_korean(text: str) -> bool:
    return bool(_HANGUL.search(text))


def _is_punct(ch: str) -> bool:
    return unicodedata.category(ch).startswith("P")


def _opens(ch: str, prev: str = "") -> bool:
    """Opening brackets and quotes belong to the word after them; a straight quote opens
    when it follows a space (or starts the text)."""
    if ch in _STRAIGHT_QUOTES:
        return not prev or prev.isspace() or _opens(prev)
    return unicodedata.category(ch) in ("Ps", "Pi")


def char_width(ch: str, korean: bool) -> float:
    if not korean:
        return 1.0
    return 1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.5


def line_width(line: str, korean: bool) -> float:
    return sum(char_width(ch, korean) for ch in line)


def _words(chars: Sequence[str], starts: Sequence[float], ends: Sequence[float]) -> list[_Word]:
    """Split timed characters at the places a line may break."""
    words: list[_Word] = []
    buf: list[int] = []
    space = False

    def flush(next_space: bool) -> None:
        nonlocal buf, space
        if buf:
            text = "".join(chars[i] for i in buf)
            words.append(_Word(text, starts[buf[0]], ends[buf[-1]], space))
            space = next_space
        else:
            space = space or next_space
        buf = []

    flat = [(i, ch) for i, piece in enumerate(chars) for ch in piece]
    n = len(flat)
    opening = False  # buf holds only opening punctuation so far
    for k, (i, ch) in enumerate(flat):
        prev = flat[k - 1][1] if k else ""
        if ch.isspace():
            flush(True)
            opening = False
            continue
        opens = _is_punct(ch) and _opens(ch, prev)
        if opens and buf and not opening:
            flush(False)
        if not buf:
            opening = opens
        elif not opens:
            opening = False
        if not buf or buf[-1] != i:
            buf.append(i)
        if _is_punct(ch) and not opens:
            nxt = flat[k + 1][1] if k + 1 < n else ""
            joined = (ch in _JOINERS_DIGITS and prev.isdigit() and nxt.isdigit()) or (
                ch in _JOINERS_LETTERS and prev.isalpha() and nxt.isalpha()
            )
            # a break after a run of punctuation, never inside it
            if not joined and nxt and not nxt.isspace() and not (_is_punct(nxt) and not _opens(nxt)):
                flush(False)
    flush(False)
    # a word of only closing punctuation after a space still may not start a line
    merged: list[_Word] = []
    for w in words:
        if merged and all(_is_punct(c) and c not in _STRAIGHT_QUOTES and not _opens(c) for c in w.text):
            prev = merged[-1]
            merged[-1] = _Word(prev.text + (" " if w.space_before else "") + w.text, prev.start, w.end, prev.space_before)
        else:
            merged.append(w)
    return merged


@dataclass(frozen=True)
class TimedCue:
    start: float
    end: float
    lines: tuple[str, ...]


def timed_cues(chars: Sequence[str], starts: Sequence[float], ends: Sequence[float]) -> list[TimedCue]:
    """Cues (seconds, in the alignment's own time) for one stretch of narration."""
    text = "".join(chars)
    korean = is_korean(text)
    limit = KOREAN_MAX if korean else ENGLISH_MAX
    cues: list[TimedCue] = []
    lines: list[str] = []
    cue_start = cue_end = 0.0

    def close() -> None:
        nonlocal lines
        if lines:
            cues.append(TimedCue(cue_start, cue_end, tuple(lines)))
        lines = []

    ended_sentence = False
    for w in _words(chars, starts, ends):
        # a new sentence starts a new cue rather than the end of a second line
        if lines and (w.end - cue_start > MAX_CUE_SECONDS or (ended_sentence and len(lines) == MAX_LINES)):
            close()
        ended_sentence = w.text.rstrip("\"'\u201d\u2019)")[-1:] in _SENTENCE_END
        if not lines:
            lines, cue_start, cue_end = [w.text], w.start, w.end
            continue
        joined = lines[-1] + (" " if w.space_before else "") + w.text
        if line_width(joined, korean) <= limit:
            lines[-1] = joined
        elif len(lines) < MAX_LINES:
            lines.append(w.text)
        else:
            close()
            lines, cue_start = [w.text], w.start
        cue_end = w.end
    close()
    return cues


def build_cues(
    alignment: Alignment,
    first: int,
    last: int,
    *,
    shift: float = 0.0,
    bounds: tuple[int, int] | None = None,
) -> tuple[Cue, ...]:
    """The cues of alignment characters [first, last), moved by `shift` seconds into
    project time and kept inside `bounds` (the scene's [start_frame, end_frame))."""
    timed = timed_cues(alignment.characters[first:last], alignment.starts[first:last], alignment.ends[first:last])
    lo, hi = bounds if bounds is not None else (0, 1 << 62)
    out: list[Cue] = []
    for n, c in enumerate(timed):
        start = max(lo, seconds_to_frames(c.start + shift))
        end = min(hi, seconds_to_frames(c.end + shift))
        if n + 1 < len(timed) and timed[n + 1].start - c.end < BRIDGE_GAP_SECONDS:
            end = min(hi, seconds_to_frames(timed[n + 1].start + shift))
        if out and start < out[-1].end_frame:
            start = out[-1].end_frame
        if end <= start:
            end = min(hi, start + 1)
        if end > start:
            out.append(Cue(start, end, c.lines))
    return tuple(out)
