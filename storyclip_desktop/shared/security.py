"""Applies shared mode's security to one database: ownership, grants, row-level security
and policies, from the rules below. Idempotent, so init-shared can run again after every
migration (new tables are owned by whoever migrated them until it does).

The model: people reach data only through the NOLOGIN group `storyclip_member`; every
policy keys on `storyclip_current_user_id()` (the users.id of session_user); every
table has ENABLE and FORCE ROW LEVEL SECURITY; what a client must never do directly
(spend tokens, raise a limit, draw a version number, change membership) goes through a
SECURITY DEFINER function owned by `storyclip_definer`, which holds exactly the table
rights those functions need.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from psycopg import Connection, sql

from .roles import DEFINER, MEMBER, OWNER
from .security_sql import ROLES_SQL, TABLES_SQL, functions_sql

ME = "(SELECT public.storyclip_current_user_id())"


def _member(col: str = "project_id") -> str:
    return f"public.storyclip_is_member({col})"


def _editor(col: str = "project_id") -> str:
    return f"public.storyclip_is_editor({col})"


_SCENE_OF_MINE = (
    "EXISTS (SELECT 1 FROM public.scene s "
    "WHERE s.id = scene_pk AND public.storyclip_is_member(s.project_id))"
)


@dataclass(frozen=True)
class Rule:
    """Who may do what to one table's rows. None: the command is not granted at all."""

    select: str | None = None
    insert: str | None = None  # WITH CHECK
    update: str | None = None  # USING and WITH CHECK
    delete: str | None = None
    # Column-level UPDATE grant: what a client may ever set (never ids or owners).
    update_columns: tuple[str, ...] = ()
    # The definer's functions write this table (it always may read every table).
    definer_writes: bool = False


RULES: dict[str, Rule] = {
    "users": Rule(select=f"id = {ME}"),
    "users_role": Rule(select=f"user_id = {ME}"),
    "project": Rule(
        # The owner sees the row before its owner member row exists (INSERT ... RETURNING).
        select=f"user_id = {ME} OR {_member('id')}",
        insert=f"user_id = {ME}",
        update=_editor("id"),
        delete=f"user_id = {ME}",
        update_columns=("title", "description", "script", "narration_version", "updated_at"),
    ),
    "project_member": Rule(select=_member(), definer_writes=True),
    "video_preference": Rule(
        select=_member(),
        insert=_editor(),
        update=_editor(),
        delete=_editor(),
        update_columns=(
            "image_gen_model", "video_gen_model", "voice_gen_model", "stability",
            "resolution", "ratio", "custom_style", "split_rule", "updated_at",
        ),
    ),
    "scene": Rule(
        select=_member(),
        insert=f"{_editor()} AND user_id = {ME}",
        # Members pass here; storyclip_scene_guard narrows a reviewer to status changes.
        update=_member(),
        delete=_editor(),
        update_columns=(
            "status", "scene_json", "image_version", "clip_version", "order", "no_subject",
            "updated_at",
        ),
    ),
    "scene_review": Rule(select=_SCENE_OF_MINE, insert=f"user_id = {ME} AND {_SCENE_OF_MINE}"),
    "asset": Rule(
        select=_member(),
        insert=(
            f"{_editor()} AND user_id = {ME}"
            " AND public.storyclip_parents_project(parents_id) = project_id"
            " AND public.storyclip_version_issued(parents_id, type, version)"
        ),
        update=_editor(),
        delete=_editor(),
        update_columns=("storage_url", "metadata", "updated_at"),
    ),
    "asset_version_counter": Rule(definer_writes=True),
    # A project's characters (their reference images are asset rows): members see
    # them, owners and editors add, rename and remove them.
    "project_character": Rule(
        select=_member(),
        insert=f"{_editor()} AND user_id = {ME}",
        update=_editor(),
        delete=_editor(),
        update_columns=("label", "name", "updated_at"),
    ),
    # Generation jobs: each person runs their own, on projects they may edit; the
    # project's members may watch them. A job that outlives a share still finishes.
    "job": Rule(
        select=f"user_id = {ME} OR {_member()}",
        insert=f"user_id = {ME} AND {_editor()}",
        update=f"user_id = {ME}",
        delete=f"user_id = {ME}",
        update_columns=(
            "scene_id", "kind", "provider", "model", "request", "state", "progress",
            "attempts", "remote_task_id", "reservation_key", "error", "result", "owner",
            "lease_until", "updated_at",
        ),
    ),
    # Finished videos: files on the exporting person's own machine, listed for them only.
    "video_export": Rule(
        select=f"user_id = {ME}", insert=f"user_id = {ME} AND {_member()}", delete=f"user_id = {ME}"
    ),
    # The exact model a person picked for a project (Settings › Models): their own
    # choice, like their keys, on projects they can see.
    "project_model": Rule(
        select=f"user_id = {ME}",
        insert=f"user_id = {ME} AND {_member()}",
        update=f"user_id = {ME}",
        delete=f"user_id = {ME}",
        update_columns=("model", "updated_at"),
    ),
    # Written by the sync part's server code only (it records the text that lost a
    # conflict); members of the project read it.
    "scene_history": Rule(select=_member(), definer_writes=True),
    "token": Rule(select=f"user_id = {ME}", definer_writes=True),
    "token_reservation": Rule(
        select=f"token_id IN (SELECT t.id FROM public.token t WHERE t.user_id = {ME})",
        definer_writes=True,
    ),
}

