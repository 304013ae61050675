"""Each conflict case resolved by intent (docs/sync.md, "Conflicts")."""

from __future__ import annotations

from sqlalchemy import text

from storyclip_desktop.domain.ordering import is_dense

from .conftest import assert_converged, server_engine


def _project_with_scenes(inst, n: int = 4, title: str = "P") -> int:
    pid = inst.sv.projects.create(title, script=" ".join(f"Line {i}." * 8 for i in range(n)))
    inst.sv.scenes.split(pid, chunks=[f"narration {i}" for i in range(1, n + 1)])
    return pid


def _shared(installs, n_scenes: int = 4):
    a, b = installs(1), installs(2)
    pid = _project_with_scenes(a, n_scenes)
    a.sync()
    b.sync()
    return a, b, pid


def _ready_for_image(inst, pid: int, label: str) -> None:
    inst.sv.scenes.edit(pid, label, {"image_prompt": "a red fox"})
    inst.sv.reviews.confirm_prompt(pid, label)


def test_different_fields_of_one_scene_both_survive(installs, server_url):
    a, b, pid = _shared(installs)
    a.sv.scenes.edit(pid, "S1", {"narration": "from A"})
    b.sv.scenes.edit(pid, "S1", {"motion_prompt": "slow pan from B"})
    a.sync()
    b.sync()
    a.sync()
    for inst in (a, b):
        js = inst.sv.scenes.get(pid, "S1").scene_json
        assert js["narration"] == "from A" and js["motion_prompt"] == "slow pan from B"
    assert a.engine.history(pid) == []
    assert_converged(server_url, a, b)


def test_same_field_later_write_wins_and_the_loser_is_kept_and_restorable(installs, server_url):
    a, b, pid = _shared(installs)
    a.sv.scenes.edit(pid, "S2", {"narration": "A wrote this first"})
    b.sv.scenes.edit(pid, "S2", {"narration": "B wrote this later"})  # later by the clock
    b.sync()  # the later write reaches the server first...
    rep = a.sync()  # ...and the earlier one arrives after it: it must not win
    assert [o.message for o in rep.notices] and "history" in rep.notices[0].message
    b.sync()
    for inst in (a, b):
        assert inst.sv.scenes.get(pid, "S2").narration == "B wrote this later"
    hist = a.engine.history(pid, "S2")
    assert [(h.field, h.value, h.winner) for h in hist] == [("narration", "A wrote this first", "B wrote this later")]
    assert a.engine.notices() and "history" in a.engine.notices()[0].message

    # Arrival order the other way round: the later write overwrites, the earlier text is kept.
    a.sv.scenes.edit(pid, "S3", {"narration": "A early"})
    b.sv.scenes.edit(pid, "S3", {"narration": "B late"})
    a.sync()
    b.sync()
    a.sync()
    assert a.sv.scenes.get(pid, "S3").narration == "B late"
    assert [(h.value, h.winner) for h in a.engine.history(pid, "S3")] == [("A early", "B late")]

    # Restoring is an ordinary edit: it syncs and wins as the newest write.
    a.engine.restore(hist[0].id)
    a.sync()
    b.sync()
    assert b.sv.scenes.get(pid, "S2").narration == "A wrote this first"
    assert_converged(server_url, a, b)


def test_two_people_reorder_the_same_project(installs, server_url):
    a, b, pid = _shared(installs, 6)
    # A drops S6 right after S1; B drops S1 and S2 right after S4.
    a.sv.ordering.move_after(pid, ["S6"], "S1")
    b.sv.ordering.move_after(pid, ["S1", "S2"], "S4")
    a.sync()
    b.sync()
    a.sync()
    labels = [s.scene_id for s in a.sv.scenes.list(pid)]
    assert is_dense([s.order for s in a.sv.scenes.list(pid)])
    # A's move applied first (S6 after S1), then B's re-applied on that order: the S1,S2
    # block lands right after S4, nothing duplicated or lost.
    assert labels == ["S6", "S3", "S4", "S1", "S2", "S5"]
    assert_converged(server_url, a, b)


def test_reorders_land_next_to_their_anchor(installs, server_url):
    a, b, pid = _shared(installs, 6)
    a.sv.ordering.move_after(pid, ["S6"], "S2")  # A: S1 S2 S6 S3 S4 S5
    b.sv.ordering.move_after(pid, ["S1"], "S5")  # B: S2 S3 S4 S5 S1 S6
    a.sync()
    b.sync()
    a.sync()
    labels = [s.scene_id for s in b.sv.scenes.list(pid)]
    assert labels[labels.index("S2") + 1] == "S6"
    assert labels[labels.index("S5") + 1] == "S1"
    assert len(set(labels)) == 6 and is_dense([s.order for s in b.sv.scenes.list(pid)])
    assert_converged(server_url, a, b)


