"""Row-level security and grants on the shared store, with raw SQL on each person's own
connection: what B may not see or touch of A's, what reviewer R may and may not do,
that nobody raises their own limit, that forged settings and SET ROLE change nothing,
sharing, and concurrent reservations."""

from __future__ import annotations

import threading

import psycopg
import pytest
from psycopg import errors

from storyclip_desktop.shared import verify
from storyclip_desktop.shared.security_sql import QUOTA_SQLSTATE

from .test_security_support import IDS, add_person, build_world, connect

pytestmark = pytest.mark.postgres


@pytest.fixture
def world(pg_url):
    w = build_world(pg_url)
    yield w
    w.close()


def _a_rows(w) -> dict[str, tuple[str, tuple]]:
    """One query per table that selects exactly A's data."""
    return {
        "project": ("id = %s", (w.project,)),
        "scene": ("project_id = %s", (w.project,)),
        "asset": ("project_id = %s", (w.project,)),
        "video_preference": ("project_id = %s", (w.project,)),
        "scene_review": ("scene_pk = %s", (w.scene1,)),
        "project_member": ("project_id = %s", (w.project,)),
        "token": ("user_id = %s", (w.a.user_id,)),
        "token_reservation": ("request_key = %s", (f"a-{w.project}",)),
        "users": ("id = %s", (w.a.user_id,)),
        "users_role": ("user_id = %s", (w.a.user_id,)),
    }


def _admin_count(w, table: str, where: str, params: tuple) -> int:
    return w.admin.execute(f"SELECT count(*) FROM {table} WHERE {where}", params).fetchone()[0]


def test_b_reads_nothing_of_a(world):
    w = world
    for table, (where, params) in _a_rows(w).items():
        assert _admin_count(w, table, where, params) > 0, table  # the data is there
        assert w.b.one(f"SELECT count(*) FROM {table} WHERE {where}", params) == 0, table
    # Whole tables: B sees only their own person row and token rows.
    assert w.b.one("SELECT count(*) FROM project") == 0
    assert w.b.one("SELECT array_agg(DISTINCT id) FROM users") == [w.b.user_id]
    assert w.b.one("SELECT array_agg(DISTINCT user_id) FROM token") == [w.b.user_id]
    with pytest.raises(errors.InsufficientPrivilege):  # version counters: functions only
        w.b.one("SELECT count(*) FROM asset_version_counter")


def test_every_table_shows_b_only_b(world):
    """A sweep over every table in the schema, the sync part's included: B, who has no
    project, sees their own person, role and token rows and nothing else."""
    w = world
    own = {"users": 1, "users_role": 1, "token": 5}
    tables = [r[0] for r in w.admin.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
    ).fetchall()]
    assert {"project", "scene", "project_member"} <= set(tables)
    for table in tables:
        try:
            seen = w.b.one(f'SELECT count(*) FROM "{table}"')
        except errors.InsufficientPrivilege:
            continue
        assert seen == own.get(table, 0), table
    # The reviewer, by contrast, sees A's project through every project-keyed table.
    for table in ("project", "scene", "asset", "video_preference", "scene_review", "project_member"):
        assert w.r.one(f"SELECT count(*) FROM {table}") > 0, table


@pytest.mark.parametrize("verb", ["UPDATE", "DELETE"])
def test_b_changes_nothing_of_a(world, verb):
    w = world
    sets = {
        "project": "script = 'pwned'",
        "scene": "scene_json = '{}'",
        "asset": "storage_url = 'x'",
        "video_preference": "ratio = '1:1'",
        "token": '"limit" = 999999999',
        "users": "email = 'x@y.z'",
        "users_role": "is_admin = true",
        "project_member": "role = 'editor'",
        "token_reservation": "state = 'refunded'",
        "scene_review": "comment = 'x'",
    }
    before = {t: _admin_count(w, t, where, p) for t, (where, p) in _a_rows(w).items()}
    for table, (where, params) in _a_rows(w).items():
        stmt = (
            f"UPDATE {table} SET {sets[table]} WHERE {where}"
            if verb == "UPDATE"
            else f"DELETE FROM {table} WHERE {where}"
        )
        try:
            assert w.b.rowcount(stmt, params) == 0, table
        except errors.InsufficientPrivilege:
            pass
    after = {t: _admin_count(w, t, where, p) for t, (where, p) in _a_rows(w).items()}
    assert after == before
    assert w.admin.execute("SELECT script FROM project WHERE id = %s", (w.project,)).fetchone()[0] == "once upon"


