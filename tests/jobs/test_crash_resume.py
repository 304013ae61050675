"""Kill the process while a clip task is polling, start another one, and the clip lands
with exactly one create request: the task id was in the store before the first poll."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from sqlalchemy import create_engine, text

from storyclip_desktop.services import Services
from tests.providers.fakes import FakeSeedance

from .helpers import make_project

TASKS = "/api/v3/contents/generations/tasks"


class SlowSeedance(FakeSeedance):
    """A task runs for `running_polls` polls before it succeeds."""

    running_polls = 6

    def _advance(self, task: dict) -> dict:
        if task["status"] not in ("queued", "running"):
            return super()._advance(task)
        task["polls"] += 1
        if task["polls"] > self.running_polls:
            task.update(status="running", polls=2)  # the parent's next step is the outcome
            return super()._advance(task)
        task["status"] = "running"
        return {"id": task["id"], "model": task["model"], "status": "running", "content": None, "error": None}


def _env(url: str, server: FakeSeedance, tmp_path) -> dict[str, str]:  # noqa: ANN001
    """The CLI processes' environment: this store, this server and key, fast polling."""
    return {
        **os.environ,
        "STORYCLIP_DATABASE_URL": url,
        "STORYCLIP_NODE": "7",
        "STORYCLIP_SEEDANCE_BASE_URL": server.url + "/api/v3",
        "STORYCLIP_SEEDANCE_API_KEY": server.api_key,
        "STORYCLIP_JOB_POLL_S": "0.2",
        "STORYCLIP_CONFIG_DIR": str(tmp_path / "config"),
    }


def _project(url: str, scenes: int) -> int:
    """A project whose scenes wait for their clips, made in this process before the CLI runs."""
    sv = Services.open(url, node=7)
    try:
        return make_project(sv, scenes, "image_confirmed")
    finally:
        sv.close()


def _job_row(url: str) -> dict | None:
    eng = create_engine(url)
    try:
        with eng.connect() as c:
            row = c.execute(text("SELECT id, state, remote_task_id FROM job")).mappings().first()
            return dict(row) if row else None
    finally:
        eng.dispose()


def test_kill_while_polling_then_resume_creates_once(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    with SlowSeedance() as server:
        env = _env(url, server, tmp_path)
        pid = _project(url, 1)

        cmd = [sys.executable, "-m", "storyclip_desktop"]
        first = subprocess.Popen(
            [*cmd, "generate", "clips", str(pid), "--scenes", "S1", "--wait"],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        try:
            deadline = time.monotonic() + 30
            row = None
            while time.monotonic() < deadline:
                row = _job_row(url)
                polled = any(t["status"] == "running" for t in server.tasks.values())
                if row and row["state"] == "polling" and polled:  # polled at least once
                    break
                assert first.poll() is None, first.communicate()
                time.sleep(0.02)
            assert row and row["state"] == "polling" and row["remote_task_id"], row
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait()
        assert first.returncode == -signal.SIGKILL
        assert len(server.calls("POST", TASKS)) == 1
        (task,) = server.tasks.values()
        assert task["status"] == "running"  # still rendering when the process died

        second = subprocess.run([*cmd, "jobs", "run"], env=env, capture_output=True, text=True, timeout=60)
        assert second.returncode == 0, second.stderr
        assert "1 of 1 job(s) succeeded" in second.stdout

        assert len(server.calls("POST", TASKS)) == 1  # never created (or paid) twice
        assert len(server.calls("GET", f"{TASKS}/{row['remote_task_id']}")) >= 2

    sv = Services.open(url, node=7)
    try:
        scene = sv.scenes.get(pid, "S1")
        assert (scene.status, scene.clip_version) == ("clip", 1)
        (clip,) = sv.assets.versions(pid, "S1", "clip")
        assert clip.metadata["job_id"] == row["id"] and clip.metadata["provider"] == "seedance"
        assert sv.generation.job(row["id"]).state == "succeeded"
        assert sv.generation.job(row["id"]).attempts == 1
        assert next(t.usage for t in sv.tokens.usage() if t.type == "seedance") == 108900
    finally:
        sv.close()


def _job_rows(url: str) -> list[dict]:
    eng = create_engine(url)
    try:
        with eng.connect() as c:
            return [dict(r) for r in c.execute(text("SELECT id, scene_id, state, remote_task_id FROM job")).mappings()]
    finally:
        eng.dispose()


def test_the_same_generate_command_after_a_kill_resumes_and_waits(tmp_path):
    """kill -9 while two clips poll; the same `generate clips --wait` then takes the two
    jobs up again (says so), polls their tasks and lands both: one create per scene."""
    url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    with SlowSeedance() as server:
        env = _env(url, server, tmp_path)
        pid = _project(url, 2)
        command = [sys.executable, "-m", "storyclip_desktop", "generate", "clips", str(pid), "--wait"]
        first = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            deadline = time.monotonic() + 30
            rows: list[dict] = []
            while time.monotonic() < deadline:
                rows = _job_rows(url)
                if len(rows) == 2 and all(r["state"] == "polling" and r["remote_task_id"] for r in rows):
                    break
                assert first.poll() is None, first.communicate()
                time.sleep(0.02)
            assert len(rows) == 2 and all(r["state"] == "polling" for r in rows), rows
        finally:
            first.send_signal(signal.SIGKILL)
            first.wait()
        assert len(server.calls("POST", TASKS)) == 2

        second = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
        assert second.returncode == 0, second.stderr
        for r in rows:
            assert f"resuming job {r['id']} for {r['scene_id']}" in second.stdout
        assert "polling its remote task" in second.stdout
        assert "2 of 2 job(s) succeeded" in second.stdout
        assert "already has a clip job in progress" not in second.stderr

        assert len(server.calls("POST", TASKS)) == 2  # exactly one create per scene
        for r in rows:
            assert len(server.calls("GET", f"{TASKS}/{r['remote_task_id']}")) >= 2

    sv = Services.open(url, node=7)
    try:
        for sid in ("S1", "S2"):
            scene = sv.scenes.get(pid, sid)
            assert (scene.status, scene.clip_version) == ("clip", 1)
        assert len(_job_rows(url)) == 2  # no second job was made either
    finally:
        sv.close()
