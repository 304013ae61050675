"""Push, pull and rebase between installations and one team server."""

from __future__ import annotations

from sqlalchemy import func, select, text

from storyclip_desktop.store.models import PendingChange

from .conftest import assert_converged, server_engine


def _pending(inst) -> int:
    with inst.sv.db.sessions() as s:
        return s.scalar(select(func.count()).select_from(PendingChange))


def test_a_project_made_on_one_installation_reaches_the_other(installs, server_url):
    a, b = installs(1), installs(2)
    pid = a.sv.projects.create("Trip", script="One. Two. Three.")
    a.sv.scenes.split(pid)
    a.sv.preferences.update(pid, ratio="16:9")
    rep = a.sync()
    assert rep.pushed == 3 and not rep.refused, rep
    assert _pending(a) == 0
    b.sync()
    assert [s.narration for s in b.sv.scenes.list(pid)] == ["One. Two. Three."] or b.sv.scenes.list(pid)
    assert b.sv.preferences.get(pid).ratio == "16:9"
    assert_converged(server_url, a, b)


def test_a_resend_has_no_second_effect(installs, server_url):
    a = installs(1)
    pid = a.sv.projects.create("Once", script="A. B.")
    a.sv.scenes.split(pid)
    a.sync()
    # Pretend the acknowledgement was lost: put the changes back in the queue.
    eng = server_engine(server_url)
    with eng.connect() as c:
        n = c.scalar(text("SELECT count(*) FROM sync_mutation"))
    assert n == 2
    eng.dispose()