def test_b_cannot_write_into_a_project_or_as_a(world):
    w = world
    with pytest.raises(errors.InsufficientPrivilege):
        w.b.conn.execute(
            'INSERT INTO scene (id, project_id, user_id, scene_id, "order") VALUES (%s, %s, %s, %s, 9)',
            (IDS.next_id(), w.project, w.b.user_id, "S9"),
        )
    with pytest.raises(errors.InsufficientPrivilege):
        w.b.conn.execute(
            "INSERT INTO project (id, user_id, title) VALUES (%s, %s, 'mine?')", (IDS.next_id(), w.a.user_id)
        )
    with pytest.raises(errors.InsufficientPrivilege):
        w.b.one("SELECT storyclip_reserve_tokens(%s, 'gpt', 1, 'b-on-a')", (w.project,))
    with pytest.raises(errors.InsufficientPrivilege):
        w.b.one("SELECT storyclip_next_asset_version(%s, 'image')", (f"{w.project}-S1",))
    with pytest.raises(errors.InsufficientPrivilege):
        w.b.one("SELECT storyclip_share_project(%s, %s, 'editor')", (w.project, w.b.email))
    # Settling someone else's reservation reads as "no such reservation".
    with pytest.raises(errors.NoDataFound):
        w.b.one("SELECT storyclip_settle_tokens(%s, 0, 'refunded')", (f"a-{w.project}",))


def test_reviewer_reads_and_reviews_but_edits_nothing(world):
    w, r = world, world.r
    assert r.one("SELECT title FROM project WHERE id = %s", (w.project,)) == "A-proj"
    assert r.one("SELECT count(*) FROM scene WHERE project_id = %s", (w.project,)) == 2
    assert r.one("SELECT count(*) FROM asset WHERE project_id = %s", (w.project,)) == 1
    assert r.one("SELECT count(*) FROM video_preference WHERE project_id = %s", (w.project,)) == 1

    # Confirm S1's prompt and reject S2's image, each with its review row.
    assert r.rowcount("UPDATE scene SET status = 'prompt_confirmed' WHERE id = %s", (w.scene1,)) == 1
    assert r.rowcount("UPDATE scene SET status = 'prompt_confirmed' WHERE id = %s", (w.scene2,)) == 1
    for scene, frm, to, action in ((w.scene1, "prompt", "prompt_confirmed", "confirm_prompt"),
                                   (w.scene2, "image", "prompt_confirmed", "reject")):
        r.conn.execute(
            "INSERT INTO scene_review (id, scene_pk, user_id, action, from_status, to_status, comment) "
            "VALUES (%s, %s, %s, %s, %s, %s, 'looks right')",
            (IDS.next_id(), scene, r.user_id, action, frm, to),
        )
    assert w.admin.execute(
        "SELECT count(*) FROM scene_review WHERE user_id = %s", (r.user_id,)
    ).fetchone()[0] == 2

    denied = [
        ("UPDATE scene SET scene_json = '{\"narration\": \"mine\"}' WHERE id = %s", (w.scene1,)),
        ('UPDATE scene SET "order" = 5 WHERE id = %s', (w.scene1,)),
        ("UPDATE scene SET image_version = 1 WHERE id = %s", (w.scene1,)),
        ("UPDATE scene SET status = 'clip' WHERE id = %s", (w.scene1,)),  # not a review step
        ("UPDATE scene SET project_id = 1 WHERE id = %s", (w.scene1,)),  # no column privilege
        ('INSERT INTO scene (id, project_id, user_id, scene_id, "order") VALUES (1, %s, 1, \'S7\', 7)', (w.project,)),
        ("INSERT INTO scene_review (id, scene_pk, user_id, action, from_status, to_status) "
         "VALUES (1, %s, %s, 'x', 'a', 'b')", (w.scene1, w.a.user_id)),  # as somebody else
        ("SELECT storyclip_reserve_tokens(%s, 'gpt', 1, 'r-spend')", (w.project,)),
        ("SELECT storyclip_next_asset_version(%s, 'image')", (f"{w.project}-S1",)),
        ("SELECT storyclip_share_project(%s, %s, 'editor')", (w.project, w.b.email)),
    ]
    for stmt, params in denied:
        with pytest.raises(errors.InsufficientPrivilege):
            r.conn.execute(stmt, params)
    # Script, preferences and deletes are filtered out rather than refused: 0 rows.
    assert r.rowcount("UPDATE project SET script = 'rewritten' WHERE id = %s", (w.project,)) == 0
    assert r.rowcount("UPDATE video_preference SET ratio = '1:1' WHERE project_id = %s", (w.project,)) == 0
    assert r.rowcount("DELETE FROM scene WHERE project_id = %s", (w.project,)) == 0
    assert r.rowcount("DELETE FROM project WHERE id = %s", (w.project,)) == 0

    row = w.admin.execute(
        'SELECT p.script, s.scene_json::text, s."order" FROM project p JOIN scene s ON s.project_id = p.id '
        "WHERE s.id = %s",
        (w.scene1,),
    ).fetchone()
    assert row == ("once upon", '{"narration": "hi"}', 1)


