"""Characters, style and reference images, on both stores."""

import pytest

from storyclip_desktop.domain.validation import ValidationError
from storyclip_desktop.services import NotFound
from storyclip_desktop.services.errors import Conflict


def _project(sv):
    pid = sv.projects.create("refs", script="민지가 웃는다. 바다가 보인다.")
    sv.scenes.split(pid, chunks=["민지가 웃는다.", "바다가 보인다."])
    return pid


def test_characters_and_style_keep_their_own_numbered_references(services):
    pid = _project(services)
    minji = services.references.add_character(pid, " 민지 ")
    jun = services.references.add_character(pid, "Jun")
    assert (minji.name, minji.label, jun.label) == ("민지", "C1", "C2")
    with pytest.raises(Conflict, match="already has a character named 민지"):
        services.references.add_character(pid, "민지")
    r1 = services.references.add(pid, "file:///m1.png", character="민지", metadata={"mime": "image/png"})
    r2 = services.references.add(pid, "file:///m2.png", character="민지")
    s1 = services.references.add(pid, "file:///style.png", style=True)
    assert (r1.type, r1.parents_id, r1.version, r2.version) == ("reference", f"{pid}-C1", 1, 2)
    assert (s1.parents_id, s1.version) == (f"{pid}-style", 1)
    refs = services.references.get(pid)
    assert [a.storage_url for a in refs.character("민지").references] == ["file:///m1.png", "file:///m2.png"]
    assert refs.character("jun").references == ()
    assert [a.storage_url for a in refs.style] == ["file:///style.png"]
    with pytest.raises(NotFound, match="no character named 수아"):
        services.references.add(pid, "file:///x.png", character="수아")
    with pytest.raises(ValidationError):
        services.references.add(pid, "file:///x.png")


def test_a_scene_names_its_characters_and_gets_their_references(services):
    pid = _project(services)
    services.references.add_character(pid, "민지")
    services.references.add_character(pid, "Jun")
    services.references.add(pid, "file:///m.png", character="민지")
    services.references.add(pid, "file:///j.png", character="Jun")
    services.references.add(pid, "file:///style.png", style=True)
    assert services.references.suggest(pid, "S1") == ["민지"]
    assert services.references.suggest(pid, "S2") == []
    scene = services.references.link(pid, "S1", ["jun", "민지"])
    assert scene.scene_json["characters"] == ["Jun", "민지"]
    assert scene.status == "init"  # naming characters is not a prompt change
    carried = services.references.for_scene(pid, scene)
    assert [(r["character"], r["storage_url"]) for r in carried] == [
        (None, "file:///style.png"), ("Jun", "file:///j.png"), ("민지", "file:///m.png"),
    ]
    with pytest.raises(NotFound, match="no character named 수아"):
        services.references.link(pid, "S2", ["수아"])
    cleared = services.references.link(pid, "S1", [])
    assert "characters" not in cleared.scene_json


def test_a_removed_character_keeps_its_images_and_its_label_is_not_reused(services):
    pid = _project(services)
    services.references.add_character(pid, "민지")
    services.references.add(pid, "file:///m.png", character="민지")
    services.references.link(pid, "S1", ["민지"])
    services.references.remove_character(pid, "민지")
    assert services.references.characters(pid) == []
    again = services.references.add_character(pid, "민지")
    assert again.label == "C2"  # C1's image stays with the old 민지
    assert services.references.for_scene(pid, services.scenes.get(pid, "S1")) == []
    with pytest.raises(NotFound):
        services.references.remove_character(pid, "Jun")


def test_any_image_version_can_become_a_reference(services):
    pid = _project(services)
    services.scenes.edit(pid, "S1", {"image_prompt": "민지 on a beach"})
    services.reviews.confirm(pid, "S1")
    image, _ = services.assets.add_scene_version(pid, "S1", "image", "file:///s1.png", {"width": 480, "height": 854})
    services.references.add_character(pid, "민지")
    ref = services.references.add_from_asset(pid, image.id, character="민지")
    assert ref.storage_url == "file:///s1.png" and ref.type == "reference"
    assert ref.metadata["source"] == {"asset_id": image.id, "type": "image", "version": 1, "parents_id": f"{pid}-S1"}
    assert ref.metadata["width"] == 480 and ref.metadata["for"] == "민지"
    with pytest.raises(NotFound):
        services.references.add_from_asset(pid, 12345, character="민지")
