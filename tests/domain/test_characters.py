import pytest

from storyclip_desktop.domain.characters import suggest
from storyclip_desktop.domain.validation import (
    ValidationError,
    character_name,
    scene_characters,
    scene_json,
)


@pytest.mark.parametrize(
    "text",
    ["민지가 웃었다", "민지는 바다를 본다", "민지를 부른다", "민지의 가방", "민지에게 말했다", "민지야, 가자",
     "민지와 함께", "민지랑 놀았다", "민지도 왔다", "민지씨는 바쁘다"],
)
def test_a_name_with_a_particle_names_the_character(text):
    assert suggest(["민지"], text) == ["민지"]


@pytest.mark.parametrize("text", ["민지아가 웃었다", "민지현은 왔다", "어민지", "민지을"])
def test_another_word_that_starts_with_the_name_does_not(text):
    # 민지 ends in a vowel, so 을 / 아 cannot follow it; 민지아 and 민지현 are other names.
    assert suggest(["민지"], text) == []


def test_consonant_final_names_take_the_other_particles():
    assert suggest(["준"], "준이 달린다") == ["준"]
    assert suggest(["준"], "준은 웃는다") == ["준"]
    assert suggest(["준"], "준아 밥 먹자") == ["준"]
    assert suggest(["준"], "준비가 끝났다") == []
    assert suggest(["준"], "준가 왔다") == []


def test_latin_names_whole_words_and_several_words():
    names = ["Jun", "민지", "Old Man"]
    assert suggest(names, "Jun's dog runs to 민지", "the old man waves") == names
    assert suggest(names, "June is here") == []
    assert suggest(["Jun"], "Jun이 웃는다") == ["Jun"]


def test_names_come_back_in_the_characters_order_once():
    assert suggest(["Jun", "민지"], "민지가 Jun을 만났다. 민지는 웃었다.") == ["Jun", "민지"]


def test_names_and_scene_lists_are_validated():
    assert character_name("  민  지 ") == "민 지"
    for bad in ("", "   ", "a" * 21, "민지, Jun", 3):
        with pytest.raises(ValidationError):
            character_name(bad)
    assert scene_characters(["민지", "민지", "Jun"]) == ["민지", "Jun"]
    with pytest.raises(ValidationError, match="list of names"):
        scene_json({"characters": "민지"})
