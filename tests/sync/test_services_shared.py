"""The services working directly on the secured shared store, as people: each person's
`Services.open(url)` connects with their own LOGIN role, so row-level security and the
security part's SECURITY DEFINER functions decide what they see and may do. One store
(init-shared once) serves the whole module; every test makes its own project."""

from __future__ import annotations

import threading
import uuid

import psycopg
import pytest
from sqlalchemy import text

from storyclip_desktop.domain.validation import ValidationError
from storyclip_desktop.services import Forbidden, NotFound, QuotaExceeded, ServiceError, Services
from storyclip_desktop.shared.install import install_shared
from storyclip_desktop.shared.people import share
from storyclip_desktop.store.db import head_revision, make_engine

from .conftest import _url, admin_sql, new_server_db
from .test_security_support import add_person, url_parts


@pytest.fixture(scope="module")
def team(pg_server, pg_admin, sync_template):  # noqa: ANN001
    name = new_server_db(pg_admin, sync_template)
    url = _url(pg_server, name)
    engine = make_engine(url)
    report = install_shared(engine)
    assert report.sync_installed
    host, db = url_parts(url)
    people = {k: add_person(engine, host, db, k, admin=(k == "boss")) for k in ("a", "b", "r", "c", "boss")}
    admin = psycopg.connect(host=host, dbname=db, user="postgres", autocommit=True)
    yield type("Team", (), {"url": url, "people": people, "admin": admin, "host": host, "db": db})
    admin.close()
    for p in people.values():
        p.conn.close()
    engine.dispose()
    admin_sql(pg_admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def person_url(team, key: str) -> str:  # noqa: ANN001
    p = team.people[key]
    return f"postgresql+psycopg://{p.role}:{p.password}@/{team.db}?host={team.host}"


@pytest.fixture
def open_as(team):  # noqa: ANN001
    opened: list[Services] = []

    def make(key: str, **kw) -> Services:  # noqa: ANN003
        sv = Services.open(person_url(team, key), node=20 + len(opened), **kw)
        opened.append(sv)
        return sv

    yield make
    for sv in opened:
        sv.close()


def version_of(team, pid: int) -> int:  # noqa: ANN001
    row = team.admin.execute("SELECT version FROM sync_project_version WHERE project_id = %s", (pid,)).fetchone()
    return row[0] if row else 0


def team_project(team, open_as) -> tuple[Services, int]:  # noqa: ANN001
    """A's project with three scenes (S1 'prompt', S2 'image'), shared with B as editor
    and with R as reviewer."""
    a = open_as("a")
    pid = a.projects.create("Team film", script="One. Two. Three.")
    a.scenes.split(pid, chunks=["one", "two", "three"])
    a.scenes.edit(pid, "S1", {"image_prompt": "a harbour"})
    a.scenes.edit(pid, "S2", {"image_prompt": "a hill"})
    a.reviews.confirm_prompt(pid, "S2")
    a.assets.add_scene_version(pid, "S2", "image", "https://cdn.example/hill-1.png")
    share(a.db.engine, pid, team.people["b"].email, "editor")
    share(a.db.engine, pid, team.people["r"].email, "reviewer")
    return a, pid


def test_owner_editor_and_reviewer_work_through_the_services(team, open_as):
    a, pid = team_project(team, open_as)
    assert a.access.secured and a.access.sync_bump
    assert (a.user_id, a.email) == (team.people["a"].user_id, team.people["a"].email)

    # The editor sees the owner's project, edits a scene, moves scenes, edits the script.
    b = open_as("b")
    assert pid in {p.id for p in b.projects.list()}
    assert b.projects.get(pid).user_id == team.people["a"].user_id
    before = version_of(team, pid)
    b.scenes.edit(pid, "S3", {"narration": "three, by B"})
    b.ordering.move_after(pid, ["S3"], None)
    assert version_of(team, pid) == before + 2  # one version per writing transaction
    b.projects.set_script(pid, "Three. One. Two.")
    b.preferences.update(pid, ratio="9:16")
    with pytest.raises(Forbidden, match="only the owner of project"):
        b.projects.delete(pid)

    # The reviewer sees it and may confirm or reject, nothing else.
    r = open_as("r")
    assert pid in {p.id for p in r.projects.list()}
    assert r.reviews.confirm(pid, "S1").status == "prompt_confirmed"
    assert r.reviews.reject(pid, "S2", comment="too dark").status == "prompt_confirmed"
    first, review = r.reviews.history(pid, "S2")
    assert first.user_id == team.people["a"].user_id  # the owner's confirm_prompt
    assert (review.action, review.to_status, review.comment, review.user_id) == (
        "reject", "prompt_confirmed", "too dark", team.people["r"].user_id,
    )
    refusals = [
        lambda: r.projects.set_script(pid, "mine now"),
        lambda: r.scenes.edit(pid, "S1", {"narration": "reviewer text"}),
        lambda: r.scenes.add(pid, "extra"),
        lambda: r.ordering.move(pid, ["S1"], 3),
        lambda: r.preferences.update(pid, ratio="1:1"),
        lambda: r.assets.add_scene_version(pid, "S1", "image", "https://cdn.example/r.png"),
        lambda: r.tokens.reserve("gpt", 10, f"r-{pid}", project_id=pid),
        lambda: r.reviews.undo_last(pid, "S2", "reject"),
        lambda: r.generation.images(pid, ["S1"]),
    ]
    r.generation.key_check = lambda _provider: False  # the local preview provider
    for attempt in refusals:
        with pytest.raises(Forbidden, match="^not allowed: "):
            attempt()

    # The editor may queue generation jobs on it (their own rows).
    b.generation.key_check = lambda _provider: False
    [job] = b.generation.images(pid, ["S1"]).job_ids
    assert b.generation.job(job).state == "queued"
    assert not r.generation.jobs(pid)

    # Everything the reviewer was refused left no trace; what they did stands.
    scenes = {s.scene_id: s for s in a.scenes.list(pid)}
    assert [s.scene_id for s in a.scenes.list(pid)] == ["S3", "S1", "S2"]
    assert scenes["S3"].narration == "three, by B" and scenes["S1"].narration == "one"
    assert (scenes["S1"].status, scenes["S2"].status) == ("prompt_confirmed", "prompt_confirmed")
    assert a.projects.get(pid).script == "Three. One. Two."

    # Someone it is not shared with sees nothing of it.
    c = open_as("c")
    assert pid not in {p.id for p in c.projects.list()}
    with pytest.raises(NotFound):
        c.projects.get(pid)
    with pytest.raises(NotFound):
        c.scenes.edit(pid, "S1", {"narration": "outsider"})

    # Only the owner deletes it, reviews and versions included (the foreign keys cascade).
    a.projects.delete(pid)
    assert pid not in {p.id for p in b.projects.list()} | {p.id for p in r.projects.list()}
    assert team.admin.execute("SELECT count(*) FROM asset WHERE project_id = %s", (pid,)).fetchone()[0] == 0


def test_tokens_go_through_the_definer_functions(team, open_as):
    a = open_as("a")
    boss = open_as("boss")
    pid = a.projects.create("Tokens")
    email = team.people["a"].email
    assert boss.tokens.set_limit("kling", 100, email=email).limit == 100
    with pytest.raises(ServiceError, match="must name its project"):
        a.tokens.reserve("kling", 10, f"k0-{pid}")
    assert a.tokens.reserve("kling", 30, f"k1-{pid}", project_id=pid).state == "reserved"
    assert a.tokens.reserve("kling", 30, f"k1-{pid}", project_id=pid).state == "reserved"  # once
    with pytest.raises(QuotaExceeded, match="this needs 80, 70 of 100 left") as exc:
        a.tokens.reserve("kling", 80, f"k2-{pid}", project_id=pid)
    assert (exc.value.needed, exc.value.usage, exc.value.limit) == (80, 30, 100)
    assert a.tokens.commit(f"k1-{pid}", 25).state == "committed"
    with pytest.raises(ServiceError, match="already committed"):
        a.tokens.refund(f"k1-{pid}")
    with pytest.raises(NotFound):
        a.tokens.commit("nobody-reserved-this", 1)
    assert {u.type: u.usage for u in a.tokens.usage()}["kling"] == 25
    # Limits: only an admin sets them, never below what was used.
    with pytest.raises(Forbidden, match="only an admin"):
        a.tokens.set_limit("kling", 1_000_000)
    with pytest.raises(ValidationError, match=r"below what was already used \(25\)"):
        boss.tokens.set_limit("kling", 10, email=email)
    assert boss.tokens.set_limit("kling", 60, email=email) == type(a.tokens.usage()[0])("kling", 25, 60)
    with pytest.raises(NotFound, match="no user with email"):
        boss.tokens.set_limit("kling", 60, email=f"nobody-{uuid.uuid4().hex[:6]}@team.test")


def test_twenty_concurrent_reservations_never_exceed_the_limit(team, open_as):
    a = open_as("a")
    boss = open_as("boss")
    pid = a.projects.create("Rush")
    boss.tokens.set_limit("gpt", 100, email=team.people["a"].email)
    before = {u.type: u.usage for u in a.tokens.usage()}["gpt"]
    assert before == 0
    granted, refused, other = [], [], []
    barrier = threading.Barrier(20)

    def reserve(k: int) -> None:
        barrier.wait()
        try:
            a.tokens.reserve("gpt", 10, f"rush-{pid}-{k}", project_id=pid)
            granted.append(k)
        except QuotaExceeded:
            refused.append(k)
        except Exception as e:  # noqa: BLE001
            other.append(e)

    threads = [threading.Thread(target=reserve, args=(k,)) for k in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not other, other
    assert len(granted) == 10 and len(refused) == 10
    assert {u.type: u.usage for u in a.tokens.usage()}["gpt"] == 100


def test_asset_versions_come_from_the_definer_function(team, open_as):
    a, pid = team_project(team, open_as)
    b = open_as("b")
    errors: list[Exception] = []

    def add(k: int) -> None:
        try:
            b.assets.add_scene_version(pid, "S1", "image", f"https://cdn.example/b-{k}.png", make_current=False)
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=add, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    versions = [v.version for v in b.assets.versions(pid, "S1", "image")]
    assert sorted(versions) == list(range(1, 9))
    # The counter is the security part's: the numbers were issued by it.
    last = team.admin.execute(
        "SELECT last_version FROM asset_version_counter WHERE parents_id = %s AND type = 'image'", (f"{pid}-S1",)
    ).fetchone()[0]
    assert last == 8
    # And B's versions are B's rows.
    owners = {row[0] for row in team.admin.execute("SELECT user_id FROM asset WHERE parents_id = %s", (f"{pid}-S1",))}
    assert owners == {team.people["b"].user_id}


def test_a_person_never_writes_users_rows_and_never_migrates(team, open_as, monkeypatch):
    def count(table: str) -> int:
        return team.admin.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608

    users, tokens = count("users"), count("token")
    sv = open_as("a", email=f"someone-else-{uuid.uuid4().hex[:6]}@team.test")
    assert sv.user_id == team.people["a"].user_id and sv.email == team.people["a"].email
    assert (count("users"), count("token")) == (users, tokens)

    import storyclip_desktop.services.app as app

    def no_migration(*_a, **_k):  # noqa: ANN002, ANN003, ANN202
        raise AssertionError("a person's Services must not migrate")

    monkeypatch.setattr(app, "upgrade", no_migration)
    head = head_revision()
    try:
        team.admin.execute("UPDATE alembic_version SET version_num = '0002'")
        with pytest.raises(ServiceError, match=r"ask the admin to run `storyclip admin init-shared`") as exc:
            Services.open(person_url(team, "b"), node=40)
        assert "\n" not in str(exc.value)
        assert team.admin.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0002"
        team.admin.execute("UPDATE alembic_version SET version_num = '9999'")
        with pytest.raises(ServiceError, match="newer than this StoryClip knows"):
            Services.open(person_url(team, "b"), node=41)
    finally:
        team.admin.execute("UPDATE alembic_version SET version_num = %s", (head,))

    # A login that is no StoryClip person is told so, not crashed on.
    role = f"sc_test_{uuid.uuid4().hex[:12]}"
    team.admin.execute(f"CREATE ROLE {role} LOGIN IN ROLE storyclip_member")
    team.admin.execute(f"GRANT CONNECT ON DATABASE {team.db} TO {role}")
    try:
        with pytest.raises(ServiceError, match="not a StoryClip person"):
            Services.open(f"postgresql+psycopg://{role}@/{team.db}?host={team.host}", node=42)
    finally:
        team.admin.execute(f"REVOKE CONNECT ON DATABASE {team.db} FROM {role}")
        team.admin.execute(f"DROP ROLE {role}")

    # The admin's superuser URL is not a person: no RLS, no bump, owner filter as before.
    su = Services.open(team.url, node=43)
    try:
        assert su.access.kind == "postgres" and not su.access.sync_bump
    finally:
        su.close()


def test_the_local_file_shows_every_project_it_holds(sqlite_url):
    """Sync brings teammates' shared projects into the file: they are the person's to
    see (the server decides what comes), not hidden by owner."""
    sv = Services.open(sqlite_url, node=1)
    try:
        mine = sv.projects.create("Mine")
        with sv.db.engine.begin() as c:
            c.execute(text("INSERT INTO users (id, login_method, email) VALUES (77, 'password', 'mate@team.test')"))
            c.execute(text("INSERT INTO project (id, user_id, title) VALUES (78, 77, 'Theirs')"))
            c.execute(text("INSERT INTO video_preference (id, project_id) VALUES (79, 78)"))
        assert {p.id for p in sv.projects.list()} == {mine, 78}
        sv.projects.rename(78, "Renamed")
        assert sv.projects.get(78).title == "Renamed"
    finally:
        sv.close()


@pytest.mark.postgres
def test_unsecured_postgres_keeps_the_owner_filter(pg_url):
    a = Services.open(pg_url, node=1, email="a@dev.test")
    b = Services.open(pg_url, node=2, email="b@dev.test")
    try:
        pid = a.projects.create("A's")
        assert a.access.kind == "postgres"
        assert [p.id for p in b.projects.list()] == []
        with pytest.raises(NotFound):
            b.projects.get(pid)
    finally:
        a.close()
        b.close()
