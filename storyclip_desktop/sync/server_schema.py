"""What the sync needs on the team's PostgreSQL beside the common tables: the change
feed and its per-project versions, the mutation log that makes a resend harmless, the
field stamps that decide same-field conflicts, and the few functions that write what
no client may write directly. Installed by `storyclip admin init-shared` (after
`alembic upgrade`, before the security part, which then secures these tables as
declared by MEMBER_READ, OWN_ROWS and DEFINER_WRITES below). Safe to run again.
"""

from __future__ import annotations

from sqlalchemy import Connection, text

from ..domain.ids import EPOCH_MS, NODE_BITS, SEQ_BITS
from ..shared.security_sql import PIN
from .rows import SYNCED

_ID_SHIFT = NODE_BITS + SEQ_BITS  # an id's time part (domain/ids.py)

# For the security part (docs/shared-mode.md): what each of our tables is.
MEMBER_READ = {  # members of the project read these rows; only our functions write them
    "sync_feed": "project_id",
    "sync_project_version": "project_id",
    "scene_history": "project_id",
}
OWN_ROWS = {"sync_client": "user_id", "sync_mutation": "user_id"}  # a person's own rows
DEFINER_WRITES = (  # written by our SECURITY DEFINER functions
    "sync_feed", "sync_project_version", "scene_history", "sync_field_stamp", "sync_server",
    "sync_mutation",  # storyclip_sync_prune
)


def _version_into_v(project: str) -> str:
    """PL/pgSQL: v := the project's version for the calling transaction (needs `me`,
    its xid). The first call bumps it and holds the row lock until commit; later calls
    in the same transaction reuse it."""
    return f"""SELECT version INTO v FROM public.sync_project_version WHERE project_id = {project} AND xid = me;
    IF NOT FOUND THEN
        INSERT INTO public.sync_project_version AS s (project_id, version, xid) VALUES ({project}, 1, me)
        ON CONFLICT (project_id) DO UPDATE SET version = s.version + 1, xid = me
        RETURNING version INTO v;
    END IF;"""

TABLES_SQL = """
CREATE TABLE IF NOT EXISTS sync_server (
    id text PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO sync_server (id)
SELECT gen_random_uuid()::text WHERE NOT EXISTS (SELECT 1 FROM sync_server);

-- One row per project ever written. Every writing transaction bumps it first (and
-- holds its row lock to commit), so versions of a project follow commit order.
CREATE TABLE IF NOT EXISTS sync_project_version (
    project_id bigint PRIMARY KEY,
    version bigint NOT NULL,
    xid xid8,
    purged_through bigint NOT NULL DEFAULT 0
);

-- The latest state of every synced row (data NULL and op 'd' for a tombstone), tagged
-- with the project version that wrote it last: a pull reads version > cursor.
CREATE TABLE IF NOT EXISTS sync_feed (
    tbl text NOT NULL,
    row_id bigint NOT NULL,
    project_id bigint NOT NULL,
    version bigint NOT NULL,
    op char(1) NOT NULL,
    data jsonb,
    PRIMARY KEY (tbl, row_id)
);
CREATE INDEX IF NOT EXISTS ix_sync_feed_project_version ON sync_feed (project_id, version);

CREATE TABLE IF NOT EXISTS sync_client (
    client_id text PRIMARY KEY,
    user_id bigint NOT NULL,
    last_mutation_id bigint,
    last_seen timestamptz NOT NULL DEFAULT now()
);

-- Exactly once: a change is claimed here in the transaction that applies it.
CREATE TABLE IF NOT EXISTS sync_mutation (
    client_id text NOT NULL,
    mutation_id bigint NOT NULL,
    user_id bigint NOT NULL,
    project_id bigint,
    kind text NOT NULL,
    outcome text NOT NULL,
    message text,
    result jsonb,
    applied_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (client_id, mutation_id)
);
CREATE INDEX IF NOT EXISTS ix_sync_mutation_user_id ON sync_mutation (user_id);

-- When each scene field was last written through sync (a change id: time-ordered).
CREATE TABLE IF NOT EXISTS sync_field_stamp (
    scene_pk bigint NOT NULL REFERENCES scene(id) ON DELETE CASCADE,
    field text NOT NULL,
    stamp bigint NOT NULL,
    PRIMARY KEY (scene_pk, field)
);
"""