def test_two_offline_image_versions_both_survive_and_each_points_at_its_file(installs, server_url):
    a, b, pid = _shared(installs)
    _ready_for_image(a, pid, "S1")
    a.sync()
    b.sync()
    a.sv.assets.add_scene_version(pid, "S1", "image", "https://cdn.example/a.png")
    b.sv.assets.add_scene_version(pid, "S1", "image", "https://cdn.example/b.png")
    assert a.sv.scenes.get(pid, "S1").image_version == b.sv.scenes.get(pid, "S1").image_version == 1
    rep = a.sync()
    assert not rep.refused and not rep.notices, rep
    assert _current_image_url(server_url, pid) == "https://cdn.example/a.png"
    b.sync()
    a.sync()
    versions = {v.version: v.storage_url for v in a.sv.assets.versions(pid, "S1", "image")}
    assert versions == {1: "https://cdn.example/a.png", 2: "https://cdn.example/b.png"}
    # B chose its own file last: the scene points at it under its server number.
    assert _current_image_url(server_url, pid) == "https://cdn.example/b.png"
    for inst in (a, b):
        sc = inst.sv.scenes.get(pid, "S1")
        assert versions[sc.image_version] == "https://cdn.example/b.png"
    assert_converged(server_url, a, b)


def _current_image_url(url: str, pid: int) -> str:
    eng = server_engine(url)
    with eng.connect() as c:
        got = c.execute(
            text(
                "SELECT a.storage_url FROM scene s JOIN asset a ON a.parents_id = s.project_id || '-' || s.scene_id "
                "AND a.type = 'image' AND a.version = s.image_version WHERE s.project_id = :p AND s.scene_id = 'S1'"
            ),
            {"p": pid},
        ).scalar()
    eng.dispose()
    return got


def test_confirming_an_image_replaced_meanwhile_is_refused_naming_the_new_version(installs, server_url):
    a, b, pid = _shared(installs)  # A makes images, B reviews
    _ready_for_image(a, pid, "S1")
    a.sv.assets.add_scene_version(pid, "S1", "image", "https://cdn.example/v1.png")
    a.sync()
    b.sync()
    assert b.sv.scenes.get(pid, "S1").image_version == 1
    a.sv.assets.add_scene_version(pid, "S1", "image", "https://cdn.example/v2.png")
    b.sv.reviews.confirm_image(pid, "S1", version=1)  # B looks at v1, offline
    a.sync()
    rep = b.sync()
    assert len(rep.refused) == 1
    msg = rep.refused[0].message
    assert "v1" in msg and "v2" in msg, msg
    assert [r.message for r in b.engine.refused()] == [msg]
    assert b.sv.scenes.get(pid, "S1").status == "image"  # the optimistic confirm was undone
    assert b.engine.status().refused and b.engine.status().pending == 0
    assert_converged(server_url, a, b)


def test_a_delete_meets_an_edit_the_delete_wins_and_the_editor_is_told(installs, server_url):
    a, b, pid = _shared(installs)
    a.sv.scenes.delete(pid, "S2")
    b.sv.scenes.edit(pid, "S2", {"narration": "B's careful rewrite"})
    a.sync()
    rep = b.sync()
    assert [o.change.kind for o in rep.refused] == ["edit_scene"]
    assert "deleted" in rep.refused[0].message and "S2" in rep.refused[0].message
    refused = b.engine.refused()[0]
    assert refused.payload["fields"]["narration"] == "B's careful rewrite"  # nothing silently dropped
    assert "S2" not in [s.scene_id for s in b.sv.scenes.list(pid)]
    assert b.engine.dismiss(refused.change_id) and b.engine.refused() == []
    assert_converged(server_url, a, b)


def test_a_deleted_project_wins_over_edits_in_it(installs, server_url):
    a, b, pid = _shared(installs)
    a.sv.projects.delete(pid)
    b.sv.projects.rename(pid, "Renamed")
    b.sv.scenes.edit(pid, "S1", {"narration": "x"})
    a.sync()
    rep = b.sync()
    assert len(rep.refused) == 2 and all("deleted" in o.message for o in rep.refused)
    assert pid not in {p.id for p in b.sv.projects.list()}
    assert_converged(server_url, a, b)


def test_two_offline_installations_adding_a_scene_get_distinct_labels(installs, server_url):
    a, b, pid = _shared(installs, 2)
    sa = a.sv.scenes.add(pid, "added by A")
    sb = b.sv.scenes.add(pid, "added by B")
    assert sa.scene_id == sb.scene_id == "S3"
    b.sv.scenes.edit(pid, "S3", {"image_prompt": "B's prompt"})  # follows B's scene by pk
    a.sync()
    rep = b.sync()
    assert any("S4" in (o.message or "") for o in rep.notices)
    a.sync()
    scenes = {s.id: s for s in a.sv.scenes.list(pid)}
    assert scenes[sa.id].scene_id == "S3" and scenes[sb.id].scene_id == "S4"
    assert scenes[sb.id].scene_json["image_prompt"] == "B's prompt"
    assert "image_prompt" not in scenes[sa.id].scene_json
    assert_converged(server_url, a, b)


def test_a_split_over_scenes_added_meanwhile_is_refused(installs, server_url):
    a, b = installs(1), installs(2)
    pid = a.sv.projects.create("Empty", script="One. Two.")
    a.sync()
    b.sync()
    a.sv.scenes.add(pid, "written by hand")
    b.sv.scenes.split(pid)  # B saw no scenes
    a.sync()
    rep = b.sync()
    assert [o.change.kind for o in rep.refused] == ["split_script"]
    assert "already has 1 scenes" in rep.refused[0].message
    assert [s.narration for s in b.sv.scenes.list(pid)] == ["written by hand"]
    assert_converged(server_url, a, b)
