"""Cue line rules: exact lines for Korean, English and mixed text, worked out by hand."""

from __future__ import annotations

from storyclip_desktop.domain.render_plan import FPS
from storyclip_desktop.domain.subtitles import build_cues, line_width, timed_cues
from storyclip_desktop.domain.timing import Alignment


def even(text: str, step: float = 0.05, start: float = 0.0) -> Alignment:
    n = len(text)
    return Alignment(
        tuple(text),
        tuple(round(start + i * step, 4) for i in range(n)),
        tuple(round(start + (i + 1) * step, 4) for i in range(n)),
    )


def lines_of(text: str, step: float = 0.05) -> list[tuple[str, ...]]:
    a = even(text, step)
    return [c.lines for c in timed_cues(a.characters, a.starts, a.ends)]


def test_korean_sixteen_wide_with_a_new_sentence_starting_a_new_cue():
    # 옛날 옛적에 깊은 산속에 호랑이 = 2+.5+3+.5+2+.5+3+.5+3 = 15; " 한" would make 16.5.
    # "한 마리가 살았어요." ends a sentence on line 2, so "그 ..." opens the next cue;
    # "그 호랑이는 배가 몹시" = 10.5, " 고팠답니다." would make 16.5.
    text = "옛날 옛적에 깊은 산속에 호랑이 한 마리가 살았어요. 그 호랑이는 배가 몹시 고팠답니다."
    assert lines_of(text) == [
        ("옛날 옛적에 깊은 산속에 호랑이", "한 마리가 살았어요."),
        ("그 호랑이는 배가 몹시", "고팠답니다."),
    ]


def test_english_forty_two_characters():
    # line 1 is 39 characters (" dog," would make 44); line 2 is 41 (" to" would make 44)
    text = "The quick brown fox jumps over the lazy dog, and then it runs far away (very far) to the river."
    assert lines_of(text, 0.03) == [
        ("The quick brown fox jumps over the lazy", "dog, and then it runs far away (very far)"),
        ("to the river.",),
    ]


def test_mixed_korean_counts_latin_digits_and_punctuation_half():
    # AI(1) 모델(2.5) GPT-(2.5) 4가(1.5) 2024년에(4.5) = 12; ' "대단한"' (4.5) would make 16.5.
    # A hyphen is punctuation: "GPT-" | "4가" may break there; the quote opens the next line.
    text = 'AI 모델 GPT-4가 2024년에 "대단한" 일을 했어요!'
    assert lines_of(text) == [("AI 모델 GPT-4가 2024년에", '"대단한" 일을 했어요!')]
    assert line_width("AI 모델 GPT-4가 2024년에", korean=True) == 12


def test_a_line_never_starts_with_closing_punctuation():
    text = "x" * 41 + " ! next words here."
    lines = [line for cue in lines_of(text, 0.01) for line in cue]
    assert lines == ["x" * 41 + " !", "next words here."]
    ko = "가나다라마바사아자차카타파하 가나 ?” 다음 문장입니다."
    for cue in lines_of(ko):
        for line in cue:
            assert line[0] not in "?!.,”)」", line


def test_breaks_only_at_spaces_or_after_punctuation():
    # 3.5 and 1,000 and don't are never split; a word longer than a line keeps its own line
    text = "It was 3.5 km, 1,000 steps, and I don't know why " + "y" * 50 + " end."
    flat = [line for cue in lines_of(text, 0.01) for line in cue]
    assert " ".join(flat) == text  # every break was at a space here
    for part in ("3.5", "1,000", "don't", "y" * 50):
        assert any(part in line for line in flat), part


def test_at_most_two_lines_and_about_seven_seconds_a_cue():
    words = "one two three four five six seven eight nine ten " * 6
    a = even(words.strip(), 0.1)  # about 30 seconds of slow speech
    cues = timed_cues(a.characters, a.starts, a.ends)
    assert len(cues) >= 5
    assert all(1 <= len(c.lines) <= 2 for c in cues)
    assert all(c.end - c.start <= 7.0 for c in cues)
    assert " ".join(line for c in cues for line in c.lines) == words.strip()


def test_build_cues_moves_them_into_the_scene_and_keeps_them_inside():
    a = even("첫 문장. 둘째 문장은 여기서 끝나요.", 0.2, start=10.0)
    cues = build_cues(a, 0, len(a.characters), shift=-8.0, bounds=(60, 150))
    assert cues[0].start_frame == 60  # 10.0 s - 8.0 s = 2 s = frame 60
    assert cues[-1].end_frame <= 150
    assert all(c.end_frame > c.start_frame for c in cues)
    assert all(b.start_frame >= x.end_frame for x, b in zip(cues, cues[1:], strict=False))
    assert cues[0].start == 2 and FPS == 30
