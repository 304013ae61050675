"""A deleted scene brought back by undo travels through sync as the same scene."""

from __future__ import annotations

from .conftest import assert_converged


def test_delete_and_restore_reach_the_other_installation(installs, server_url):
    a, b = installs(1), installs(2)
    pid = a.sv.projects.create("되돌리기", script="One.\n\nTwo.\n\nThree.")
    a.sv.scenes.split(pid)
    a.sv.scenes.edit(pid, "S2", {"image_prompt": "a harbour"})
    a.sv.reviews.reject(pid, "S2", "다시 / again")
    a.sync()
    b.sync()
    before = b.sv.scenes.get(pid, "S2")
    assert before.rejected

    gone = a.sv.scenes.delete(pid, "S2")
    a.sync()
    b.sync()
    assert [s.scene_id for s in b.sv.scenes.list(pid)] == ["S1", "S3"]

    a.sv.scenes.restore(gone)
    rep = a.sync()
    assert not rep.refused, rep
    b.sync()
    back = b.sv.scenes.get(pid, "S2")
    assert (back.id, back.status, back.rejection) == (before.id, before.status, "다시 / again")
    assert [s.scene_id for s in b.sv.scenes.list(pid)] == ["S1", "S2", "S3"]
    assert [r.comment for r in b.sv.reviews.history(pid, "S2")] == ["다시 / again"]
    assert_converged(server_url, a, b)
