"""`storyclip export video` and the export job, on a real project the Local preview made
(tests/handoff/conftest.py): progress, the record, cancel, a kill -9 and the next run."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from storyclip_desktop.cli.main import main
from storyclip_desktop.media.render.pipeline import leftovers
from storyclip_desktop.services.export import ExportRequest
from tests.handoff.conftest import made, pid, services  # noqa: F401  (the shared made project)

from . import synth

pytestmark = pytest.mark.slow


def _engine(sv):
    from tests.jobs.helpers import engine

    return engine(sv)


def test_export_job_renders_records_and_lists(services, pid, tmp_path):  # noqa: F811
    out = tmp_path / "short.mp4"
    plan = services.render_plan.plan(pid, resolution="480p")
    seen: list[float] = []

    async def go():
        eng = _engine(services)
        eng.subscribe(lambda e: e.job and e.job.kind == "export" and seen.append(e.job.progress))
        try:
            started = services.exports.start(ExportRequest(pid, out, resolution="480p"))
            await eng.submit([started.job_id])
            return started, (await eng.wait([started.job_id]))[0]
        finally:
            await eng.aclose()

    started, view = asyncio.run(go())
    assert view.state == "succeeded", view.error
    assert [s.scene_id for s in started.plan.placeholders] == ["S3", "S4", "S5"]
    assert abs(synth.video_frames(out) - plan.total_frames) <= 1
    assert seen and max(seen) == 1.0 and any(0 < p < 1 for p in seen)
    (record,) = services.exports.list(pid)
    assert record.path == str(out) and record.size_bytes == out.stat().st_size
    assert abs(record.duration_s - float(plan.total)) < 0.001
    assert record.settings["resolution"] == "480p" and record.settings["subtitles"] == "burn"
    assert view.result["placeholders"] == ["S3", "S4", "S5"]


def test_cancel_leaves_no_output(services, pid, tmp_path):  # noqa: F811
    out = tmp_path / "cancelled.mp4"

    async def go():
        eng = _engine(services)
        try:
            started = services.exports.start(ExportRequest(pid, out, resolution="1080p"))
            await eng.submit([started.job_id])
            for _ in range(200):
                await asyncio.sleep(0.05)
                job = services.generation.records.get(started.job_id)
                if job.progress > 0.02:
                    break
            return await eng.cancel(started.job_id)
        finally:
            await eng.aclose()

    view = asyncio.run(go())
    assert view.state == "cancelled"
    assert not out.exists() and leftovers(out) == []
    assert services.exports.list(pid) == []


def test_cli_one_line_errors(services, pid, tmp_path, capsys, monkeypatch):  # noqa: F811
    monkeypatch.setenv("STORYCLIP_DATABASE_URL", str(services.db.engine.url))

    def run(*args):
        code = main(["export", "video", *map(str, args)])
        _, err = capsys.readouterr()
        return code, err.strip()

    code, err = run(pid, "--out", tmp_path / "nowhere" / "x.mp4")
    assert code != 0 and err.count("\n") == 0 and "does not exist" in err
    code, err = run(pid, "--out", tmp_path / "x.mp4", "--music", tmp_path / "none.mp3")
    assert code != 0 and err.count("\n") == 0 and "music file does not exist" in err
    empty = services.projects.create("빈 Empty")
    code, err = run(empty, "--out", tmp_path / "x.mp4")
    assert code != 0 and err.count("\n") == 0 and "has no scenes to export" in err
    (tmp_path / "taken.mp4").write_bytes(b"mine")
    code, err = run(pid, "--out", tmp_path / "taken.mp4")
    assert code != 0 and "already exists" in err and (tmp_path / "taken.mp4").read_bytes() == b"mine"
    assert not list(tmp_path.glob("*.mp4")) or [p.name for p in tmp_path.glob("*.mp4")] == ["taken.mp4"]


def _cli(db: Path, media: Path, *args: str) -> subprocess.Popen:
    env = dict(os.environ, STORYCLIP_DATABASE_URL=f"sqlite:///{db}", STORYCLIP_MEDIA_DIR=str(media),
               PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    return subprocess.Popen([sys.executable, "-m", "storyclip_desktop", "export", "video", *args],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_kill_9_mid_render_then_the_next_run_finishes(services, pid, made, tmp_path):  # noqa: F811
    db = Path(services.db.engine.url.database)
    media = tmp_path / "media"  # a private copy: this test's segment cache starts empty
    import shutil

    shutil.copytree(made["media"], media)
    out = tmp_path / "killed.mp4"
    args = [str(pid), "--out", str(out), "--resolution", "720p"]
    services.close()
    proc = _cli(db, media, *args)
    deadline = time.monotonic() + 120
    # Kill it while it is writing: once ffmpeg has started on the segments.
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"the export ended before it could be killed: {proc.stderr.read()}")
        if list((media / ".render" / "segments").glob("*.part")):
            break
        time.sleep(0.05)
    time.sleep(0.3)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    # Its ffmpeg children are orphaned; each dies at its next progress write (SIGPIPE).
    assert not out.exists()
    again = _cli(db, media, *args)
    stdout, stderr = again.communicate(timeout=300)
    assert again.returncode == 0, stderr
    assert "finishing export job" in stderr
    assert out.is_file() and leftovers(out) == []
    assert abs(synth.video_frames(out) - _total_frames(db, media, pid)) <= 1


def _total_frames(db: Path, media: Path, pid: int) -> int:  # noqa: F811
    from storyclip_desktop.services import Services

    sv = Services.open(f"sqlite:///{db}", node=1)
    try:
        return sv.render_plan.plan(pid, resolution="720p").total_frames
    finally:
        sv.close()


def test_a_failed_export_says_why_and_retry_runs_it_again(services, pid, tmp_path):  # noqa: F811
    folder = tmp_path / "gone"
    folder.mkdir()
    out = folder / "short.mp4"
    started = services.exports.start(ExportRequest(pid, out, resolution="480p", subtitles="sidecar"))
    folder.rmdir()  # the folder vanished between the dialog and the render

    async def run(job_id):
        eng = _engine(services)
        try:
            await eng.submit([job_id])
            return (await eng.wait([job_id]))[0]
        finally:
            await eng.aclose()

    failed = asyncio.run(run(started.job_id))
    assert failed.state == "failed" and failed.error == f"the output folder does not exist ({folder})"
    folder.mkdir()
    again = services.generation.retry(started.job_id)
    assert again != started.job_id
    done = asyncio.run(run(again))
    assert done.state == "succeeded", done.error
    assert out.is_file() and out.with_suffix(".srt").is_file() and out.with_suffix(".vtt").is_file()
    assert "-->" in out.with_suffix(".srt").read_text(encoding="utf-8")
