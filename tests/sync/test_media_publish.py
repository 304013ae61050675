"""Media follows the data; publishing a local project; the engine's status."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from sqlalchemy import text

from storyclip_desktop.sync import SyncError, media_state

from .conftest import Installation, assert_converged, server_engine, server_projects


def _file(root: Path, name: str, data: bytes) -> str:
    p = root / "media" / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data)
    return p.as_uri()


def _image_ready(inst, pid: int, label: str = "S1") -> None:
    inst.sv.scenes.edit(pid, label, {"image_prompt": "a lighthouse"})
    inst.sv.reviews.confirm_prompt(pid, label)


def _server_assets(url: str, pid: int) -> list:
    eng = server_engine(url)
    with eng.connect() as c:
        rows = c.execute(
            text("SELECT version, storage_url, metadata FROM asset WHERE project_id = :p ORDER BY version"), {"p": pid}
        ).all()
    eng.dispose()
    return rows


def test_offline_media_is_copied_to_the_shared_folder_before_its_row(installs, server_url, shared_media, tmp_path):
    a, b = installs(1), installs(2)
    pid = a.sv.projects.create("Media", script="One.")
    a.sv.scenes.split(pid)
    _image_ready(a, pid)
    data = b"\x89PNG fake image bytes"
    local_url = _file(tmp_path, "ab/cd/lighthouse.png", data)
    a.sv.assets.add_scene_version(pid, "S1", "image", local_url)
    gone_url = (tmp_path / "media" / "deleted.png").as_uri()
    a.sv.assets.add_scene_version(pid, "S1", "image", gone_url)  # its file vanished before sync
    rep = a.sync()
    assert not rep.refused, rep.refused
    (v1, url1, meta1), (v2, url2, meta2) = _server_assets(server_url, pid)
    digest = hashlib.sha256(data).hexdigest()
    shared_copy = shared_media / digest[:2] / digest[2:4] / f"{digest}.png"
    assert url1 == shared_copy.as_uri() and shared_copy.read_bytes() == data
    assert url2 == gone_url and meta2 == {"media": "missing"}
    b.sync()
    versions = {v.version: v.storage_url for v in b.sv.assets.versions(pid, "S1", "image")}
    assert media_state(versions[1]) == "ok"
    assert media_state(versions[2]) == "missing"
    assert media_state("https://cdn.example/x.png") == "remote"
    assert_converged(server_url, a, b)


def test_publish_moves_a_local_project_with_its_assets(tmp_path, server_url, shared_media):
    from storyclip_desktop.services import Services
    from storyclip_desktop.sync import SyncEngine

    url = f"sqlite:///{tmp_path / 'solo.sqlite3'}"
    sv = Services.open(url, node=7)
    # Made before this installation joined a team: it stays local until published.
    pid = sv.projects.create("Solo", script="First. Second.")
    sv.scenes.split(pid, chunks=["first", "second"])
    _image_ready(type("I", (), {"sv": sv}), pid)
    sv.assets.add_scene_version(pid, "S1", "image", _file(tmp_path, "solo/one.png", b"one"))
    sv.assets.add_scene_version(pid, "S1", "image", _file(tmp_path, "solo/two.png", b"two"))
    sv.assets.choose(pid, "S1", "image", 1)
    sv.reviews.confirm_image(pid, "S1")
    engine = SyncEngine(sv, server_url, shared_media_dir=shared_media)
    try:
        engine.sync()
        assert pid not in server_projects(server_url)
        st = engine.status()
        assert st.pending == 0 and st.local_only > 0  # parked, not lost
        done = engine.publish(pid)
        assert (done.scenes, done.assets, done.missing_media) == (2, 2, 0)
        assert pid in server_projects(server_url)
        assert engine.status().pending == 0
        urls = [r.storage_url for r in _server_assets(server_url, pid)]
        assert all(u.startswith(shared_media.as_uri()) for u in urls)
        with pytest.raises(SyncError, match="already shared"):
            engine.publish(pid)
        other = Installation(tmp_path, 8, server_url, shared_media)
        other.sync()
        sc = other.sv.scenes.get(pid, "S1")
        assert sc.status == "image_confirmed" and sc.image_version == 1
        assert len(other.sv.reviews.history(pid, "S1")) == 2
        other.sv.scenes.edit(pid, "S2", {"narration": "edited by a teammate"})
        other.sync()
        engine.sync()
        assert sv.scenes.get(pid, "S2").narration == "edited by a teammate"
        inst = type("I", (), {"sv": sv, "node": 7})
        assert_converged(server_url, inst, other)
        other.close()
    finally:
        engine.close()
        sv.close()


def test_a_refused_create_keeps_the_project_local(installs, server_url):
    a = installs(1)
    pid = a.sv.projects.create("Clash")
    eng = server_engine(server_url)
    with eng.begin() as c:  # somebody's project already has that id on the server
        uid = c.execute(text("INSERT INTO users (id, login_method, email) VALUES (5, 'local', 'x@y.zz') RETURNING id")).scalar()
        c.execute(text("INSERT INTO project (id, user_id, title) VALUES (:p, :u, 'Theirs')"), {"p": pid, "u": uid})
    eng.dispose()
    a.sv.projects.rename(pid, "Mine")
    rep = a.sync()
    assert [o.change.kind for o in rep.refused] == ["create_project"]
    assert a.sv.projects.get(pid).title == "Mine"  # still here, as a local project
    assert a.engine.status().local_only == 1  # the rename waits with it
