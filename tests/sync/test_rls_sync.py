"""Sync on a secured shared store (the security part installed by init-shared): each
installation pushes and pulls on its person's own LOGIN role, bound by row-level
security. What RLS forbids is refused and reported, never applied and never lost."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from storyclip_desktop.shared.install import install_shared
from storyclip_desktop.shared.people import share, unshare
from storyclip_desktop.store.db import make_engine

from .conftest import assert_converged, local_projects
from .test_security_support import add_person, url_parts


def _person_url(pg_url: str, person) -> str:
    host, db = url_parts(pg_url)
    return f"postgresql+psycopg://{person.role}:{person.password}@/{db}?host={host}"


@pytest.fixture
def secured(pg_url):
    engine = make_engine(pg_url)
    report = install_shared(engine)
    assert report.sync_installed and "sync_feed" in report.tables
    host, db = url_parts(pg_url)
    people = {k: add_person(engine, host, db, k) for k in ("a", "b", "r", "c")}
    yield engine, people
    for p in people.values():
        p.conn.close()
    engine.dispose()


def _install(tmp_path, node, url, person, shared_media):
    from storyclip_desktop.services import Services
    from storyclip_desktop.sync import SyncEngine

    sv = Services.open(f"sqlite:///{tmp_path / f'p{node}.sqlite3'}", node=node, email=person.email)
    return type("Inst", (), {"sv": sv, "node": node, "engine": SyncEngine(sv, url, shared_media_dir=shared_media)})


def _queue(inst, kind: str, pid: int, **payload) -> int:
    cid = inst.sv.ids.next_id()
    with inst.sv.db.engine.begin() as c:
        c.execute(
            text("INSERT INTO pending_change (id, kind, project_id, payload) VALUES (:i, :k, :p, :j)"),
            {"i": cid, "k": kind, "p": pid, "j": json.dumps(payload)},
        )
    return cid


def test_sync_under_row_level_security(secured, pg_url, tmp_path, shared_media):
    engine, people = secured
    a = _install(tmp_path, 1, _person_url(pg_url, people["a"]), people["a"], shared_media)
    b = _install(tmp_path, 2, _person_url(pg_url, people["b"]), people["b"], shared_media)
    r = _install(tmp_path, 3, _person_url(pg_url, people["r"]), people["r"], shared_media)
    c = _install(tmp_path, 4, _person_url(pg_url, people["c"]), people["c"], shared_media)
    try:
        # The owner's whole pipeline goes through under RLS, versions drawn by the
        # security part's function.
        pid = a.sv.projects.create("Secured", script="One. Two.")
        a.sv.scenes.split(pid, chunks=["one", "two", "three"])
        a.sv.scenes.edit(pid, "S1", {"image_prompt": "a harbour"})
        a.sv.reviews.confirm_prompt(pid, "S1")
        a.sv.assets.add_scene_version(pid, "S1", "image", "https://cdn.example/h.png")
        a.sv.ordering.move_after(pid, ["S3"], None)
        rep = a.engine.sync()
        assert rep.error is None and not rep.refused, (rep.error, [o.message for o in rep.refused])
        assert a.sv.user_id == people["a"].user_id  # the local person took the server's id

        owner = make_engine(_person_url(pg_url, people["a"]))
        share(owner, pid, people["b"].email, "editor")
        share(owner, pid, people["r"].email, "reviewer")
        owner.dispose()
        for inst in (b, r, c):
            rep = inst.engine.sync()
            assert rep.error is None, rep.error
        # Members got the project through the feed; the outsider got nothing.
        assert_converged(pg_url, a, b, r)
        assert pid in local_projects(b.sv) and pid in local_projects(r.sv)
        assert pid not in local_projects(c.sv)

        # A reviewer may confirm, not edit; an outsider may do nothing.
        s1 = a.sv.scenes.get(pid, "S1")
        ok = _queue(r, "confirm_image", pid, scene_id="S1", scene_pk=s1.id, review_id=r.sv.ids.next_id(),
                    image_version=s1.image_version)
        no = _queue(r, "edit_scene", pid, scene_id="S1", scene_pk=s1.id, fields={"narration": "reviewer text"})
        rep = r.engine.sync()
        assert rep.applied == [ok], [o.message for o in rep.refused]
        assert [o.change.id for o in rep.refused] == [no]
        assert "does not allow" in rep.refused[0].message
        forged = _queue(c, "edit_project", pid, fields={"title": "Mine now"})
        rep = c.engine.sync()
        assert [o.change.id for o in rep.refused] == [forged]
        assert "no longer shared with you" in rep.refused[0].message

        a.engine.sync()
        assert a.sv.scenes.get(pid, "S1").status == "image_confirmed"
        assert a.sv.projects.get(pid).title == "Secured"

        # Unsharing takes the project off B's machine at the next sync.
        owner = make_engine(_person_url(pg_url, people["a"]))
        unshare(owner, pid, people["b"].email)
        owner.dispose()
        rep = b.engine.sync()
        assert pid in rep.dropped and pid not in local_projects(b.sv)
    finally:
        for inst in (a, b, r, c):
            inst.engine.close()
            inst.sv.close()
