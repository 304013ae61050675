import pytest
from hypothesis import given
from hypothesis import strategies as st

from storyclip_desktop.domain.ordering import (
    OrderingError,
    changed_positions,
    is_dense,
    move,
    move_after,
)


def test_move_last_to_front_changes_every_position():
    ids = list("abcde")
    after = move(ids, ["e"], 1)
    assert after == list("eabcd")
    assert changed_positions(ids, after) == {"e": 1, "a": 2, "b": 3, "c": 4, "d": 5}


def test_swap_neighbours_changes_two():
    ids = list("abcde")
    after = move(ids, ["c"], 4)
    assert after == list("abdce")
    assert changed_positions(ids, after) == {"d": 3, "c": 4}


def test_selection_keeps_relative_order_and_lands_at_position():
    assert move(list("abcdef"), ["e", "b"], 1) == list("beacdf")
    assert move(list("abcdef"), ["a", "c"], 3) == list("bdacef")


def test_move_after_anchor_and_front():
    assert move_after(list("abcde"), ["a"], "c") == list("bcade")
    assert move_after(list("abcde"), ["d", "e"], None) == list("deabc")
    with pytest.raises(OrderingError):
        move_after(list("abc"), ["a"], "a")


@pytest.mark.parametrize("to", [0, 5, -1])
def test_out_of_range_positions_are_refused(to):
    with pytest.raises(OrderingError, match="between 1 and 4"):
        move(list("abcd"), ["a"], to)


def test_unknown_scene_refused():
    with pytest.raises(OrderingError, match="not in this project"):
        move(list("abc"), ["z"], 1)


@st.composite
def scenario(draw):
    n = draw(st.integers(1, 30))
    ids = list(range(n))
    moves = draw(
        st.lists(
            st.tuples(st.lists(st.sampled_from(ids), min_size=1, max_size=5, unique=True), st.integers(1, n)),
            max_size=20,
        )
    )
    return ids, moves


@given(scenario())
def test_any_sequence_of_moves_keeps_a_dense_permutation_matching_a_list_model(sc):
    ids, moves = sc
    current = list(ids)
    positions = {k: i for i, k in enumerate(current, 1)}
    for moving, to in moves:
        to = min(to, len(current) - len(moving) + 1)
        new = move(current, moving, to)
        # reference model: remove then insert with plain list operations
        chosen = [x for x in current if x in moving]
        rest = [x for x in current if x not in moving]
        rest[to - 1:to - 1] = chosen
        assert new == rest
        positions.update(changed_positions(current, new))
        assert is_dense(list(positions.values()))
        assert sorted(positions, key=positions.get) == new
        current = new
