import random
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import event

from storyclip_desktop.domain.ordering import OrderingError, is_dense
from storyclip_desktop.services import NotFound, Services


def _project(sv, n):
    pid = sv.projects.create("순서")
    sv.scenes.split(pid, chunks=[f"scene {i}" for i in range(1, n + 1)])
    return pid


def _labels(sv, pid):
    return [s.scene_id for s in sv.scenes.list(pid)]


def _count_updates(engine):
    seen = []

    def before(conn, cursor, statement, params, context, executemany):
        if statement.lstrip().upper().startswith("UPDATE SCENE"):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    return seen


def test_move_last_to_front_writes_every_row_in_one_statement(services):
    pid = _project(services, 10)
    updates = _count_updates(services.db.engine)
    result = services.ordering.move(pid, ["S10"], 1)
    assert result.written == 10
    assert len(updates) == 1
    assert _labels(services, pid) == ["S10"] + [f"S{i}" for i in range(1, 10)]


def test_swapping_neighbours_writes_two_rows(services):
    pid = _project(services, 10)
    result = services.ordering.move_after(pid, ["S3"], "S4")
    assert result.written == 2
    assert _labels(services, pid)[:5] == ["S1", "S2", "S4", "S3", "S5"]


def test_moving_to_the_same_place_writes_nothing(services):
    pid = _project(services, 5)
    updates = _count_updates(services.db.engine)
    assert services.ordering.move(pid, ["S2"], 2).written == 0
    assert updates == []


def test_multi_select_move_and_restore(services):
    pid = _project(services, 6)
    before = [s.id for s in services.scenes.list(pid)]
    services.ordering.move_after(pid, ["S5", "S2"], None)
    assert _labels(services, pid) == ["S2", "S5", "S1", "S3", "S4", "S6"]
    services.ordering.restore(pid, before)
    assert [s.id for s in services.scenes.list(pid)] == before


def test_bad_moves_change_nothing(services):
    pid = _project(services, 4)
    with pytest.raises(OrderingError, match="between 1 and 4"):
        services.ordering.move(pid, ["S1"], 9)
    with pytest.raises(NotFound, match="no scene S9"):
        services.ordering.move(pid, ["S9"], 1)
    with pytest.raises(NotFound, match="no project"):
        services.ordering.move(pid + 1, ["S1"], 1)
    assert _labels(services, pid) == ["S1", "S2", "S3", "S4"]


def test_delete_and_add_keep_order_dense(services):
    pid = _project(services, 5)
    services.scenes.delete(pid, "S2")
    services.scenes.add(pid, "new one", after="S3")
    scenes = services.scenes.list(pid)
    assert [s.scene_id for s in scenes] == ["S1", "S3", "S6", "S4", "S5"]
    assert is_dense([s.order for s in scenes])


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moves=st.lists(st.tuples(st.lists(st.integers(1, 8), min_size=1, max_size=3, unique=True), st.integers(1, 8)), max_size=12))
def test_stored_order_matches_a_list_model(local_services, moves):
    sv = local_services
    pid = _project(sv, 8)
    model = _labels(sv, pid)
    for picks, to in moves:
        labels = [f"S{i}" for i in picks]
        to = min(to, 8 - len(labels) + 1)
        sv.ordering.move(pid, labels, to)
        chosen = [x for x in model if x in labels]
        rest = [x for x in model if x not in labels]
        model = rest[: to - 1] + chosen + rest[to - 1 :]
        scenes = sv.scenes.list(pid)
        assert [s.scene_id for s in scenes] == model
        assert is_dense([s.order for s in scenes])


@pytest.mark.postgres
def test_concurrent_moves_on_postgres_never_duplicate_or_gap(pg_url):
    n, workers, moves_each = 30, 6, 15
    admin = Services.open(pg_url, node=1)
    pid = _project(admin, n)
    errors = []

    def client(k):
        sv = Services.open(pg_url, node=10 + k)
        rng = random.Random(k)
        try:
            for _ in range(moves_each):
                picks = rng.sample(range(1, n + 1), rng.randint(1, 3))
                sv.ordering.move(pid, [f"S{i}" for i in picks], rng.randint(1, n - len(picks) + 1))
        except Exception as e:  # noqa: BLE001
            errors.append(e)
        finally:
            sv.close()

    threads = [threading.Thread(target=client, args=(k,)) for k in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    orders = [s.order for s in admin.scenes.list(pid)]
    assert len(orders) == n and is_dense(orders)
    admin.close()
