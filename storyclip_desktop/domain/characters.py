"""Characters of a project: the names an editor gives them, and which of them a scene's
text mentions. Korean attaches particles to a name ("민지가", "민지는", "민지에게"), so a
name counts as mentioned when a word starts with it and the rest is a particle."""

from __future__ import annotations

import re
from collections.abc import Iterable

# Names are validated with the other fields (validation.character_name).

# Which particle follows depends on whether the name ends in a consonant (준이가, 준은)
# or a vowel (민지가, 민지는), so "민지아" (another name) does not name 민지 while "준아" names 준.
AFTER_CONSONANT = frozenset({
    "이", "은", "을", "과", "아", "으로", "이랑", "이나", "이며", "이야", "이에요", "이고", "이다",
    "이와", "이가", "이는", "이를", "이의", "이도", "이한테", "이에게", "이란", "이처럼", "이만",
})
AFTER_VOWEL = frozenset({"가", "는", "를", "와", "야", "랑", "나", "며", "예요", "고", "다", "란"})
EITHER = frozenset({
    "의", "에", "도", "만", "로", "에게", "한테", "께", "께서", "에서", "에게서", "한테서", "까지",
    "부터", "보다", "처럼", "같이", "하고", "님", "님이", "님은", "님의", "님께", "씨", "씨가",
    "씨는", "씨의", "들", "들이", "들은", "조차", "마저", "밖에", "뿐", "'s", "’s",
})
_WORD = re.compile(r"[\w'’]+", re.UNICODE)


def _mentions(word: str, who: str) -> bool:
    if word.casefold() == who.casefold():
        return True
    if not word.casefold().startswith(who.casefold()):
        return False
    rest = word[len(who):]
    if rest in EITHER:
        return True
    final = _final_consonant(who[-1])
    if final is None:  # not a Hangul syllable (Jun): either form may follow
        return rest in AFTER_CONSONANT or rest in AFTER_VOWEL
    return rest in (AFTER_CONSONANT if final else AFTER_VOWEL)


def _final_consonant(ch: str) -> bool | None:
    """Whether a Hangul syllable ends in a consonant (받침); None for anything else."""
    code = ord(ch) - 0xAC00
    if not 0 <= code < 11172:
        return None
    return code % 28 != 0


def suggest(names: Iterable[str], *texts: str) -> list[str]:
    """The names (in the order given) that the texts mention, as a whole word or a word
    made of the name and a particle: "민지가" names 민지, "민지아" (another name) does not.
    A name of several words must appear as those words in a row."""
    words = [w for t in texts if t for w in _WORD.findall(t)]
    found: list[str] = []
    for who in names:
        parts = who.split()
        if not parts:
            continue
        n = len(parts)
        for i in range(len(words) - n + 1):
            head = words[i : i + n - 1]
            if [w.casefold() for w in head] == [p.casefold() for p in parts[:-1]] and _mentions(
                words[i + n - 1], parts[-1]
            ):
                found.append(who)
                break
    return found
