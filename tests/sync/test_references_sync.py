"""Characters and reference images travel like every other version: between two
installations through the team server (files through the shared media folder), and on
the secured store only owners and editors may add them."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import text

from storyclip_desktop.services import Forbidden
from storyclip_desktop.shared.people import share
from storyclip_desktop.store.db import make_engine
from storyclip_desktop.sync import media_state

from .conftest import assert_converged, server_engine
from .test_rls_sync import _install, _person_url, _queue, secured  # noqa: F401  (fixture)
from .test_services_shared import open_as, team, team_project  # noqa: F401  (fixtures)


def _file(root: Path, name: str, data: bytes) -> str:
    p = root / "media" / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data)
    return p.as_uri()


def test_characters_references_and_scene_links_reach_the_other_installation(installs, server_url, shared_media, tmp_path):
    a, b = installs(1), installs(2)
    pid = a.sv.projects.create("Refs", script="민지가 웃는다. Jun이 달린다.")
    a.sv.scenes.split(pid, chunks=["민지가 웃는다.", "Jun이 달린다."])
    a.sv.references.add_character(pid, "민지")
    a.sv.references.add_character(pid, "Jun")
    data = b"\x89PNG minji face"
    a.sv.references.add(pid, _file(tmp_path, "m.png", data), character="민지", metadata={"mime": "image/png"})
    a.sv.references.add(pid, _file(tmp_path, "style.png", b"\x89PNG style"), style=True)
    a.sv.references.link(pid, "S1", ["민지"])
    rep = a.sync()
    assert not rep.refused, [o.message for o in rep.refused]
    b.sync()
    refs = b.sv.references.get(pid)
    assert [(c.label, c.name) for c in refs.characters] == [("C1", "민지"), ("C2", "Jun")]
    (m1,) = refs.character("민지").references
    digest = hashlib.sha256(data).hexdigest()
    assert m1.storage_url == (shared_media / digest[:2] / digest[2:4] / f"{digest}.png").as_uri()
    assert media_state(m1.storage_url) == "ok" and m1.metadata["for"] == "민지"
    assert [a_.version for a_ in refs.style] == [1]
    assert b.sv.scenes.get(pid, "S1").scene_json["characters"] == ["민지"]
    assert [r["character"] for r in b.sv.references.for_scene(pid, b.sv.scenes.get(pid, "S1"))] == [None, "민지"]

    # B adds a second 민지 image and removes Jun; A sees both.
    b.sv.references.add(pid, _file(tmp_path, "m2.png", b"\x89PNG minji again"), character="민지")
    b.sv.references.remove_character(pid, "Jun")
    assert not b.sync().refused
    a.sync()
    refs = a.sv.references.get(pid)
    assert [c.name for c in refs.characters] == ["민지"]
    assert [r.version for r in refs.character("민지").references] == [1, 2]
    assert_converged(server_url, a, b)


def test_the_same_character_added_offline_on_two_machines_becomes_one(installs, server_url, tmp_path):
    a, b = installs(1), installs(2)
    pid = a.sv.projects.create("Twice", script="One.")
    a.sv.scenes.split(pid)
    a.sync()
    b.sync()
    a.sv.references.add_character(pid, "Jun")  # A: C1 = Jun
    b.sv.references.add_character(pid, "민지")  # B, offline meanwhile: C1 = 민지 ...
    b.sv.references.add_character(pid, "Jun")  # ... and C2 = Jun
    a.sv.references.add(pid, "https://cdn.example/jun-a.png", character="Jun")
    b.sv.references.add(pid, "https://cdn.example/minji-b.png", character="민지")
    b.sv.references.add(pid, "https://cdn.example/jun-b.png", character="Jun")
    assert not a.sync().refused
    rep = b.sync()
    assert not rep.refused, [o.message for o in rep.refused]
    assert any("Jun was added elsewhere too" in (o.message or "") for o in rep.notices)
    a.sync()
    for inst in (a, b):
        refs = inst.sv.references.get(pid)
        assert sorted((c.label, c.name) for c in refs.characters) == [("C1", "Jun"), ("C2", "민지")]
        assert [r.storage_url for r in refs.character("Jun").references] == [
            "https://cdn.example/jun-a.png", "https://cdn.example/jun-b.png",
        ]
        assert [r.storage_url for r in refs.character("민지").references] == ["https://cdn.example/minji-b.png"]
    assert_converged(server_url, a, b)


def test_a_reviewer_cannot_add_characters_or_references_on_the_shared_store(team, open_as):  # noqa: F811
    a, pid = team_project(team, open_as)
    a.references.add_character(pid, "민지")
    r, b = open_as("r"), open_as("b")
    with pytest.raises(Forbidden, match="reviewer of project"):
        r.references.add_character(pid, "Jun")
    with pytest.raises(Forbidden, match="reviewer of project"):
        r.references.add(pid, "https://cdn.example/r.png", character="민지")
    with pytest.raises(Forbidden, match="reviewer of project"):
        r.references.link(pid, "S1", ["민지"])
    assert [c.name for c in r.references.characters(pid)] == ["민지"]  # but sees them
    ref = b.references.add(pid, "https://cdn.example/b.png", character="민지")  # an editor may
    assert ref.parents_id == f"{pid}-C1" and ref.version == 1
    b.references.link(pid, "S1", ["민지"])
    assert [x["asset_id"] for x in r.references.for_scene(pid, r.scenes.get(pid, "S1"))] == [ref.id]


def test_a_reviewers_queued_reference_is_refused_by_row_level_security(secured, pg_url, tmp_path, shared_media):  # noqa: F811
    engine, people = secured
    a = _install(tmp_path, 1, _person_url(pg_url, people["a"]), people["a"], shared_media)
    r = _install(tmp_path, 3, _person_url(pg_url, people["r"]), people["r"], shared_media)
    try:
        pid = a.sv.projects.create("Secured", script="One.")
        a.sv.scenes.split(pid)
        minji = a.sv.references.add_character(pid, "민지")
        assert not a.engine.sync().refused
        owner = make_engine(_person_url(pg_url, people["a"]))
        share(owner, pid, people["r"].email, "reviewer")
        owner.dispose()
        r.engine.sync()
        # A forged change in the reviewer's queue: the server itself must say no.
        forged = [
            _queue(r, "add_reference", pid, asset_id=r.sv.ids.next_id(), character_id=minji.id,
                   character="민지", storage_url="https://cdn.example/r.png"),
            _queue(r, "add_character", pid, id=r.sv.ids.next_id(), label="C9", name="Jun"),
        ]
        rep = r.engine.sync()
        assert [o.change.id for o in rep.refused] == forged
        eng = server_engine(pg_url)
        with eng.connect() as c:
            refs = c.execute(text("SELECT count(*) FROM asset WHERE type = 'reference'")).scalar()
            names = list(c.scalars(text("SELECT name FROM project_character WHERE project_id = :p"), {"p": pid}))
        eng.dispose()
        assert refs == 0 and names == ["민지"]
        assert [c.name for c in r.sv.references.characters(pid)] == ["민지"]  # undone locally too
    finally:
        for inst in (a, r):
            inst.engine.close()
            inst.sv.close()
