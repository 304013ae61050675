"""Scene order as a dense sequence 1..n per project.

A move is computed here as a plan: the new sequence and only the positions that change,
so the store writes exactly those rows.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import TypeVar

K = TypeVar("K", bound=Hashable)


class OrderingError(ValueError):
    pass


def move(ids: Sequence[K], moving: Sequence[K], to: int) -> list[K]:
    """Move the `moving` items (kept in their current relative order) so that the first
    of them lands at 1-based position `to` of the resulting sequence."""
    n = len(ids)
    present = set(ids)
    chosen = [i for i in ids if i in set(moving)]
    missing = [m for m in moving if m not in present]
    if missing:
        raise OrderingError(f"scene {missing[0]} is not in this project")
    if not chosen:
        raise OrderingError("nothing to move")
    rest = [i for i in ids if i not in set(chosen)]
    last = n - len(chosen) + 1
    if not 1 <= to <= last:
        raise OrderingError(f"position must be between 1 and {last} (got {to})")
    return rest[: to - 1] + chosen + rest[to - 1 :]


def move_after(ids: Sequence[K], moving: Sequence[K], anchor: K | None) -> list[K]:
    """Move `moving` to just after `anchor` (None: to the front). This is how a drop is
    meant ("put these after that one"), and it survives other people's moves in sync."""
    chosen = set(moving)
    if anchor is not None and anchor in chosen:
        raise OrderingError("cannot drop scenes after one of themselves")
    rest = [i for i in ids if i not in chosen]
    if anchor is None:
        return move(ids, moving, 1)
    if anchor not in rest:
        raise OrderingError(f"scene {anchor} is not in this project")
    return move(ids, moving, rest.index(anchor) + 2)


def changed_positions(before: Sequence[K], after: Sequence[K]) -> dict[K, int]:
    """{id: new 1-based position} for the ids whose position differs."""
    old = {k: i for i, k in enumerate(before, start=1)}
    return {k: i for i, k in enumerate(after, start=1) if old.get(k) != i}


def is_dense(orders: Sequence[int]) -> bool:
    return sorted(orders) == list(range(1, len(orders) + 1))
