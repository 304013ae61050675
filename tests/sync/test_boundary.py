"""Bad input at the sync boundary: malformed, oversized, unknown or invalid changes are
refused with a message and never block the ones behind them."""

from __future__ import annotations

import json

from sqlalchemy import text

from storyclip_desktop.sync import changes

from .conftest import assert_converged


def _queue(inst, change_id: int, kind: str, project_id, payload: str) -> None:
    with inst.sv.db.engine.begin() as c:
        c.execute(
            text("INSERT INTO pending_change (id, kind, project_id, payload) VALUES (:i, :k, :p, :j)"),
            {"i": change_id, "k": kind, "p": project_id, "j": payload},
        )


def test_bad_changes_are_refused_with_a_message_and_do_not_block(installs, server_url):
    a = installs(1)
    pid = a.sv.projects.create("Good", script="A. B.")
    a.sv.scenes.split(pid)
    a.sync()
    ids = a.sv.ids
    bad = [
        (ids.next_id(), "edit_project", pid, "{not json", "not valid JSON"),
        (ids.next_id(), "edit_project", pid, json.dumps({"fields": {"title": "x" * 3_000_000}}), "too large"),
        (ids.next_id(), "drop_everything", pid, "{}", "unknown kind"),
        (ids.next_id(), "edit_scene", pid, json.dumps({"scene_id": "S1", "fields": {}, "scene_pk": "abc"}), "scene_pk"),
        (ids.next_id(), "edit_scene", pid, json.dumps({"scene_id": "'; DROP TABLE scene; --", "fields": {}}), "scene_id"),
        (ids.next_id(), "edit_project", pid, json.dumps([1, 2]), "not a JSON object"),
        (ids.next_id(), "edit_project", None, json.dumps({"fields": {}}), "names no project"),
        # Well-formed but invalid for the domain: the server re-validates.
        (ids.next_id(), "edit_project", pid, json.dumps({"fields": {"title": "far too long a title"}}), "title"),
        (ids.next_id(), "edit_scene", pid, json.dumps({"scene_id": "S1", "fields": {"narration": "n" * 5000}}), "narration"),
        (ids.next_id(), "confirm_image", pid, json.dumps({"scene_id": "S1"}), "cannot confirm the image"),
        (ids.next_id(), "edit_project", 42, json.dumps({"fields": {"title": "Ghost"}}), "project 42"),
    ]
    for cid, kind, p, payload, _ in bad:
        _queue(a, cid, kind, p, payload)
    a.sv.projects.rename(pid, "Behind")  # queued after every bad one
    rep = a.sync()
    got = {o.change.id: o.message for o in rep.refused}
    for cid, _, _, _, expected in bad:
        assert expected in got.get(cid, ""), (expected, got.get(cid))
    assert len(rep.applied) == 1
    assert a.engine.status().pending == 0
    assert {r.change_id for r in a.engine.refused()} == {cid for cid, *_ in bad}
    b = installs(2)
    b.sync()
    assert b.sv.projects.get(pid).title == "Behind"
    assert_converged(server_url, a, b)


def test_every_recorded_kind_has_a_schema_and_a_mutator():
    from storyclip_desktop.sync.mutators import MUTATORS

    assert set(MUTATORS) == set(changes.KINDS)


def test_parse_checks_shapes():
    ok = changes.parse(5, "add_scene", 7, {"id": 9, "scene_id": "S2", "after": None, "narration": "n"})
    assert ok.payload["id"] == 9
    for payload, needle in [
        ({"scene_id": "S2", "narration": "n"}, "id is missing"),
        ({"id": True, "scene_id": "S2"}, "must be an id"),
        ({"id": 9, "scene_id": "S2", "after_pk": -1}, "must be an id"),
        ({"id": 9, "scene_id": "scene two"}, "scene_id"),
    ]:
        try:
            changes.parse(5, "add_scene", 7, payload)
        except changes.BadChange as e:
            assert needle in str(e)
        else:
            raise AssertionError(payload)
