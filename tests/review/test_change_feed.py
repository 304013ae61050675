"""What changed since a token, on the SQLite file and on PostgreSQL, as another
connection (another process, the CLI, a sync) writes."""

from __future__ import annotations

from storyclip_desktop.services import Services
from storyclip_desktop.services.changes import ChangeFeed


def test_another_connection_s_changes_are_named(services, store_url):
    pid = services.projects.create("피드", script="One.\n\nTwo.\n\nThree.")
    services.scenes.split(pid)
    feed = ChangeFeed(services)
    try:
        change, token = feed.since(None, pid)
        assert change.empty
        change, token = feed.since(token, pid)
        assert change.empty  # nothing happened

        other = Services.open(store_url, node=2)
        try:
            other.scenes.edit(pid, "S2", {"image_prompt": "a harbour"})
            change, token = feed.since(token, pid)
            assert change.scene_ids == {"S2"} and not change.scenes and pid in change.projects
            other.reviews.reject(pid, "S2", "더 밝게")
            change, token = feed.since(token, pid)
            assert change.scene_ids == {"S2"} and change.reviews
            other.ordering.move(pid, ["S3"], 1)
            change, token = feed.since(token, pid)
            assert change.scenes  # the order changed
            new = other.projects.create("밖에서")
            change, token = feed.since(token, pid)
            assert change.projects == {new} and not change.scene_ids
            other.projects.rename(pid, "새 이름")
            change, token = feed.since(token, pid)
            assert change.project
        finally:
            other.close()
        assert feed.since(token, pid)[0].empty
    finally:
        feed.close()
