"""Both stores, built from the migrations, hold every table, column, type, length,
default, nullability, index and foreign key of the seed schema."""

import re

import pytest
from sqlalchemy import inspect, text

from storyclip_desktop.store.db import Database, downgrade, upgrade

from .seed import SEED, SEED_FOREIGN_KEYS, SEED_INDEXES

PG_TYPES = {
    "bigint": "BIGINT", "int4": "INTEGER", "text": "TEXT", "varchar": "VARCHAR",
    "double": "DOUBLE_PRECISION", "json": "JSON", "boolean": "BOOLEAN", "timestamptz": "TIMESTAMP",
}
SQLITE_TYPES = {**PG_TYPES, "double": "DOUBLE", "timestamptz": "DATETIME"}


def _default(raw):
    if raw is None:
        return None
    d = re.sub(r"::[a-z ]+$", "", str(raw).strip())
    return "now()" if d in ("CURRENT_TIMESTAMP", "now()") else d


@pytest.fixture
def db(store_url):
    database = Database.open(store_url)
    yield database
    database.dispose()


def test_every_seed_column_matches(db):
    insp = inspect(db.engine)
    pg = db.is_postgres
    types = PG_TYPES if pg else SQLITE_TYPES
    for table, columns in SEED.items():
        actual = {c["name"]: c for c in insp.get_columns(table)}
        for name, (kind, length, nullable, default) in columns.items():
            assert name in actual, f"{table}.{name} missing"
            col = actual[name]
            assert type(col["type"]).__name__ == types[kind], (table, name, col["type"])
            assert getattr(col["type"], "length", None) == length, (table, name)
            assert col["nullable"] is nullable, (table, name)
            assert _default(col["default"]) == default, (table, name, col["default"])
            if kind == "timestamptz" and pg:
                assert col["type"].timezone is True
        pk = insp.get_pk_constraint(table)["constrained_columns"]
        assert pk == ["id"], table


def test_seed_indexes_exist_with_their_uniqueness(db):
    insp = inspect(db.engine)
    for table, cols, unique in SEED_INDEXES:
        found = [ix for ix in insp.get_indexes(table) if ix["column_names"] == cols]
        assert found, f"index {table}({', '.join(cols)}) missing"
        assert bool(found[0]["unique"]) is unique, (table, cols)


def test_seed_foreign_keys(db):
    insp = inspect(db.engine)
    for table, col, target in SEED_FOREIGN_KEYS:
        fks = [fk for fk in insp.get_foreign_keys(table) if fk["constrained_columns"] == [col]]
        assert fks and fks[0]["referred_table"] == target, (table, col)


def test_reserved_word_columns_are_quoted_and_usable(db):
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO users (id, login_method, email) VALUES (1, 'local', 'a@b.co')"))
        conn.execute(text('INSERT INTO token (id, user_id, type, "limit") VALUES (2, 1, \'gpt\', 100)'))
        row = conn.execute(text('SELECT "limit", usage FROM token WHERE id = 2')).one()
    assert tuple(row) == (100, 0)


def test_defaults_are_applied_by_the_database(db):
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO users (id, login_method, email) VALUES (1, 'local', 'a@b.co')"))
        conn.execute(text("INSERT INTO project (id, user_id, title) VALUES (10, 1, '제목')"))
        conn.execute(text("INSERT INTO video_preference (id, project_id) VALUES (11, 10)"))
        conn.execute(text('INSERT INTO scene (id, project_id, user_id, scene_id, "order") VALUES (12, 10, 1, \'S1\', 1)'))
        pref = conn.execute(text(
            "SELECT image_gen_model, video_gen_model, voice_gen_model, stability, resolution, ratio, created_at "
            "FROM video_preference"
        )).one()
        scene = conn.execute(text("SELECT status, scene_json, no_subject FROM scene")).one()
    assert tuple(pref)[:6] == ("Gemini", "Seedance", "Bin", 0.5, "480p", "9:16")
    assert pref.created_at is not None
    assert scene.status == "init"
    assert scene.scene_json in ({}, "{}")
    assert scene.no_subject in (False, 0)


def test_upgrade_downgrade_upgrade(store_url):
    db = Database.open(store_url)
    try:
        downgrade(db.engine, "base")
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade(db.engine, "head")
        assert set(SEED) <= set(inspect(db.engine).get_table_names())
    finally:
        db.dispose()


def test_every_status_fits_the_status_column():
    from storyclip_desktop.domain.status import SceneStatus
    from tests.store.seed import SEED

    width = SEED["scene"]["status"][1]
    assert max(len(s.value) for s in SceneStatus) <= width


def test_head_revision_matches_alembic():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from storyclip_desktop.store.db import MIGRATIONS, head_revision

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    assert head_revision() == ScriptDirectory.from_config(cfg).get_current_head()