# A check that asks the security part when it is installed and allows all without it.
_ASK = f"""
CREATE OR REPLACE FUNCTION {{name}}(p bigint) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER {PIN} AS $$
DECLARE ok boolean;
BEGIN
    IF to_regprocedure('public.{{security}}(bigint)') IS NULL THEN
        RETURN true;
    END IF;
    EXECUTE 'SELECT public.{{security}}($1)' INTO ok USING p;
    RETURN coalesce(ok, false);
END $$;
"""

FUNCTIONS_SQL = f"""
-- May the caller write project p? With the security part installed, membership says
-- (its functions decide roles; RLS and the scene guard narrow further). Without it (a
-- development database with no people) anyone connected may.
{_ASK.format(name="storyclip_sync_may", security="storyclip_is_member")}
-- May the caller change what project p holds (text, scenes, order, versions)? An owner
-- or editor with the security part; anyone without it. A reviewer passes
-- storyclip_sync_may (they confirm and reject) but not this.
{_ASK.format(name="storyclip_sync_may_edit", security="storyclip_is_editor")}
-- The caller's person id with the security part (NULL without it: a development
-- database has no logins to tell people apart).
CREATE OR REPLACE FUNCTION storyclip_sync_me() RETURNS bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER {PIN} AS $$
DECLARE me bigint;
BEGIN
    IF to_regprocedure('public.storyclip_current_user_id()') IS NOT NULL THEN
        EXECUTE 'SELECT public.storyclip_current_user_id()' INTO me;
    END IF;
    RETURN me;
END $$;

-- Forget the answers a client has acknowledged (clients may not DELETE the log).
CREATE OR REPLACE FUNCTION storyclip_sync_prune(p_client text, p_before bigint) RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER {PIN} AS $$
DECLARE
    me bigint;
    n integer;
BEGIN
    IF to_regprocedure('public.storyclip_current_user_id()') IS NOT NULL THEN
        EXECUTE 'SELECT public.storyclip_current_user_id()' INTO me;
    END IF;
    DELETE FROM public.sync_mutation
    WHERE client_id = p_client AND mutation_id < p_before AND (me IS NULL OR user_id = me);
    GET DIAGNOSTICS n = ROW_COUNT;
    RETURN n;
END $$;

CREATE OR REPLACE FUNCTION storyclip_sync_server_id() RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER {PIN} AS $$
    SELECT id FROM public.sync_server LIMIT 1
$$;

-- The version of project p for the calling transaction: the first call bumps it (and
-- takes the row lock until commit), later calls in the same transaction reuse it.
CREATE OR REPLACE FUNCTION storyclip_sync_bump(p bigint) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER {PIN} AS $$
DECLARE
    me xid8 := pg_current_xact_id();
    v bigint;
BEGIN
    IF NOT public.storyclip_sync_may(p) THEN
        RAISE EXCEPTION 'project % is not shared with you', p USING ERRCODE = 'insufficient_privilege';
    END IF;
    {_version_into_v("p")}
    RETURN v;
END $$;

-- Row trigger on every synced table: record the row's latest state (or tombstone)
-- under the project's version for this transaction.
CREATE OR REPLACE FUNCTION storyclip_sync_feed() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER {PIN} AS $$
DECLARE
    me xid8 := pg_current_xact_id();
    rid bigint;
    pid bigint;
    v bigint;
    body jsonb;
    kind char(1);
BEGIN
    IF TG_OP = 'DELETE' THEN
        rid := OLD.id; body := NULL; kind := 'd';
    ELSE
        rid := NEW.id; body := to_jsonb(NEW); kind := 'u';
    END IF;
    IF TG_TABLE_NAME = 'project' THEN
        pid := rid;
    ELSIF TG_TABLE_NAME = 'scene_review' THEN
        IF TG_OP = 'DELETE' THEN
            -- A review has no project column, and its scene may be gone already.
            SELECT project_id INTO pid FROM public.sync_feed WHERE tbl = TG_TABLE_NAME AND row_id = rid;
        ELSE
            SELECT project_id INTO pid FROM public.scene WHERE id = NEW.scene_pk;
        END IF;
    ELSIF TG_OP = 'DELETE' THEN
        pid := OLD.project_id;
    ELSE
        pid := NEW.project_id;
    END IF;
    IF pid IS NULL THEN
        RETURN NULL;
    END IF;
    {_version_into_v("pid")}
    INSERT INTO public.sync_feed AS f (tbl, row_id, project_id, version, op, data)
    VALUES (TG_TABLE_NAME, rid, pid, v, kind, body)
    ON CONFLICT (tbl, row_id) DO UPDATE
        SET project_id = EXCLUDED.project_id, version = EXCLUDED.version,
            op = EXCLUDED.op, data = EXCLUDED.data;
    RETURN NULL;
END $$;

-- Same-field conflicts: remember the newest change id that wrote a scene field and
-- return the one before, so the caller can tell whether its write is the later one.
CREATE OR REPLACE FUNCTION storyclip_sync_stamp(p_scene_pk bigint, p_field text, p_stamp bigint)
RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER {PIN} AS $$
DECLARE
    pid bigint;
    prev bigint;
BEGIN
    SELECT project_id INTO pid FROM public.scene WHERE id = p_scene_pk;
    IF pid IS NULL OR NOT public.storyclip_sync_may(pid) THEN
        RAISE EXCEPTION 'scene % is not shared with you', p_scene_pk USING ERRCODE = 'insufficient_privilege';
    END IF;
    -- A stamp decides later same-field conflicts: only someone who may write the field
    -- may move it (and not into the future beyond clock skew: ids encode their time).
    IF NOT public.storyclip_sync_may_edit(pid) THEN
        RAISE EXCEPTION 'only an owner or editor of project % may change scene text', pid
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF p_stamp IS NULL OR (p_stamp >> {_ID_SHIFT}) + {EPOCH_MS}
            > (extract(epoch FROM clock_timestamp()) * 1000)::bigint + 600000 THEN
        RAISE EXCEPTION 'a field stamp must be a change id of now or earlier'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT stamp INTO prev FROM public.sync_field_stamp
    WHERE scene_pk = p_scene_pk AND field = p_field FOR UPDATE;
    INSERT INTO public.sync_field_stamp AS f (scene_pk, field, stamp) VALUES (p_scene_pk, p_field, p_stamp)
    ON CONFLICT (scene_pk, field) DO UPDATE SET stamp = greatest(f.stamp, EXCLUDED.stamp);
    RETURN prev;
END $$;

-- Keep the text that lost a same-field conflict; the feed brings it to every replica.
CREATE OR REPLACE FUNCTION storyclip_sync_keep(
    p_id bigint, p_scene_pk bigint, p_field text, p_value text, p_winner text,
    p_user_id bigint, p_change_id bigint
) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER {PIN} AS $$
DECLARE sc record;
BEGIN
    SELECT project_id, scene_id INTO sc FROM public.scene WHERE id = p_scene_pk;
    IF sc.project_id IS NULL OR NOT public.storyclip_sync_may(sc.project_id) THEN
        RAISE EXCEPTION 'scene % is not shared with you', p_scene_pk USING ERRCODE = 'insufficient_privilege';
    END IF;
    -- History is text an editor can restore: only someone who may write the scene's
    -- text may add to it, and only under their own name (or none: the overwritten
    -- text of an unknown author).
    IF NOT public.storyclip_sync_may_edit(sc.project_id) THEN
        RAISE EXCEPTION 'only an owner or editor of project % may keep scene text', sc.project_id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF p_user_id IS NOT NULL AND public.storyclip_sync_me() IS NOT NULL
       AND p_user_id <> public.storyclip_sync_me() THEN
        RAISE EXCEPTION 'a history entry may name only its own author' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF length(p_field) > 40 OR length(p_value) > 20000 OR length(p_winner) > 20000 THEN
        RAISE EXCEPTION 'history entry too large' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO public.scene_history (id, project_id, scene_pk, scene_id, field, value, winner, user_id, change_id)
    VALUES (p_id, sc.project_id, p_scene_pk, sc.scene_id, p_field, p_value, p_winner, p_user_id, p_change_id);
END $$;
"""

