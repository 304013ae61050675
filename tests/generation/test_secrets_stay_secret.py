"""An API key used for real generation never reaches the database, a log line, a
settings file or an error message the user sees, even when the provider echoes it."""

from __future__ import annotations

import logging

from storyclip_desktop.config import Settings, config_dir
from tests.jobs.helpers import keys, make_project, run_jobs
from tests.providers.fakes import FakeGemini, gemini_error

KEY = FakeGemini.api_key


def test_the_key_is_nowhere_but_in_the_request(local_services, monkeypatch, caplog, isolated_home):
    caplog.set_level(logging.DEBUG)  # httpx, httpcore, the engine: everything
    sv = local_services
    Settings.load().save()
    with FakeGemini() as server:
        monkeypatch.setenv("STORYCLIP_GEMINI_BASE_URL", server.url)
        monkeypatch.setenv("STORYCLIP_GEMINI_API_KEY", KEY)
        sv.generation.key_check = keys("gemini")
        pid = make_project(sv, 2)
        # The provider refuses the first call and quotes the key back, as some do.
        server.script("POST", "/v1/models/", gemini_error(400, "INVALID_ARGUMENT", f"API key not valid: {KEY}"))
        jobs = run_jobs(sv, sv.generation.images(pid, ["S1", "S2"]).job_ids)
        # The jobs run in parallel: whichever reached the server first got the refusal.
        [failed] = [j for j in jobs if j.state == "failed"]
        [succeeded] = [j for j in jobs if j.state == "succeeded"]
        assert server.calls("POST", "/v1/models/")[0].headers["x-goog-api-key"] == KEY

    assert KEY not in failed.error and "API key" in failed.error

    texts = [caplog.text, repr(sv.generation.jobs()), *(j.error or "" for j in sv.generation.jobs())]
    for text in texts:
        assert KEY not in text
    store = sv.db.engine.url.database
    sv.close()
    db_files = {str(p) for p in isolated_home.rglob("*.sqlite3*")} | {store}
    for path in db_files:
        with open(path, "rb") as f:
            assert KEY.encode() not in f.read(), path
    for path in config_dir().rglob("*"):
        if path.is_file():
            assert KEY.encode() not in path.read_bytes(), path
