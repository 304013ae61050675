"""Authority on every path of the sync: the caller's right to a change is checked
before anything is written, whatever the conflict outcome, and the definer functions
behind scene history and field stamps refuse non-editors when called directly.
Secured store, each person on their own login."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import text

from storyclip_desktop.shared.install import install_shared
from storyclip_desktop.shared.people import share
from storyclip_desktop.store.db import make_engine

from .test_security_support import add_person, url_parts


@pytest.fixture
def team(pg_url, tmp_path, shared_media):
    from storyclip_desktop.services import Services
    from storyclip_desktop.sync import SyncEngine

    admin = make_engine(pg_url)
    install_shared(admin)
    host, db = url_parts(pg_url)
    people = {k: add_person(admin, host, db, k) for k in ("owner", "editor", "reviewer")}
    made = []

    def install(node, key):
        p = people[key]
        sv = Services.open(f"sqlite:///{tmp_path / f'{key}.sqlite3'}", node=node, email=p.email)
        engine = SyncEngine(sv, f"postgresql+psycopg://{p.role}:{p.password}@/{db}?host={host}",
                            shared_media_dir=shared_media)
        made.append((sv, engine))
        return sv, engine

    o_sv, o = install(1, "owner")
    r_sv, r = install(2, "reviewer")
    pid = o_sv.projects.create("Quay", script="One. Two.")
    o_sv.scenes.split(pid, chunks=["one", "two"])
    o_sv.scenes.edit(pid, "S2", {"image_prompt": "a quay at noon"})
    assert o.sync().error is None
    owner_engine = make_engine(f"postgresql+psycopg://{people['owner'].role}:{people['owner'].password}@/{db}?host={host}")
    share(owner_engine, pid, people["reviewer"].email, "reviewer")
    share(owner_engine, pid, people["editor"].email, "editor")
    owner_engine.dispose()
    assert r.sync().error is None
    yield type("Team", (), {"o_sv": o_sv, "o": o, "r_sv": r_sv, "r": r, "pid": pid, "people": people,
                            "admin": admin})
    for sv, engine in made:
        engine.close()
        sv.close()
    for p in people.values():
        p.conn.close()
    admin.dispose()


def _server_state(admin, scene_pk: int) -> tuple[list, list]:
    with admin.connect() as c:
        history = c.execute(
            text("SELECT field, value, user_id, change_id FROM scene_history WHERE scene_pk = :s ORDER BY id"),
            {"s": scene_pk},
        ).all()
        stamps = c.execute(
            text("SELECT field, stamp FROM sync_field_stamp WHERE scene_pk = :s ORDER BY field"), {"s": scene_pk}
        ).all()
    return [tuple(h) for h in history], [tuple(s) for s in stamps]


@pytest.mark.parametrize("reviewer_edits", ["first", "last"], ids=["would-lose", "would-win"])
def test_a_reviewers_offline_text_edit_is_refused_whatever_the_conflict_outcome(team, reviewer_edits):
    t, pid = team, team.pid
    s2 = t.o_sv.scenes.get(pid, "S2")
    if reviewer_edits == "first":  # earlier change id: it would lose the same-field conflict
        t.r_sv.scenes.edit(pid, "S2", {"image_prompt": "reviewer's harbour"})
        t.o_sv.scenes.edit(pid, "S2", {"image_prompt": "owner's harbour"})
    else:  # later change id: it would win
        t.o_sv.scenes.edit(pid, "S2", {"image_prompt": "owner's harbour"})
        t.r_sv.scenes.edit(pid, "S2", {"image_prompt": "reviewer's harbour"})
    assert t.o.sync().error is None  # the owner syncs first
    before = _server_state(t.admin, s2.id)

    rep = t.r.sync()
    assert rep.error is None
    assert len(rep.refused) == 1 and not rep.applied and not rep.notices, rep
    reason = rep.refused[0].message
    assert "does not allow" in reason and "review" in reason and "S2" in reason, reason
    assert "applied (" not in reason
    # Nothing of the reviewer's reached the server: no history row, no stamp moved.
    assert _server_state(t.admin, s2.id) == before
    history, _stamps = before
    assert all(value != "reviewer's harbour" for _f, value, _u, _c in history)
    # The reviewer's replica is back to the server's text, and the refusal is kept.
    assert t.r_sv.scenes.get(pid, "S2").scene_json["image_prompt"] == "owner's harbour"
    assert [x.change_id for x in t.r.refused()] == [rep.refused[0].change.id]


def test_history_and_stamp_functions_refuse_a_reviewer_in_sql(team):
    t, pid = team, team.pid
    s2 = t.o_sv.scenes.get(pid, "S2")
    reviewer, editor = t.people["reviewer"], t.people["editor"]
    stamp_id = t.r_sv.ids.next_id()
    before = _server_state(t.admin, s2.id)
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="owner or editor"):
        reviewer.one("SELECT storyclip_sync_stamp(%s, 'image_prompt', %s)", (s2.id, stamp_id))
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="owner or editor"):
        reviewer.one(
            "SELECT storyclip_sync_keep(%s, %s, 'image_prompt', 'planted', 'x', %s, %s)",
            (t.r_sv.ids.next_id(), s2.id, reviewer.user_id, stamp_id),
        )
    assert _server_state(t.admin, s2.id) == before

    # An editor may, but only under their own name and with a stamp of now or earlier.
    with pytest.raises(psycopg.errors.InsufficientPrivilege, match="own author"):
        editor.one(
            "SELECT storyclip_sync_keep(%s, %s, 'image_prompt', 'planted', 'x', %s, %s)",
            (t.r_sv.ids.next_id(), s2.id, t.people["owner"].user_id, stamp_id),
        )
    far_future = stamp_id + ((365 * 24 * 3600 * 1000) << 22)
    with pytest.raises(psycopg.errors.InvalidParameterValue, match="now or earlier"):
        editor.one("SELECT storyclip_sync_stamp(%s, 'image_prompt', %s)", (s2.id, far_future))
    assert _server_state(t.admin, s2.id) == before
    assert editor.one("SELECT storyclip_sync_stamp(%s, 'narration', %s)", (s2.id, stamp_id)) is None


def test_every_definer_function_checks_its_caller(team):
    """The audit, kept honest: every SECURITY DEFINER function the sync adds either only
    reads, or checks who calls it. A new one fails here until it is listed."""
    checked = {
        "storyclip_sync_may": "reads membership",
        "storyclip_sync_may_edit": "reads membership",
        "storyclip_sync_me": "reads who is calling",
        "storyclip_sync_server_id": "reads the server id",
        "storyclip_sync_prune": "deletes the caller's own rows only",
        "storyclip_sync_bump": "members only (reviewers confirm, which bumps)",
        "storyclip_sync_feed": "trigger only",
        "storyclip_sync_stamp": "editors only, stamp not in the future",
        "storyclip_sync_keep": "editors only, own name",
    }
    with t_admin(team) as c:
        found = set(c.scalars(text(
            "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = 'public' AND p.prosecdef AND p.proname LIKE 'storyclip_sync%'"
        )))
    assert found == set(checked)
    # A reviewer cannot call the feed trigger function directly.
    with pytest.raises(psycopg.errors.FeatureNotSupported):
        team.people["reviewer"].one("SELECT storyclip_sync_feed()")


def t_admin(team):
    return team.admin.connect()
