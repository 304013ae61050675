"""Shortening text for people: between words, never inside one."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable


def columns(text: str) -> int:
    """Terminal columns: Hangul and other wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def shorten(text: str, limit: int, *, width: Callable[[str], float] = columns, mark: str = " …") -> str:
    """`text` on one line, at most about `limit` wide (by `width`), cut between words
    with `mark`; a first word wider than that is kept whole rather than cut."""
    out: list[str] = []
    for word in text.split():
        if out and width(" ".join([*out, word]) + mark) > limit:
            return " ".join(out) + mark
        out.append(word)
    return " ".join(out)