# Not user data: clients read the schema revision when they open the store.
PLAIN_READ = ("alembic_version",)


@dataclass(frozen=True)
class SyncRules:
    """What the sync part's server schema declares about its own tables (see
    docs/shared-mode.md). Tables it does not mention are closed to clients."""

    member_read: Mapping[str, str] = field(default_factory=dict)  # table -> project id column
    own_rows: Mapping[str, str] = field(default_factory=dict)  # table -> users.id column
    definer_writes: tuple[str, ...] = ()  # tables its SECURITY DEFINER functions write

    @classmethod
    def from_module(cls, module: object | None) -> SyncRules:
        if module is None:
            return cls()
        return cls(
            member_read=dict(getattr(module, "MEMBER_READ", {}) or {}),
            own_rows=dict(getattr(module, "OWN_ROWS", {}) or {}),
            definer_writes=tuple(getattr(module, "DEFINER_WRITES", ()) or ()),
        )

    def rule(self, table: str) -> Rule:
        writes = table in self.definer_writes
        if table in self.own_rows:
            mine = f"{sql_ident(self.own_rows[table])} = {ME}"
            return Rule(select=mine, insert=mine, update=mine, definer_writes=writes)
        if table in self.member_read:
            return Rule(select=_member(sql_ident(self.member_read[table])), definer_writes=writes)
        return Rule(definer_writes=writes)


def sql_ident(name: str) -> str:
    """A column name as a quoted identifier inside a policy expression."""
    return '"' + name.replace('"', '""') + '"'


def apply(conn: Connection, sync_rules: SyncRules | None = None) -> list[str]:
    """Install roles, tables, functions, grants and policies; returns the tables covered."""
    sync_rules = sync_rules or SyncRules()
    with conn.cursor() as cur:
        cur.execute(ROLES_SQL)
        cur.execute(TABLES_SQL)
        cur.execute(functions_sql())
        _database_and_schema(cur)
        tables = _public_tables(cur)
        rules = {t: RULES.get(t) or sync_rules.rule(t) for t in tables if t not in PLAIN_READ}
        for extra in sync_rules.definer_writes:
            if extra in rules:
                r = rules[extra]
                rules[extra] = Rule(**{**r.__dict__, "definer_writes": True})
        _ownership(cur, tables)
        for table, rule in rules.items():
            _secure_table(cur, table, rule)
        for table in PLAIN_READ:
            if table in tables:
                cur.execute(sql.SQL("GRANT SELECT ON {} TO {}").format(
                    sql.Identifier(table), sql.Identifier(MEMBER)))
        _functions(cur)
    return sorted(rules)


def _database_and_schema(cur) -> None:  # noqa: ANN001
    cur.execute(
        f"""
        DO $$ BEGIN
            -- Connect and temp rights go to each person (people.add_user), not to PUBLIC:
            -- roles are cluster-wide, and one team's people must not reach another
            -- team's database on the same server.
            EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());
        END $$;
        REVOKE ALL ON SCHEMA public FROM PUBLIC;
        GRANT USAGE ON SCHEMA public TO {MEMBER}, {DEFINER}, {OWNER};
        -- Functions the admin creates later start closed too.
        ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
        GRANT USAGE, SELECT, UPDATE ON SEQUENCE storyclip_server_id_seq TO {DEFINER};
        """
    )


def _public_tables(cur) -> list[str]:  # noqa: ANN001
    cur.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY 1"
    )
    return [r[0] for r in cur.fetchall()]


def _ownership(cur, tables: Iterable[str]) -> None:  # noqa: ANN001
    owner = sql.Identifier(OWNER)
    for t in tables:
        cur.execute(sql.SQL("ALTER TABLE {} OWNER TO {}").format(sql.Identifier(t), owner))
    # Standalone sequences; those owned by a column follow their table.
    cur.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind = 'S' AND NOT EXISTS ("
        " SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i'))"
    )
    for (seq,) in cur.fetchall():
        cur.execute(sql.SQL("ALTER SEQUENCE {} OWNER TO {}").format(sql.Identifier(seq), owner))


