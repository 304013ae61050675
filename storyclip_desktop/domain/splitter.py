"""Rule-based script splitter for Korean and English.

Paragraphs (blank lines) always start a new scene. Inside a paragraph, sentences are
packed into scenes of roughly one narration breath (`target` characters), never
splitting a sentence unless it alone is longer than `hard_max`.
"""

from __future__ import annotations

import re

# Sentence ends: . ! ? … and their full-width forms, Korean endings like "다." are
# covered by the period; closing quotes/brackets stay with their sentence.
_SENTENCE = re.compile(r"[^.!?。！？…]*(?:[.!?。！？…]+[\"'”’)\]」』]*|$)", re.S)
_PARAGRAPH = re.compile(r"\n\s*\n")


def sentences(text: str) -> list[str]:
    parts = [m.group(0).strip() for m in _SENTENCE.finditer(text)]
    return [re.sub(r"\s+", " ", p) for p in parts if p]


def _cut_long(sentence: str, hard_max: int) -> list[str]:
    if len(sentence) <= hard_max:
        return [sentence]
    out, cur = [], ""
    for word in re.split(r"(?<=[,，、;])\s*|\s+", sentence):
        if not word:
            continue
        candidate = f"{cur} {word}".strip()
        if len(candidate) > hard_max and cur:
            out.append(cur)
            cur = word
        else:
            cur = candidate
        while len(cur) > hard_max:  # one enormous "word" (Korean without spaces)
            out.append(cur[:hard_max])
            cur = cur[hard_max:]
    if cur:
        out.append(cur)
    return out


def split_script(script: str, target: int = 50, hard_max: int = 140) -> list[str]:
    """Narration chunks, one per scene, in script order."""
    scenes: list[str] = []
    for para in _PARAGRAPH.split(script.strip()):
        cur = ""
        for sent in sentences(para):
            for piece in _cut_long(sent, hard_max):
                if cur and len(cur) + 1 + len(piece) > target:
                    scenes.append(cur)
                    cur = piece
                else:
                    cur = f"{cur} {piece}".strip()
        if cur:
            scenes.append(cur)
    return scenes
