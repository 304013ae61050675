"""`storyclip sync ...` and `storyclip project publish` as a person meets them."""

from __future__ import annotations

import json

from storyclip_desktop.cli.main import main


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_sync_publish_status_refused(capsys, server_url, monkeypatch):
    monkeypatch.setenv("STORYCLIP_NODE", "11")
    code, out, _ = run(capsys, "demo")
    demo = int(out.strip())
    code, out, err = run(capsys, "sync", "--server", server_url)
    assert code == 0, err
    assert "pushed 0 changes" in out  # the demo was made before sync: it stays local
    code, out, err = run(capsys, "project", "publish", str(demo), "--server", server_url)
    assert code == 0, err
    assert f"published project {demo}" in out and "scenes" in out
    code, out, err = run(capsys, "project", "publish", str(demo), "--server", server_url)
    assert code == 1 and "already shared" in err
    monkeypatch.setenv("STORYCLIP_SYNC_URL", server_url)
    code, out, _ = run(capsys, "project", "rename", str(demo), "가을2")
    code, out, err = run(capsys, "sync")
    assert code == 0 and "1 applied" in out, (out, err)
    code, out, _ = run(capsys, "sync", "status", "--json")
    st = json.loads(out)
    assert st["store_kind"] == "local" and st["online"] is None and st["pending"] == 0
    assert st["last_sync_at"]
    code, out, _ = run(capsys, "sync", "refused")
    assert "nothing refused" in out
    code, out, _ = run(capsys, "sync", "--json")
    assert json.loads(out)["report"]["pushed"] == 0


def test_sync_without_a_server_says_how_to_set_one(capsys):
    code, _, err = run(capsys, "sync")
    assert code == 2 and "STORYCLIP_SYNC_URL" in err


def test_offline_sync_exits_non_zero_and_keeps_the_queue(capsys, tmp_path):
    run(capsys, "sync", "--server", f"postgresql+psycopg://x@/nodb?host={tmp_path}")
    run(capsys, "project", "create", "--title", "Later")
    code, _, err = run(capsys, "sync", "--server", f"postgresql+psycopg://x@/nodb?host={tmp_path}")
    assert code == 1 and "offline" in err and "1 changes wait" in err


def test_a_silent_server_ends_the_sync_with_a_clear_message(capsys, server_url, monkeypatch):
    """Through the fault proxy: the network goes dark; `storyclip sync` returns within
    its bound, says why on stderr and exits non-zero; the change stays queued."""
    import time

    from tests.support.netproxy import FaultProxy, pg_unix_socket

    monkeypatch.setenv("STORYCLIP_SYNC_ANSWER_SECONDS", "1.5")
    monkeypatch.setenv("STORYCLIP_PG_CONNECT_SECONDS", "2")
    with FaultProxy(pg_unix_socket(server_url), seed=5) as proxy:
        url = proxy.url_for(server_url)
        assert run(capsys, "sync", "--server", url)[0] == 0
        run(capsys, "project", "create", "--title", "Dark")
        proxy.stall()
        t0 = time.monotonic()
        code, out, err = run(capsys, "sync", "--server", url)
        took = time.monotonic() - t0
        assert code == 1 and "the team server stopped answering" in err and "1 changes wait" in err, (out, err)
        assert took < 1.5 + 2.0, took
        proxy.heal()
        code, out, err = run(capsys, "sync", "--server", url)
        assert code == 0 and "1 applied" in out, (out, err)
