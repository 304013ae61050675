import threading

import pytest

from storyclip_desktop.domain.status import TransitionError
from storyclip_desktop.services import NotFound, Services


def _ready_for_images(sv):
    pid = sv.projects.create("assets", script="one. two.")
    sv.scenes.split(pid, chunks=["one.", "two."])
    sv.scenes.edit(pid, "S1", {"image_prompt": "x"})
    sv.reviews.confirm(pid, "S1")
    return pid


def test_versions_number_per_scene_and_type_and_scene_points_at_newest(services):
    pid = _ready_for_images(services)
    a1, s1 = services.assets.add_scene_version(pid, "S1", "image", "file:///1.png", {"provider": "local"})
    a2, s2 = services.assets.add_scene_version(pid, "S1", "image", "file:///2.png")
    assert (a1.version, a2.version) == (1, 2)
    assert a1.parents_id == f"{pid}-S1"
    assert s2.image_version == 2 and s2.status == "image"
    services.reviews.confirm(pid, "S1")
    c1, s3 = services.assets.add_scene_version(pid, "S1", "clip", "file:///c.mp4")
    assert c1.version == 1 and s3.status == "clip" and s3.clip_version == 1
    assert [(v.type, v.version) for v in services.assets.versions(pid, "S1")] == [
        ("clip", 1), ("image", 1), ("image", 2),
    ]


def test_choosing_an_older_image_after_confirmation_goes_back_to_image(services):
    pid = _ready_for_images(services)
    services.assets.add_scene_version(pid, "S1", "image", "file:///1.png")
    services.assets.add_scene_version(pid, "S1", "image", "file:///2.png")
    services.reviews.confirm(pid, "S1")
    scene = services.assets.choose(pid, "S1", "image", 1)
    assert scene.image_version == 1 and scene.status == "image"
    with pytest.raises(NotFound, match="no image v9"):
        services.assets.choose(pid, "S1", "image", 9)


def test_image_needs_a_confirmed_prompt(services):
    pid = _ready_for_images(services)
    with pytest.raises(TransitionError):
        services.assets.add_scene_version(pid, "S2", "image", "file:///x.png")
    assert services.assets.versions(pid, "S2") == []


def test_project_narration_versions(services):
    pid = _ready_for_images(services)
    n1 = services.assets.add_narration_version(pid, "file:///n1.mp3")
    n2 = services.assets.add_narration_version(pid, "file:///n2.mp3")
    assert n2.parents_id == f"{pid}-narration" and (n1.version, n2.version) == (1, 2)
    assert services.projects.get(pid).narration_version == 2
    services.assets.choose_narration(pid, 1)
    assert services.projects.get(pid).narration_version == 1


@pytest.mark.postgres
def test_concurrent_versions_get_distinct_numbers(pg_url):
    admin = Services.open(pg_url, node=1)
    pid = _ready_for_images(admin)
    out, errors = [], []

    def gen(k):
        sv = Services.open(pg_url, node=50 + k)
        try:
            for _ in range(5):
                a, _ = sv.assets.add_scene_version(pid, "S1", "image", f"file:///{k}.png")
                out.append(a.version)
        except Exception as e:  # noqa: BLE001
            errors.append(e)
        finally:
            sv.close()

    threads = [threading.Thread(target=gen, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(out) == list(range(1, 41))
    admin.close()


def test_current_versions_of_every_scene_in_one_call(services):
    pid = _ready_for_images(services)
    services.assets.add_scene_version(pid, "S1", "image", "file:///1.png")
    services.assets.add_scene_version(pid, "S1", "image", "file:///2.png")
    services.assets.choose(pid, "S1", "image", 1)
    current = services.assets.current(pid)
    assert set(current) == {"S1"}
    assert current["S1"]["image"].storage_url == "file:///1.png"
    assert "clip" not in current["S1"]
    assert services.assets.current(pid, ["S2"]) == {}
