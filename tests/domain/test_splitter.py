from storyclip_desktop.domain.splitter import sentences, split_script


def test_korean_and_english_sentences():
    assert sentences("안녕하세요. 반갑습니다! 어디 가세요? Hello there. Bye!") == [
        "안녕하세요.", "반갑습니다!", "어디 가세요?", "Hello there.", "Bye!",
    ]


def test_blank_lines_always_start_a_new_scene():
    scenes = split_script("짧은 문단.\n\n또 짧은 문단.\n   \nThird.")
    assert scenes == ["짧은 문단.", "또 짧은 문단.", "Third."]


def test_long_paragraph_is_packed_by_sentence_without_losing_text():
    text = " ".join(f"문장 번호 {i} 입니다." for i in range(30))
    scenes = split_script(text, target=50)
    assert len(scenes) > 3
    assert all(len(s) <= 60 for s in scenes)
    assert " ".join(scenes) == text


def test_one_huge_sentence_without_spaces_is_cut_at_the_hard_maximum():
    text = "가" * 400
    scenes = split_script(text, target=50, hard_max=140)
    assert "".join(scenes) == text
    assert max(len(s) for s in scenes) == 140


def test_empty_script_gives_no_scenes():
    assert split_script("  \n\n ") == []
