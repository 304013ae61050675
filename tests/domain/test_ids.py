import threading

from storyclip_desktop.domain import naming
from storyclip_desktop.domain.ids import MAX_ID, IdGenerator, id_node
from storyclip_desktop.domain.validation import SCENE_ID_MAX


def test_ids_are_unique_time_ordered_and_carry_the_node():
    gen = IdGenerator(node=513)
    ids = [gen.next_id() for _ in range(20_000)]  # more than 4096 per ms forces rollover
    assert len(set(ids)) == len(ids)
    assert ids == sorted(ids)
    assert {id_node(i) for i in ids} == {513}
    assert all(0 < i <= MAX_ID for i in ids)


def test_two_installations_never_collide_even_in_the_same_millisecond():
    frozen = lambda: 1_800_000_000.0  # noqa: E731
    a, b = IdGenerator(1, clock=frozen), IdGenerator(2, clock=frozen)
    ours = {a.next_id() for _ in range(5000)}
    theirs = {b.next_id() for _ in range(5000)}
    assert not ours & theirs


def test_clock_going_backwards_does_not_repeat_ids():
    t = [1_800_000_000.0]
    gen = IdGenerator(3, clock=lambda: t[0])
    first = gen.next_id()
    t[0] -= 5
    assert gen.next_id() > first


def test_threads_get_distinct_ids():
    gen = IdGenerator(7)
    out: list[int] = []
    def work():
        out.extend(gen.next_id() for _ in range(2000))
    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(out)) == 8000


def test_parents_id_fits_30_characters_at_the_maximum():
    scene = naming.scene_parents_id(MAX_ID, "S" + "9" * (SCENE_ID_MAX - 1))
    project = naming.project_parents_id(MAX_ID)
    assert len(scene) <= 30 and len(project) <= 30
    assert scene.startswith(f"{MAX_ID}-S")
    assert project == f"{MAX_ID}-narration"