CHECKSUM_SQL = (
    "SELECT project_id, count(*), coalesce(sum((row_id % 1000000007) * 31 + version * 7 + length(tbl)), 0) "
    "FROM sync_feed WHERE op <> 'd' AND project_id = ANY(:pids) GROUP BY project_id"
)


def install(conn: Connection) -> None:
    """Create or update the sync objects, then feed the rows that already exist (a store
    used directly before sync was installed) at version 1 of their project."""
    _run(conn, TABLES_SQL)
    _run(conn, FUNCTIONS_SQL)
    for t in SYNCED:
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS storyclip_sync_feed ON {t}")
        conn.exec_driver_sql(
            f"CREATE TRIGGER storyclip_sync_feed AFTER INSERT OR UPDATE OR DELETE ON {t} "
            "FOR EACH ROW EXECUTE FUNCTION storyclip_sync_feed()"
        )
    _backfill(conn)


def _run(conn: Connection, sql: str) -> None:
    # Straight to the driver with no parameters, so the '%' of RAISE formats stays as is
    # (it runs in the caller's transaction: same connection).
    with conn.connection.driver_connection.cursor() as cur:
        cur.execute(sql)


def _backfill(conn: Connection) -> None:
    project_of = {
        "project": "x.id",
        "scene_review": "(SELECT s.project_id FROM scene s WHERE s.id = x.scene_pk)",
    }
    for t in SYNCED:
        pid = project_of.get(t, "x.project_id")
        conn.exec_driver_sql(
            f"INSERT INTO sync_feed (tbl, row_id, project_id, version, op, data) "
            f"SELECT '{t}', x.id, {pid}, 1, 'u', to_jsonb(x) FROM {t} x "
            "WHERE NOT EXISTS (SELECT 1 FROM sync_feed f "
            f"WHERE f.tbl = '{t}' AND f.row_id = x.id) AND {pid} IS NOT NULL"
        )
    conn.exec_driver_sql(
        "INSERT INTO sync_project_version (project_id, version) "
        "SELECT DISTINCT project_id, 1 FROM sync_feed ON CONFLICT DO NOTHING"
    )


def purge_tombstones(conn: Connection, keep_versions: int = 1000) -> int:
    """Drop tombstones more than `keep_versions` versions old (an admin task). A replica
    whose cursor is older than what was purged resyncs that project in full."""
    rows = conn.execute(
        text(
            "WITH gone AS (DELETE FROM sync_feed f USING sync_project_version p "
            "WHERE f.op = 'd' AND f.project_id = p.project_id AND f.version < p.version - :keep "
            "RETURNING f.project_id, f.version) "
            "UPDATE sync_project_version p SET purged_through = greatest(p.purged_through, g.v) "
            "FROM (SELECT project_id, max(version) AS v, count(*) AS n FROM gone GROUP BY project_id) g "
            "WHERE p.project_id = g.project_id RETURNING g.n"
        ),
        {"keep": keep_versions},
    ).all()
    return sum(r[0] for r in rows)
