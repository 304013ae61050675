from pathlib import Path

from sqlalchemy import text

from storyclip_desktop.config import Settings, local_database_url
from storyclip_desktop.services import Services
from storyclip_desktop.store.db import current_revision, head_revision


def test_first_run_creates_and_migrates_a_wal_sqlite_file_in_the_data_folder(isolated_home):
    sv = Services.open()
    try:
        path = Path(local_database_url().removeprefix("sqlite:///"))
        assert path.is_file() and path.is_relative_to(isolated_home / "data")
        with sv.db.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert current_revision(sv.db.engine) == head_revision()
        assert sv.store_kind == "local"
    finally:
        sv.close()


def test_database_url_from_the_environment_wins(monkeypatch, tmp_path):
    other = tmp_path / "elsewhere.sqlite3"
    monkeypatch.setenv("STORYCLIP_DATABASE_URL", f"sqlite:///{other}")
    sv = Services.open()
    sv.close()
    assert other.is_file()


def test_installation_node_is_chosen_once_and_kept(isolated_home):
    first = Settings.load().node
    assert Settings.load().node == first
    settings_file = isolated_home / "config" / "settings.json"
    assert settings_file.is_file() and "password" not in settings_file.read_text()


def test_data_survives_reopening(isolated_home):
    sv = Services.open()
    pid = sv.projects.create("남는다")
    sv.close()
    again = Services.open()
    assert [p.id for p in again.projects.list()] == [pid]
    again.close()
