"""The characters panel, the inspector's character picker and the preview's version menu,
offscreen against a real SQLite store."""

from __future__ import annotations

import pytest
from PIL import Image

from storyclip_desktop.ui.inspector import SceneInspector
from storyclip_desktop.ui.references import CharacterPicker, CharactersPanel


@pytest.fixture
def people(local_services, project):
    sv = local_services
    sv.scenes.split(project, chunks=["민지가 웃는다.", "바다가 보인다."])
    sv.references.add_character(project, "민지")
    sv.references.add_character(project, "Jun")
    return project


def _png(path, rgb=(250, 0, 250)):
    Image.new("RGB", (160, 240), rgb).save(path, format="PNG")
    return path


def test_the_panel_lists_style_and_characters_and_adds_images_and_people(qtbot, ctx, people, tmp_path, answer,
                                                                         settle):
    panel = CharactersPanel(ctx)
    qtbot.addWidget(panel)
    panel.set_project(people)
    qtbot.waitUntil(ctx.ops.idle)  # the cast is read off the GUI thread
    names = [panel.rows.itemAt(i).widget().objectName() for i in range(panel.rows.count())]
    assert names == ["reference-row-style", "reference-row-민지", "reference-row-Jun"]

    refs: list = []
    assert panel.add_image("민지", _png(tmp_path / "m.png"), then=refs.append)
    settle()
    assert refs[-1].version == 1
    assert [a.version for a in ctx.services.references.get(people).character("민지").references] == [1]
    # A file that is not an image: one line, nothing added.
    (tmp_path / "x.txt").write_text("hello")
    assert panel.add_image(None, tmp_path / "x.txt", then=refs.append)
    settle()
    assert len(refs) == 1 and "not a PNG, JPEG or WebP image" in ctx.messages[-1]
    assert ctx.services.references.get(people).style == ()
    panel.choose_file = lambda who: str(_png(tmp_path / "style.png", (0, 200, 0)))
    assert panel.add_image(None, then=refs.append)  # through the (answered) file dialog
    settle()
    assert refs[-1].version == 1 and len(ctx.services.references.get(people).style) == 1

    panel.name_edit.setText("수아")
    panel.add_button.click()
    assert not panel.add_button.isEnabled()  # grey until 수아 is in: no double add
    assert not panel.add_character("수아")
    settle()
    assert panel.name_edit.text() == "" and panel.add_button.isEnabled()
    panel.name_edit.setText("민지")
    panel.add_button.click()
    settle()
    assert "already has a character named 민지" in ctx.messages[-1]
    assert panel.name_edit.text() == "민지"  # what the user typed is kept

    answer.confirm(False)
    assert not panel.remove_character("Jun")
    answer.confirm(True)
    assert panel.remove_character("Jun")
    settle()
    assert [c.name for c in ctx.services.references.characters(people)] == ["민지", "수아"]
    assert panel.rows.count() == 3


def test_the_picker_sets_a_scenes_characters_suggests_and_undoes(qtbot, ctx, people, settle):
    picker = CharacterPicker(ctx)
    qtbot.addWidget(picker)
    picker.set_scene(ctx.services.scenes.get(people, "S1"))
    settle()
    assert list(picker.boxes) == ["민지", "Jun"]
    assert not any(b.isChecked() for b in picker.boxes.values())
    assert picker.suggestion.text() == "Its text names 민지" and not picker.suggestion.isHidden()
    assert picker.apply_suggestion()
    settle()
    picker.set_scene(ctx.services.scenes.get(people, "S1"))
    settle()
    assert picker.boxes["민지"].isChecked() and picker.suggestion.isHidden()
    picker.boxes["Jun"].setChecked(True)
    settle()
    assert ctx.services.scenes.get(people, "S1").scene_json["characters"] == ["민지", "Jun"]
    ctx.stack.undo()
    settle()
    assert ctx.services.scenes.get(people, "S1").scene_json["characters"] == ["민지"]
    ctx.stack.undo()
    settle()
    assert "characters" not in ctx.services.scenes.get(people, "S1").scene_json
    picker.set_scene(ctx.services.scenes.get(people, "S2"))
    settle()
    assert picker.suggestion.isHidden()  # S2's text names nobody


def test_the_inspector_shows_the_picker_for_the_selected_scene(qtbot, ctx, people, settle):
    ins = SceneInspector(ctx)
    qtbot.addWidget(ins)
    ins.set_scene(people, "S1")
    settle()
    assert ins.characters.scene.scene_id == "S1" and list(ins.characters.boxes) == ["민지", "Jun"]
    ins.characters.boxes["Jun"].setChecked(True)
    settle()
    settle()  # the write, then the inspector's re-read it starts
    # The command's scene-changed notice reloads the inspector with the stored list.
    assert ins.scene.scene_json["characters"] == ["Jun"]
    assert ins.characters.boxes["Jun"].isChecked()


def test_the_preview_menu_uses_a_version_as_a_reference_and_regenerates_with_its_seed(qtbot, local_services, people):
    from storyclip_desktop.ui.preview import PreviewPane

    sv = local_services
    sv.scenes.edit(people, "S1", {"image_prompt": "민지 at the sea"})
    sv.reviews.confirm(people, "S1")
    sv.assets.add_scene_version(people, "S1", "image", "file:///tmp/s1.png", {"seed": 1234, "provider": "local"})
    pane = PreviewPane(sv)
    qtbot.addWidget(pane)
    pane.show_project(people)
    pane.show_scene(people, "S1")
    qtbot.waitUntil(pane.ctx.ops.idle)  # read off the GUI thread
    av = pane.previewed
    assert av is not None and av.type == "image"
    menu = pane.version_menu
    built = menu.fill(menu.menu, av)
    labels = [a.text() for a in built.actions()]
    assert labels[0] == "Use as reference for" and labels[1] == "Generate again with the same seed (1234)"
    qtbot.waitUntil(pane.ctx.ops.idle)  # the names are read off the GUI thread, then filled in
    sub = built.actions()[0].menu()
    assert [a.text() for a in sub.actions() if a.text()] == ["The style", "민지", "Jun", "New character…"]

    changed, landed = [], []
    menu.referencesChanged.connect(changed.append)
    assert menu.use_as_reference(av, "민지", then=landed.append)
    qtbot.waitUntil(pane.ctx.ops.idle)
    assert landed[-1].metadata["source"]["version"] == 1 and changed == [people]
    menu.ask_name = lambda: "수아"
    assert menu.use_for_new_character(av, then=landed.append)
    qtbot.waitUntil(pane.ctx.ops.idle)
    assert landed[-1].parents_id == f"{people}-C3"
    sv.generation.key_check = lambda provider: False  # the Local preview takes a seed
    assert menu.again_with_seed(av, then=landed.append)
    qtbot.waitUntil(pane.ctx.ops.idle)
    assert sv.generation.job(landed[-1].job_ids[0]).request["seed"] == 1234
    assert "again with seed 1234" in pane.info.text()