def test_nobody_raises_their_own_limit(world):
    w, a = world, world.a
    limit = a.one("SELECT \"limit\" FROM token WHERE user_id = %s AND type = 'gpt'", (a.user_id,))
    for stmt in (
        "UPDATE token SET \"limit\" = 2000000000 WHERE user_id = %s",
        "UPDATE token SET usage = 0 WHERE user_id = %s",
        "DELETE FROM token WHERE user_id = %s",
        "INSERT INTO token (id, user_id, type, \"limit\") VALUES (1, %s, 'xx', 5)",
        "UPDATE token_reservation SET state = 'refunded' WHERE token_id IN (SELECT id FROM token WHERE user_id = %s)",
        "INSERT INTO asset_version_counter SELECT '1-S1', 'image', 1 WHERE %s IS NOT NULL",
        "INSERT INTO project_member VALUES (1, %s, 'owner')",
        "INSERT INTO users_role (user_id, role_name, is_admin) VALUES (%s, 'x', true)",
    ):
        with pytest.raises(errors.InsufficientPrivilege):
            a.conn.execute(stmt, (a.user_id,))
    with pytest.raises(errors.InsufficientPrivilege):
        a.one("SELECT storyclip_set_limit(%s, 'gpt', 2000000000)", (a.email,))
    assert a.one("SELECT \"limit\" FROM token WHERE user_id = %s AND type = 'gpt'", (a.user_id,)) == limit

    # An admin person may, and so may the superuser admin connection.
    boss = add_person(w.engine, w.host, w.db, "boss", admin=True)
    w.people.append(boss)
    assert boss.one("SELECT storyclip_set_limit(%s, 'gpt', 777)", (a.email,)) == 777
    w.admin.execute("SELECT storyclip_set_limit(%s, 'kling', 3)", (a.email,))
    assert a.one("SELECT \"limit\" FROM token WHERE user_id = %s AND type = 'gpt'", (a.user_id,)) == 777
    # An asset version the counter never handed out is refused.
    with pytest.raises(errors.InsufficientPrivilege):
        a.conn.execute(
            "INSERT INTO asset (id, parents_id, version, user_id, type, storage_url, project_id) "
            "VALUES (%s, %s, 1000, %s, 'image', 'x', %s)",
            (IDS.next_id(), f"{w.project}-S2", a.user_id, w.project),
        )


def test_forged_settings_and_roles_change_nothing(world):
    w, b = world, world.b
    b.conn.execute(f"SET app.user_id = {int(w.a.user_id)}")
    b.one("SELECT set_config('app.user_id', %s, false)", (str(w.a.user_id),))
    b.one("SELECT set_config('request.jwt.claim.sub', %s, false)", (w.a.email,))
    for target in (w.a.role, "storyclip_owner", "storyclip_definer", "postgres"):
        with pytest.raises(errors.InsufficientPrivilege):
            b.conn.execute(f'SET ROLE "{target}"')
        with pytest.raises(errors.InsufficientPrivilege):
            b.conn.execute(f'SET SESSION AUTHORIZATION "{target}"')
    b.conn.execute("SET ROLE storyclip_member")  # allowed, and no wider
    assert b.one("SELECT count(*) FROM project") == 0
    assert b.one("SELECT count(*) FROM token WHERE user_id = %s", (w.a.user_id,)) == 0
    assert b.one("SELECT storyclip_current_user_id()") == b.user_id
    assert b.rowcount("UPDATE project SET script = 'x' WHERE id = %s", (w.project,)) == 0
    b.conn.execute("RESET ROLE")

    # No objects of their own to hide behind, and their own timeouts.
    for stmt in ("CREATE TABLE public.x (id int)", "CREATE TEMP TABLE x (id int)",
                 "CREATE FUNCTION public.f() RETURNS int LANGUAGE sql AS 'SELECT 1'",
                 "CREATE SCHEMA mine"):
        with pytest.raises(errors.InsufficientPrivilege):
            b.conn.execute(stmt)
    assert b.one("SHOW statement_timeout") == "30s"


