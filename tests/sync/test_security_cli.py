"""The shared-mode commands end to end through `storyclip_desktop.cli.main.main`:
init-shared on a fresh database, add-user making a working login, share and unshare
run with the owner's own login."""

from __future__ import annotations

import io
import re

import psycopg
import pytest

from storyclip_desktop.cli.main import main
from storyclip_desktop.domain.catalog import DEFAULT_LIMITS
from storyclip_desktop.shared import verify
from storyclip_desktop.shared.roles import DEFINER, OWNER, role_name_for

from .test_security_support import IDS, connect, unique_email, url_parts

pytestmark = pytest.mark.postgres

DATA_TABLES = {
    "users", "project", "video_preference", "scene", "asset", "token", "token_reservation",
    "scene_review", "asset_version_counter", "project_member", "users_role",
}


def _admin(pg_url: str) -> psycopg.Connection:
    host, db = url_parts(pg_url)
    return psycopg.connect(host=host, dbname=db, user="postgres", autocommit=True)


def _add_user(monkeypatch, pg_url: str, email: str, password: str) -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(password + "\n"))
    return main(["admin", "add-user", email, "--password-stdin", "--url", pg_url])


def test_init_shared_on_a_fresh_database(pg_url, capsys):
    assert main(["admin", "init-shared", "--url", pg_url]) == 0
    assert "row-level security" in capsys.readouterr().out
    with _admin(pg_url) as admin:
        rows = admin.execute(
            "SELECT c.relname, pg_get_userbyid(c.relowner), c.relrowsecurity, c.relforcerowsecurity "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind = 'r'"
        ).fetchall()
        by_name = {r[0]: r[1:] for r in rows}
        assert DATA_TABLES <= set(by_name)
        for table in DATA_TABLES:
            assert by_name[table] == (OWNER, True, True), table
        assert verify.problems(admin) == []
        definer_fns = admin.execute(
            "SELECT count(*) FROM pg_proc WHERE prosecdef AND pg_get_userbyid(proowner) = %s", (DEFINER,)
        ).fetchone()[0]
        assert definer_fns >= 10
        for role in (OWNER, DEFINER, "storyclip_member"):
            assert admin.execute(
                "SELECT rolcanlogin OR rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = %s", (role,)
            ).fetchone()[0] is False
    # Running it again (after a migration, say) is safe.
    assert main(["admin", "init-shared", "--url", pg_url]) == 0


def test_add_user_makes_a_working_login_with_a_generated_password(pg_url, capsys):
    assert main(["admin", "init-shared", "--url", pg_url]) == 0
    email = unique_email("gen")
    assert main(["admin", "add-user", email, "--url", pg_url]) == 0
    out = capsys.readouterr().out
    password = re.search(r"stored nowhere: (\S+)", out).group(1)
    assert out.count(password) == 1 and len(password) >= 24

    host, db = url_parts(pg_url)
    role = role_name_for(email)
    with connect(host, db, role, password) as conn:
        me = conn.execute("SELECT storyclip_current_user_id()").fetchone()[0]
        assert conn.execute("SELECT email, login_method FROM users").fetchall() == [(email, "password")]
        assert dict(conn.execute('SELECT type, "limit" FROM token WHERE user_id = %s', (me,)).fetchall()) == DEFAULT_LIMITS
        # The person can start a project of their own.
        pid = IDS.next_id()
        conn.execute("INSERT INTO project (id, user_id, title) VALUES (%s, %s, 'mine')", (pid, me))
        assert conn.execute("SELECT role FROM project_member WHERE project_id = %s", (pid,)).fetchone()[0] == "owner"
    with _admin(pg_url) as admin:
        attrs = admin.execute(
            "SELECT rolcanlogin, rolsuper, rolbypassrls, rolcreaterole, rolcreatedb, rolreplication "
            "FROM pg_roles WHERE rolname = %s",
            (role,),
        ).fetchone()
        assert attrs == (True, False, False, False, False, False)
        # The server keeps a scram verifier, never the password.
        stored = admin.execute("SELECT rolpassword FROM pg_authid WHERE rolname = %s", (role,)).fetchone()[0]
        assert stored.startswith("SCRAM-SHA-256$") and password not in stored


def test_add_user_with_password_stdin_and_refusals(pg_url, monkeypatch, capsys):
    assert main(["admin", "init-shared", "--url", pg_url]) == 0
    email, password = unique_email("stdin"), "a long enough password"
    assert _add_user(monkeypatch, pg_url, email, password) == 0
    captured = capsys.readouterr()
    assert password not in captured.out + captured.err
    host, db = url_parts(pg_url)
    with connect(host, db, role_name_for(email), password) as conn:
        assert conn.execute("SELECT count(*) FROM users").fetchone()[0] == 1

    assert _add_user(monkeypatch, pg_url, email, password) == 1  # already there
    assert "already has a StoryClip login" in capsys.readouterr().err
    assert _add_user(monkeypatch, pg_url, unique_email("short"), "short") == 1
    assert "at least 12" in capsys.readouterr().err


