"""The Local preview's title cards show their title whole (never "quie…")."""

from __future__ import annotations

import io

from PIL import Image

from storyclip_desktop.domain.text import shorten
from storyclip_desktop.providers.local import images as local


def test_long_titles_wrap_whole_words_and_shrink_to_fit():
    title = "S5 · In the afternoon, the Han River parks fill with picnics and quiet laughter"
    font = local._font(36, bold=True)
    lines, used = local._title_lines(title, 36, 400)
    assert " ".join(lines) == title  # every word, none cut
    assert all(used.getlength(line) <= 400 for line in lines)
    png = local.render_title_card("a prompt", title, 480, 854)
    assert Image.open(io.BytesIO(png)).size == (480, 854)
    assert font.size >= used.size


def test_cut_lines_end_after_a_whole_word():
    font = local._font(20)
    lines = local._wrap("one two three four five six seven eight nine ten " * 4, font, 120)
    kept = local._fit_lines(lines, 2, font, 120)
    assert len(kept) == 2 and kept[-1].endswith(" …")
    assert all(w in "one two three four five six seven eight nine ten".split() for w in kept[-1][:-2].split())


def test_shorten_cuts_between_words():
    assert shorten("quietly the harbour lights come on", 20) == "quietly the …"
    assert shorten("short", 20) == "short"
    assert shorten("가을 하늘 아래 은행나무 길을 걸어요", 16) == "가을 하늘 아래 …"  # 16 columns wide