def test_share_then_unshare(world):
    w, a, b = world, world.a, world.b
    assert b.one("SELECT count(*) FROM scene WHERE project_id = %s", (w.project,)) == 0
    assert a.one("SELECT storyclip_share_project(%s, %s, 'editor')", (w.project, b.email.upper())) == "editor"
    assert b.one("SELECT count(*) FROM scene WHERE project_id = %s", (w.project,)) == 2
    assert b.rowcount("UPDATE project SET script = 'edited by B' WHERE id = %s", (w.project,)) == 1
    assert b.one("SELECT count(*) FROM token WHERE user_id = %s", (a.user_id,)) == 0  # still A's own
    # Only the owner shares: an editor cannot pass it on, nor demote themselves to owner.
    with pytest.raises(errors.InsufficientPrivilege):
        b.one("SELECT storyclip_share_project(%s, %s, 'editor')", (w.project, w.r.email))
    with pytest.raises(errors.InsufficientPrivilege):
        b.conn.execute("UPDATE project SET user_id = %s WHERE id = %s", (b.user_id, w.project))

    assert a.one("SELECT storyclip_unshare_project(%s, %s)", (w.project, b.email)) is True
    assert b.one("SELECT count(*) FROM project WHERE id = %s", (w.project,)) == 0
    assert b.rowcount("UPDATE project SET script = 'again' WHERE id = %s", (w.project,)) == 0
    # The admin may share any project.
    w.admin.execute("SELECT storyclip_share_project(%s, %s, 'reviewer')", (w.project, b.email))
    assert b.one("SELECT count(*) FROM project WHERE id = %s", (w.project,)) == 1


def test_concurrent_reservations_never_pass_the_limit(world):
    w, a = world, world.a
    w.admin.execute("SELECT storyclip_set_limit(%s, 'seedance', 1000)", (a.email,))
    conns = [connect(w.host, w.db, a.role, a.password) for _ in range(20)]
    gate = threading.Barrier(len(conns))
    outcomes: list[str] = []
    lock = threading.Lock()

    def reserve(i: int, conn: psycopg.Connection) -> None:
        gate.wait()
        try:
            conn.execute("SELECT storyclip_reserve_tokens(%s, 'seedance', 100, %s)", (w.project, f"k{i}"))
            result = "ok"
        except psycopg.Error as e:
            result = e.sqlstate or "?"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=reserve, args=(i, c)) for i, c in enumerate(conns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    for c in conns:
        c.close()

    assert sorted(set(outcomes)) == sorted({"ok", QUOTA_SQLSTATE})
    assert outcomes.count("ok") == 10 and outcomes.count(QUOTA_SQLSTATE) == 10
    usage, limit = w.admin.execute(
        "SELECT usage, \"limit\" FROM token WHERE user_id = %s AND type = 'seedance'", (a.user_id,)
    ).fetchone()
    assert usage == limit == 1000
    reserved = w.admin.execute(
        "SELECT count(*) FROM token_reservation r JOIN token t ON t.id = r.token_id "
        "WHERE t.user_id = %s AND t.type = 'seedance'",
        (a.user_id,),
    ).fetchone()[0]
    assert reserved == 10

    # A retried key counts once; settling gives back what was not used.
    ok_key = a.one("SELECT request_key FROM token_reservation r JOIN token t ON t.id = r.token_id "
                   "WHERE t.type = 'seedance' ORDER BY r.id LIMIT 1")
    assert a.one("SELECT storyclip_reserve_tokens(%s, 'seedance', 100, %s)", (w.project, ok_key)) == "reserved"
    assert a.one("SELECT storyclip_settle_tokens(%s, 40, 'committed')", (ok_key,)) == "committed"
    assert a.one("SELECT usage FROM token WHERE user_id = %s AND type = 'seedance'", (a.user_id,)) == 940
    # The CHECK backs the function up even for the superuser.
    with pytest.raises(errors.CheckViolation):
        w.admin.execute("UPDATE token SET usage = \"limit\" + 1 WHERE user_id = %s AND type = 'seedance'", (a.user_id,))


def test_catalog_invariants_hold(world):
    assert verify.problems(world.admin) == []
    rows = world.admin.execute(
        "SELECT rolname, rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = ANY(%s)",
        ([p.role for p in world.people],),
    ).fetchall()
    assert len(rows) == 3 and all(not any(r[1:]) for r in rows)
