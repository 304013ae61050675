"""Helpers for the shared-mode security tests (no tests here): a shared store with three
people, each connected with their own LOGIN role over the server's unix socket.

The embedded server's pg_hba trusts local sockets, so here a password is set but not
checked; that is pg_hba's job (test_security_login.py proves it on a server that asks
for scram-sha-256). These tests are about grants and row-level security."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import psycopg
from sqlalchemy.engine import make_url

from storyclip_desktop.domain.ids import IdGenerator
from storyclip_desktop.shared.install import install_shared
from storyclip_desktop.shared.people import add_user
from storyclip_desktop.store.db import make_engine

IDS = IdGenerator(7)


def unique_email(prefix: str) -> str:
    # Roles are cluster-wide and the session shares one server: never reuse an email.
    return f"{prefix}-{uuid.uuid4().hex[:10]}@team.test"


def url_parts(pg_url: str) -> tuple[str, str]:
    u = make_url(pg_url)
    return u.query["host"], u.database


@dataclass
class Person:
    email: str
    role: str
    password: str
    user_id: int
    conn: psycopg.Connection = field(repr=False)

    def one(self, query: str, params: tuple | dict = ()) -> object:
        row = self.conn.execute(query, params).fetchone()
        return None if row is None else row[0]

    def rowcount(self, query: str, params: tuple | dict = ()) -> int:
        return self.conn.execute(query, params).rowcount


def connect(host: str, db: str, role: str, password: str | None = None) -> psycopg.Connection:
    return psycopg.connect(host=host, dbname=db, user=role, password=password, autocommit=True)


def add_person(engine, host: str, db: str, prefix: str, *, admin: bool = False) -> Person:  # noqa: ANN001
    email = unique_email(prefix)
    password = f"pw-{uuid.uuid4().hex}"
    p = add_user(engine, email, IDS, password=password, admin=admin)
    return Person(email, p.role_name, password, p.user_id, connect(host, db, p.role_name, password))


@dataclass
class World:
    host: str
    db: str
    admin: psycopg.Connection
    a: Person
    b: Person
    r: Person
    project: int
    scene1: int  # status 'prompt'
    scene2: int  # status 'image'
    asset: int
    engine: object = field(repr=False)
    people: list[Person] = field(default_factory=list)

    def close(self) -> None:
        for p in self.people:
            p.conn.close()
        self.admin.close()
        self.engine.dispose()


def build_world(pg_url: str) -> World:
    host, db = url_parts(pg_url)
    engine = make_engine(pg_url)
    install_shared(engine)
    a = add_person(engine, host, db, "a")
    b = add_person(engine, host, db, "b")
    r = add_person(engine, host, db, "r")
    pid, s1, s2, asset = (IDS.next_id() for _ in range(4))
    # A builds a project with raw SQL on A's own connection, as the sync apply would.
    a.conn.execute(
        "INSERT INTO project (id, user_id, title, script) VALUES (%s, %s, 'A-proj', 'once upon')",
        (pid, a.user_id),
    )
    a.conn.execute("INSERT INTO video_preference (id, project_id) VALUES (%s, %s)", (IDS.next_id(), pid))
    for sid, label, status, order in ((s1, "S1", "prompt", 1), (s2, "S2", "image", 2)):
        a.conn.execute(
            'INSERT INTO scene (id, project_id, user_id, status, scene_id, scene_json, "order") '
            "VALUES (%s, %s, %s, %s, %s, '{\"narration\": \"hi\"}', %s)",
            (sid, pid, a.user_id, status, label, order),
        )
    version = a.one("SELECT storyclip_next_asset_version(%s, 'image')", (f"{pid}-S2",))
    a.conn.execute(
        "INSERT INTO asset (id, parents_id, version, user_id, type, storage_url, project_id) "
        "VALUES (%s, %s, %s, %s, 'image', 'cas://abc', %s)",
        (asset, f"{pid}-S2", version, a.user_id, pid),
    )
    a.one("SELECT storyclip_reserve_tokens(%s, 'gpt', 10, %s)", (pid, f"a-{pid}"))
    a.conn.execute(
        "INSERT INTO scene_review (id, scene_pk, user_id, action, from_status, to_status) "
        "VALUES (%s, %s, %s, 'note', 'prompt', 'prompt')",
        (IDS.next_id(), s1, a.user_id),
    )
    a.one("SELECT storyclip_share_project(%s, %s, 'reviewer')", (pid, r.email))
    admin = psycopg.connect(host=host, dbname=db, user="postgres", autocommit=True)
    return World(host, db, admin, a, b, r, pid, s1, s2, asset, engine, [a, b, r])