def test_add_user_needs_init_shared(pg_url, capsys):
    assert main(["admin", "add-user", unique_email("early"), "--url", pg_url]) == 1
    assert "init-shared" in capsys.readouterr().err


def test_share_and_unshare_from_the_command_line(pg_url, monkeypatch, capsys):
    assert main(["admin", "init-shared", "--url", pg_url]) == 0
    owner, guest = unique_email("owner"), unique_email("guest")
    pw_owner, pw_guest = "owner password 123", "guest password 456"
    assert _add_user(monkeypatch, pg_url, owner, pw_owner) == 0
    assert _add_user(monkeypatch, pg_url, guest, pw_guest) == 0
    host, db = url_parts(pg_url)
    base = f"postgresql+psycopg:///{db}?host={host}"  # as saved in settings: no user, no password
    pid = IDS.next_id()
    with connect(host, db, role_name_for(owner), pw_owner) as conn:
        me = conn.execute("SELECT storyclip_current_user_id()").fetchone()[0]
        conn.execute("INSERT INTO project (id, user_id, title) VALUES (%s, %s, 'shared')", (pid, me))
    guest_conn = connect(host, db, role_name_for(guest), pw_guest)

    def guest_sees() -> int:
        return guest_conn.execute("SELECT count(*) FROM project WHERE id = %s", (pid,)).fetchone()[0]

    monkeypatch.setenv("STORYCLIP_DB_PASSWORD", pw_owner)  # headless: no keyring
    assert main(["project", "share", str(pid), guest, "--as", "reviewer", "--url", base, "--user", owner]) == 0
    assert guest_sees() == 1

    # The guest cannot share the owner's project on to anyone (their own login).
    monkeypatch.setenv("STORYCLIP_DB_PASSWORD", pw_guest)
    capsys.readouterr()
    assert main(["project", "share", str(pid), guest, "--as", "editor", "--url", base, "--user", guest]) == 1
    assert "only the owner" in capsys.readouterr().err

    monkeypatch.setenv("STORYCLIP_DB_PASSWORD", pw_owner)
    assert main(["project", "unshare", str(pid), guest, "--url", base, "--user", owner]) == 0
    assert guest_sees() == 0
    # The admin URL acts as admin when no person is named.
    assert main(["project", "share", str(pid), guest, "--as", "editor", "--url", pg_url]) == 0
    assert guest_sees() == 1
    guest_conn.close()


def test_init_shared_refuses_a_non_superuser(pg_url, monkeypatch, capsys):
    assert main(["admin", "init-shared", "--url", pg_url]) == 0
    email, password = unique_email("plain"), "plain person password"
    assert _add_user(monkeypatch, pg_url, email, password) == 0
    host, db = url_parts(pg_url)
    as_person = f"postgresql+psycopg://{role_name_for(email)}:{password}@/{db}?host={host}"
    capsys.readouterr()
    assert main(["admin", "init-shared", "--url", as_person]) == 1
    err = capsys.readouterr().err
    assert "superuser" in err and password not in err


def test_roles_are_cluster_wide_but_databases_stay_apart(pg_url, pg_server, monkeypatch, capsys):
    """The same person in a second StoryClip database on the server reuses their role;
    until added there they cannot even connect; a foreign role of that name is refused."""
    host, db = url_parts(pg_url)
    other = f"{db}_other"
    pg_server.psql(f"CREATE DATABASE {other}")
    other_url = pg_url.replace(f"/{db}?", f"/{other}?")
    try:
        assert main(["admin", "init-shared", "--url", pg_url]) == 0
        assert main(["admin", "init-shared", "--url", other_url]) == 0
        email, password = unique_email("twice"), "same person password"
        assert _add_user(monkeypatch, pg_url, email, password) == 0
        role = role_name_for(email)
        with pytest.raises(psycopg.OperationalError, match="permission denied for database"):
            connect(host, other, role, password)

        capsys.readouterr()
        assert main(["admin", "add-user", email, "--url", other_url]) == 0
        out = capsys.readouterr().out
        assert "password unchanged" in out and "stored nowhere" not in out
        with connect(host, other, role, password) as conn:
            assert conn.execute("SELECT count(*) FROM users").fetchone()[0] == 1

        squatter = unique_email("squat")
        pg_server.psql(f'CREATE ROLE "{role_name_for(squatter)}" LOGIN CREATEDB')
        assert main(["admin", "add-user", squatter, "--url", pg_url]) == 1
        assert "not a plain StoryClip login" in capsys.readouterr().err
    finally:
        pg_server.psql(f"DROP DATABASE IF EXISTS {other} WITH (FORCE)")