def _secure_table(cur, table: str, rule: Rule) -> None:  # noqa: ANN001
    t = sql.Identifier(table)
    member, definer = sql.Identifier(MEMBER), sql.Identifier(DEFINER)
    cur.execute(sql.SQL("REVOKE ALL ON {} FROM PUBLIC, {}, {}").format(t, member, definer))
    cur.execute(sql.SQL("ALTER TABLE {} ENABLE ROW LEVEL SECURITY").format(t))
    # FORCE: the owner is bound too, so owning a table is never a way around a policy.
    cur.execute(sql.SQL("ALTER TABLE {} FORCE ROW LEVEL SECURITY").format(t))
    _drop_policies(cur, table)

    definer_rights = "SELECT, INSERT, UPDATE, DELETE" if rule.definer_writes else "SELECT"
    cur.execute(sql.SQL("GRANT " + definer_rights + " ON {} TO {}").format(t, definer))
    _policy(cur, table, "sc_definer", "ALL", DEFINER, "true", "true")

    if rule.select:
        cur.execute(sql.SQL("GRANT SELECT ON {} TO {}").format(t, member))
        _policy(cur, table, "sc_member_select", "SELECT", MEMBER, rule.select, None)
    if rule.insert:
        cur.execute(sql.SQL("GRANT INSERT ON {} TO {}").format(t, member))
        _policy(cur, table, "sc_member_insert", "INSERT", MEMBER, None, rule.insert)
    if rule.update:
        # Columns a later migration dropped are skipped: that only ever narrows a grant.
        present = set(_columns(cur, table))
        columns = [c for c in rule.update_columns if c in present]
        if not rule.update_columns:
            cur.execute(sql.SQL("GRANT UPDATE ON {} TO {}").format(t, member))
        elif columns:
            cols = sql.SQL(", ").join(sql.Identifier(c) for c in columns)
            cur.execute(sql.SQL("GRANT UPDATE ({}) ON {} TO {}").format(cols, t, member))
        _policy(cur, table, "sc_member_update", "UPDATE", MEMBER, rule.update, rule.update)
    if rule.delete:
        cur.execute(sql.SQL("GRANT DELETE ON {} TO {}").format(t, member))
        _policy(cur, table, "sc_member_delete", "DELETE", MEMBER, rule.delete, None)


def _columns(cur, table: str) -> list[str]:  # noqa: ANN001
    cur.execute(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = 'public' AND table_name = %s",
        (table,),
    )
    return [r[0] for r in cur.fetchall()]


def _drop_policies(cur, table: str) -> None:  # noqa: ANN001
    # Every policy, not only ours: a stray permissive policy would widen access.
    cur.execute("SELECT policyname FROM pg_policies WHERE schemaname = 'public' AND tablename = %s", (table,))
    for (name,) in cur.fetchall():
        cur.execute(sql.SQL("DROP POLICY {} ON {}").format(sql.Identifier(name), sql.Identifier(table)))


def _policy(cur, table: str, name: str, command: str, role: str, using: str | None, check: str | None) -> None:  # noqa: ANN001
    parts = [sql.SQL("CREATE POLICY {} ON {} FOR " + command + " TO {}").format(
        sql.Identifier(name), sql.Identifier(table), sql.Identifier(role))]
    if using is not None:
        parts.append(sql.SQL("USING (" + using + ")"))
    if check is not None:
        parts.append(sql.SQL("WITH CHECK (" + check + ")"))
    cur.execute(sql.SQL(" ").join(parts))


def _functions(cur) -> None:  # noqa: ANN001
    """No SECURITY DEFINER function may run as a superuser or as the table owner; all
    of them belong to the definer. Functions are closed to PUBLIC (other roles on the
    cluster) and open to members: each one checks its caller itself."""
    cur.execute(
        """
        SELECT p.oid::regprocedure::text, p.prosecdef
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public' AND p.prokind = 'f'
        """
    )
    for signature, secdef in cur.fetchall():
        fn = sql.SQL(signature)  # regprocedure text is already quoted by the server
        if secdef:
            cur.execute(sql.SQL("ALTER FUNCTION {} OWNER TO {}").format(fn, sql.Identifier(DEFINER)))
        cur.execute(sql.SQL("REVOKE ALL ON FUNCTION {} FROM PUBLIC").format(fn))
        cur.execute(sql.SQL("GRANT EXECUTE ON FUNCTION {} TO {}, {}").format(
            fn, sql.Identifier(MEMBER), sql.Identifier(DEFINER)))
