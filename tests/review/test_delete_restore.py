"""Deleting a scene and bringing it back: the same id and label, its chosen versions,
its review history and its place (SQLite file and PostgreSQL)."""

from __future__ import annotations

import pytest

from storyclip_desktop.services.errors import Conflict


def _project(services) -> int:
    pid = services.projects.create("삭제", script="One.\n\nTwo.\n\nThree.")
    services.scenes.split(pid)
    return pid


def test_delete_then_restore_brings_back_the_same_scene(services):
    sv = services
    pid = _project(sv)
    sv.scenes.edit(pid, "S2", {"image_prompt": "a harbour at dawn"})
    sv.reviews.confirm_prompt(pid, "S2")
    sv.assets.add_scene_version(pid, "S2", "image", "file:///tmp/s2-v1.png")
    sv.reviews.reject(pid, "S2", "더 밝게 / brighter")
    before = sv.scenes.get(pid, "S2")
    history = sv.reviews.history(pid, "S2")
    assert before.rejected and before.image_version == 1 and len(history) == 2

    gone = sv.scenes.delete(pid, "S2")
    assert [s.scene_id for s in sv.scenes.list(pid)] == ["S1", "S3"]
    back = sv.scenes.restore(gone)

    assert (back.id, back.scene_id, back.status) == (before.id, "S2", before.status)
    assert back.image_version == 1 and back.scene_json == before.scene_json
    assert back.rejection == "더 밝게 / brighter"
    assert [s.scene_id for s in sv.scenes.list(pid)] == ["S1", "S2", "S3"]
    assert [(r.action, r.comment) for r in sv.reviews.history(pid, "S2")] == [(r.action, r.comment) for r in history]
    (v1,) = sv.assets.versions(pid, "S2", "image")
    assert v1.storage_url == "file:///tmp/s2-v1.png"  # the version belongs to it again
    with pytest.raises(Conflict):
        sv.scenes.restore(gone)  # only once


def test_first_scene_comes_back_first(services):
    pid = _project(services)
    gone = services.scenes.delete(pid, "S1")
    services.scenes.restore(gone)
    assert [s.scene_id for s in services.scenes.list(pid)] == ["S1", "S2", "S3"]
