"""Scene spans laid over real-looking ElevenLabs alignments (Korean, English, numbers)."""

from __future__ import annotations

import unicodedata

import pytest

from storyclip_desktop.domain.timing import (
    Alignment,
    NarratedScene,
    changed_scenes,
    joined_narration,
    map_scenes,
    span_records,
    text_hash,
)


def speak(text: str, *, start: float = 0.0) -> Alignment:
    """Timing shaped like ElevenLabs' `alignment`: one entry per character as sent,
    syllables slower than letters, spaces short, a pause after sentence punctuation."""
    chars, starts, ends = [], [], []
    t = start
    for ch in text:
        if ch.isspace():
            d = 0.046
        elif ch in ".!?":
            d = 0.35
        elif ch in ",":
            d = 0.17
        elif "\uac00" <= ch <= "\ud7af":
            d = 0.139
        elif ch.isdigit():
            d = 0.093  # a digit as sent: '2024' is four entries, not 'twenty twenty-four'
        else:
            d = 0.058
        chars.append(ch)
        starts.append(round(t, 3))
        t += d
        ends.append(round(t, 3))
    return Alignment(tuple(chars), tuple(starts), tuple(ends))


KO = ["옛날 옛적에, 깊은 산속에 호랑이 한 마리가 살았어요.", "\"그 호랑이는\" 2024년 봄에 마을로 내려왔답니다!", "끝."]
EN = ["Once upon a time, 3 foxes lived by the river.", "In 1999 they moved north (far north).", "The end."]


@pytest.mark.parametrize("texts", [KO, EN], ids=["korean", "english"])
def test_spans_start_where_each_scene_starts_speaking(texts):
    joined = joined_narration(texts)
    a = speak(joined)
    spans = map_scenes(texts, a, duration=a.duration + 0.4)
    # the first starts at 0, each next one at its first character, the last ends with the audio
    assert spans[0].start == 0.0
    offset = 0
    for text, span in zip(texts, spans, strict=True):
        first = joined.index(text, offset)
        if offset:
            assert span.start == a.starts[first]
        assert "".join(a.characters[span.first : span.last]).strip() == text
        offset = first + len(text)
    assert [s.end for s in spans[:-1]] == [s.start for s in spans[1:]]
    assert spans[-1].end == pytest.approx(a.duration + 0.4)
    assert all(s.matched == 1.0 for s in spans)


def test_whitespace_punctuation_quotes_and_unicode_form_may_differ():
    texts = ["옛날   옛적에,  호랑이가\n살았어요.", "\"그 호랑이는\" 2024년에 왔어요!", "The END."]
    # what the provider reports: single spaces, curly quotes, a dropped comma and
    # exclamation mark, decomposed Hangul (NFD), different case
    spoken = "옛날 옛적에 호랑이가 살았어요. “그 호랑이는” 2024년에 왔어요 the end."
    spoken = unicodedata.normalize("NFD", spoken)
    a = speak(spoken)
    spans = map_scenes(texts, a)
    second = spoken.index("“")
    third = spoken.index("the")
    assert spans[1].start == a.starts[second]  # the opening quote comes with its scene
    assert spans[2].start == a.starts[third]
    assert spans[0].end == spans[1].start and spans[1].end == spans[2].start
    assert all(s.matched == 1.0 for s in spans)


def test_a_scene_the_narration_does_not_contain_is_reported_unmatched():
    texts = ["Hello there.", "A sentence nobody spoke.", "Goodbye now."]
    a = speak("Hello there. Goodbye now.")
    spans = map_scenes(texts, a)
    assert spans[0].matched >= 0.8 and spans[2].matched == 1.0
    assert spans[1].matched < 0.5
    assert spans[2].start == a.starts["Hello there. Goodbye now.".index("Goodbye")]
    assert spans[0].start <= spans[1].start <= spans[2].start


def test_joined_alignment_gives_exact_boundaries():
    pieces = [("첫 장면.", 1.25), ("\"둘째\" 장면!", 2.5), ("셋", 0.75)]
    a = Alignment.joined(pieces)
    spans = map_scenes([p[0] for p in pieces], a, duration=4.5)
    assert [s.start for s in spans] == [0.0, 1.25, 3.75]
    assert [s.end for s in spans] == [1.25, 3.75, 4.5]


def _scenes(*items):
    return [NarratedScene(pk, sid, text) for pk, sid, text in items]


def test_changed_scenes_names_edits_moves_additions_and_removals():
    then = _scenes((1, "S1", "하나"), (2, "S2", "둘"), (3, "S3", "셋"), (4, "S4", "넷"), (5, "S5", "다섯"))
    a = speak(joined_narration([s.text for s in then]))
    records = span_records(then, a)
    assert [r["text_hash"] for r in records] == [text_hash(s.text) for s in then]
    assert changed_scenes(records, then) == ([], [])
    # whitespace alone is no change
    assert changed_scenes(records, _scenes((1, "S1", " 하나 "), *[(s.scene_pk, s.scene_id, s.text) for s in then[1:]])) == ([], [])
    now = _scenes((1, "S1", "하나"), (2, "S2", "둘!"), (3, "S3", "셋"), (5, "S5", "다섯"), (6, "S6", "여섯"))
    assert changed_scenes(records, now) == (["S2", "S6"], ["S4"])
    moved = _scenes((1, "S1", "하나"), (3, "S3", "셋"), (2, "S2", "둘"), (4, "S4", "넷"), (5, "S5", "다섯"))
    changed, removed = changed_scenes(records, moved)
    assert removed == [] and len(changed) == 1 and changed[0] in ("S2", "S3")


def test_alignment_from_json_refuses_mismatched_lengths():
    with pytest.raises(ValueError, match="differ in number"):
        Alignment.from_json({"characters": ["a", "b"], "character_start_times_seconds": [0], "character_end_times_seconds": [1, 2]})
    with pytest.raises(ValueError):
        Alignment.from_json({"characters": ["a"]})
