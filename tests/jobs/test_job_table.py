"""The `job` table from migration 0002 matches its model on both stores, stamps
updated_at, and goes away on downgrade."""

from __future__ import annotations

import time

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from storyclip_desktop.services.generation_jobs import JobSpec
from storyclip_desktop.store.db import Database, downgrade, head_revision, upgrade
from storyclip_desktop.store.jobs_model import Job
from storyclip_desktop.store.models import Base


def test_the_migration_matches_the_model(store_url):
    db = Database.open(store_url)
    try:
        assert head_revision() >= "0002"
        with db.engine.connect() as conn:
            diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        job_diffs = [d for d in diffs if "job" in repr(d)]
        assert job_diffs == []
        cols = {c["name"] for c in inspect(db.engine).get_columns("job")}
        assert cols == set(Job.__table__.columns.keys())
        fks = {fk["referred_table"] for fk in inspect(db.engine).get_foreign_keys("job")}
        assert fks == {"users", "project"}
    finally:
        db.dispose()


def test_state_is_checked_and_updated_at_is_stamped(services):
    pid = services.projects.create("t")
    jid = services.generation.records.create([JobSpec(pid, "S1", "image", "local", "m")])[0]
    db = services.db
    with db.engine.begin() as c:
        before = c.execute(text("SELECT updated_at FROM job WHERE id = :i"), {"i": jid}).scalar()
    time.sleep(0.01)
    assert services.generation.records.cancel(jid)
    with db.engine.begin() as c:
        after = c.execute(text("SELECT updated_at FROM job WHERE id = :i"), {"i": jid}).scalar()
    assert str(after) > str(before)
    with pytest.raises(IntegrityError), db.engine.begin() as c:
        c.execute(text("UPDATE job SET state = 'exploded' WHERE id = :i"), {"i": jid})


def test_downgrade_drops_the_job_table(sqlite_url):
    db = Database.open(sqlite_url)
    try:
        downgrade(db.engine, "0001")  # (through any later revision)
        assert "job" not in inspect(db.engine).get_table_names()
        upgrade(db.engine, "head")
        assert "job" in inspect(db.engine).get_table_names()
    finally:
        db.dispose()
