"""The DDL of shared mode's security: group roles, the two security tables, and the
SECURITY DEFINER functions. Policies and grants are generated in security.py from one
table of rules.

Every function identifies the caller by `session_user`, which a client cannot change
(SET ROLE changes current_user only; SET SESSION AUTHORIZATION needs a superuser), and
never by a setting such as current_setting('app.user_id'), which any client can SET.
Every SECURITY DEFINER function pins search_path with pg_temp last, so a caller's
temporary objects can never shadow the tables it reads.
"""

from __future__ import annotations

import re

from ..domain.catalog import ASSET_TYPES, TOKEN_TYPES
from ..domain.status import SceneAction, allowed_from, next_status
from ..services.errors import QUOTA_SQLSTATE
from .roles import DEFINER, MEMBER, OWNER

PIN = "SET search_path = pg_catalog, public, pg_temp"

# A reviewer may make exactly the status changes of confirm and reject, nothing else.
REVIEW_ACTIONS = (SceneAction.CONFIRM_PROMPT, SceneAction.CONFIRM_IMAGE, SceneAction.REJECT)

# Scene columns a reviewer's UPDATE may change (updated_at is stamped by a trigger).
REVIEWER_SCENE_COLUMNS = ("status", "updated_at")


_WORD = re.compile(r"^[a-z0-9_]+$")


def _lit(value: str) -> str:
    # Only ever applied to our own constants; the check keeps quoting trivially right.
    if not _WORD.match(value):
        raise ValueError(f"not a plain word: {value!r}")
    return f"'{value}'"


def _lits(values: tuple[str, ...] | list[str]) -> str:
    return ", ".join(_lit(x) for x in values)


def _require_known(param: str, values: tuple[str, ...], what: str) -> str:
    """PL/pgSQL refusing an argument that is not one of our own `values`."""
    return f"""IF {param} IS NULL OR {param} NOT IN ({_lits(values)}) THEN
        RAISE EXCEPTION 'unknown {what} %', {param} USING ERRCODE = 'invalid_parameter_value';
    END IF;"""


def reviewer_transitions() -> list[tuple[str, str]]:
    return [
        (s.value, next_status(s, a).value) for a in REVIEW_ACTIONS for s in allowed_from(a)
    ]


ROLES_SQL = f"""
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{OWNER}') THEN
        CREATE ROLE {OWNER} NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{DEFINER}') THEN
        CREATE ROLE {DEFINER} NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{MEMBER}') THEN
        CREATE ROLE {MEMBER} NOLOGIN;
    END IF;
END $$;
-- Roles are cluster-wide and may predate us: force the attributes every time.
ALTER ROLE {OWNER} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
ALTER ROLE {DEFINER} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
ALTER ROLE {MEMBER} NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
"""

TABLES_SQL = """
CREATE TABLE IF NOT EXISTS users_role (
    user_id bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    role_name name NOT NULL UNIQUE,
    is_admin boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS project_member (
    project_id bigint NOT NULL REFERENCES project(id) ON DELETE CASCADE,
    user_id bigint NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    role text NOT NULL CHECK (role IN ('owner', 'editor', 'reviewer')),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (project_id, user_id)
);
CREATE INDEX IF NOT EXISTS ix_project_member_user_id ON project_member (user_id);
CREATE UNIQUE INDEX IF NOT EXISTS uq_project_member_one_owner
    ON project_member (project_id) WHERE role = 'owner';
-- Ids made on the server (reservations, token rows) come from here: small numbers that
-- can never meet the time-based ids clients make (domain/ids.py starts at 2**22).
CREATE SEQUENCE IF NOT EXISTS storyclip_server_id_seq;
-- Projects that existed before init-shared (or were published by a superuser) keep an
-- owner row, so membership alone answers "who may see this".
INSERT INTO project_member (project_id, user_id, role)
SELECT id, user_id, 'owner' FROM project
ON CONFLICT DO NOTHING;
"""


def functions_sql() -> str:
    transitions = ", ".join(f"({_lit(a)}, {_lit(b)})" for a, b in reviewer_transitions())
    reviewer_cols = "ARRAY[" + _lits(REVIEWER_SCENE_COLUMNS) + "]"
    return f"""
-- ---- who is calling -----------------------------------------------------------------

CREATE OR REPLACE FUNCTION storyclip_current_user_id() RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER {PIN} AS $$
    SELECT user_id FROM public.users_role WHERE role_name = session_user
$$;

CREATE OR REPLACE FUNCTION storyclip_require_user() RETURNS bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER {PIN} AS $$
DECLARE me bigint := public.storyclip_current_user_id();
BEGIN
    IF me IS NULL THEN
        RAISE EXCEPTION 'this database role is not a StoryClip person'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN me;
END $$;

-- Admins: a person flagged in users_role, or a superuser session (the CLI's admin URL).
CREATE OR REPLACE FUNCTION storyclip_is_admin() RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER {PIN} AS $$
    SELECT EXISTS (SELECT 1 FROM public.users_role WHERE role_name = session_user AND is_admin)
        OR EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = session_user AND rolsuper)
$$;

-- 'owner', 'editor', 'reviewer' or NULL. Ownership comes from project.user_id itself,
-- so a missing member row can never lock an owner out.
CREATE OR REPLACE FUNCTION storyclip_project_role(p_project_id bigint) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER {PIN} AS $$
    SELECT CASE WHEN p.user_id = me.id THEN 'owner' ELSE m.role END
    FROM (SELECT public.storyclip_current_user_id() AS id) me
    JOIN public.project p ON p.id = p_project_id
    LEFT JOIN public.project_member m ON m.project_id = p.id AND m.user_id = me.id
    WHERE me.id IS NOT NULL
$$;

CREATE OR REPLACE FUNCTION storyclip_is_member(p_project_id bigint) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER {PIN} AS $$
    SELECT public.storyclip_project_role(p_project_id) IS NOT NULL
$$;

CREATE OR REPLACE FUNCTION storyclip_is_editor(p_project_id bigint) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER {PIN} AS $$
    SELECT coalesce(public.storyclip_project_role(p_project_id) IN ('owner', 'editor'), false)
$$;

-- ---- tokens -------------------------------------------------------------------------

-- Reservations are per project: only its owner or an editor may spend on it, so a
-- reviewer never spends. One conditional UPDATE under READ COMMITTED: a concurrent
-- reservation waits, re-reads the committed row and is refused if it would overspend;
-- the CHECK (usage <= "limit") on token backs it up. The ledger row, keyed by the
-- request key, makes a retried reservation count once.
CREATE OR REPLACE FUNCTION storyclip_reserve_tokens(
    p_project_id bigint, p_type text, p_amount integer, p_request_key text
) RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER {PIN} AS $$
DECLARE
    me bigint := public.storyclip_require_user();
    tid bigint;
    prev record;
    cur record;
BEGIN
    IF NOT public.storyclip_is_editor(p_project_id) THEN
        RAISE EXCEPTION 'only an owner or editor of project % may spend tokens on it', p_project_id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    {_require_known("p_type", TOKEN_TYPES, "token type")}
    IF p_amount IS NULL OR p_amount <= 0 THEN
        RAISE EXCEPTION 'amount must be positive' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_request_key IS NULL OR length(p_request_key) NOT BETWEEN 1 AND 80 THEN
        RAISE EXCEPTION 'request key must be 1..80 characters' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT id INTO tid FROM public.token WHERE user_id = me AND type = p_type;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no % token limit is set for this user', p_type USING ERRCODE = 'no_data_found';
    END IF;
    INSERT INTO public.token_reservation (id, token_id, request_key, amount, state)
    VALUES (nextval('public.storyclip_server_id_seq'), tid, p_request_key, p_amount, 'reserved')
    ON CONFLICT ON CONSTRAINT uq_token_reservation_request_key DO NOTHING;
    IF NOT FOUND THEN
        SELECT token_id, amount, state INTO prev
        FROM public.token_reservation WHERE request_key = p_request_key;
        IF prev.token_id <> tid OR prev.amount <> p_amount THEN
            RAISE EXCEPTION 'request key is already used for another reservation'
                USING ERRCODE = 'unique_violation';
        END IF;
        RETURN prev.state;
    END IF;
    UPDATE public.token SET usage = usage + p_amount
    WHERE id = tid AND usage + p_amount <= "limit";
    IF NOT FOUND THEN
        SELECT usage, "limit" INTO cur FROM public.token WHERE id = tid;
        -- Raising undoes the ledger row above with the rest of the statement.
        RAISE EXCEPTION 'the % token limit would be exceeded', p_type
            USING ERRCODE = '{QUOTA_SQLSTATE}',
                  DETAIL = format('needed=%s usage=%s limit=%s', p_amount, cur.usage, cur."limit");
    END IF;
    RETURN 'reserved';
END $$;

-- Settle at what the API reported ('committed') or give it all back ('refunded').
-- Usage above the reservation is charged up to the limit: the money is spent, the
-- limit holds. Someone else's request key reads as unknown, so nothing leaks.
CREATE OR REPLACE FUNCTION storyclip_settle_tokens(
    p_request_key text, p_actual integer, p_state text
) RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER {PIN} AS $$
DECLARE
    me bigint := public.storyclip_require_user();
    res record;
    v_charged integer;
BEGIN
    IF p_state IS NULL OR p_state NOT IN ('committed', 'refunded') THEN
        RAISE EXCEPTION 'state must be committed or refunded' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF p_state = 'committed' AND (p_actual IS NULL OR p_actual < 0) THEN
        RAISE EXCEPTION 'actual usage must not be negative' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    v_charged := CASE WHEN p_state = 'committed' THEN p_actual ELSE 0 END;
    SELECT r.id, r.token_id, r.amount, r.state INTO res
    FROM public.token_reservation r JOIN public.token t ON t.id = r.token_id
    WHERE r.request_key = p_request_key AND t.user_id = me
    FOR UPDATE OF r;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no reservation with that request key' USING ERRCODE = 'no_data_found';
    END IF;
    IF res.state <> 'reserved' THEN
        IF res.state = p_state THEN
            RETURN res.state;
        END IF;
        RAISE EXCEPTION 'the reservation was already %', res.state USING ERRCODE = 'invalid_parameter_value';
    END IF;
    UPDATE public.token_reservation SET state = p_state, charged = v_charged WHERE id = res.id;
    UPDATE public.token
    SET usage = least("limit", greatest(0, usage + v_charged - res.amount))
    WHERE id = res.token_id;
    RETURN p_state;
END $$;

CREATE OR REPLACE FUNCTION storyclip_set_limit(p_email text, p_type text, p_limit integer)
RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER {PIN} AS $$
DECLARE
    target bigint;
    cur record;
BEGIN
    IF NOT public.storyclip_is_admin() THEN
        RAISE EXCEPTION 'only an admin may set token limits' USING ERRCODE = 'insufficient_privilege';
    END IF;
    {_require_known("p_type", TOKEN_TYPES, "token type")}
    IF p_limit IS NULL OR p_limit < 0 THEN
        RAISE EXCEPTION 'limit must not be negative' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    SELECT id INTO target FROM public.users WHERE lower(email) = lower(p_email) ORDER BY id LIMIT 1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no StoryClip person with that email' USING ERRCODE = 'no_data_found';
    END IF;
    SELECT id, usage INTO cur FROM public.token WHERE user_id = target AND type = p_type FOR UPDATE;
    IF NOT FOUND THEN
        INSERT INTO public.token (id, user_id, type, usage, "limit")
        VALUES (nextval('public.storyclip_server_id_seq'), target, p_type, 0, p_limit);
    ELSIF cur.usage > p_limit THEN
        RAISE EXCEPTION 'limit is below what was already used (%)', cur.usage
            USING ERRCODE = 'invalid_parameter_value';
    ELSE
        UPDATE public.token SET "limit" = p_limit WHERE id = cur.id;
    END IF;
    RETURN p_limit;
END $$;

-- What an admin is shown after setting someone's limit: token rows are own-only under
-- RLS, so the usage of another person is read here, for admins only.
CREATE OR REPLACE FUNCTION storyclip_token_usage(p_email text, p_type text) RETURNS integer
LANGUAGE plpgsql STABLE SECURITY DEFINER {PIN} AS $$
DECLARE
    target bigint;
    u integer;
BEGIN
    IF NOT public.storyclip_is_admin() THEN
        RAISE EXCEPTION 'only an admin may read the token usage of others'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT id INTO target FROM public.users WHERE lower(email) = lower(p_email) ORDER BY id LIMIT 1;
    SELECT usage INTO u FROM public.token WHERE user_id = target AND type = p_type;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no % token limit is set for that person', p_type USING ERRCODE = 'no_data_found';
    END IF;
    RETURN u;
END $$;

-- ---- asset versions -----------------------------------------------------------------

-- parents_id is "<project_id>-S<n>", "<project_id>-narration", or for reference images
-- "<project_id>-C<n>" (a character) or "<project_id>-style" (domain/naming.py); the
-- project part says whose counter this is, and only its owner or an editor draws on it.
CREATE OR REPLACE FUNCTION storyclip_parents_project(p_parents_id text) RETURNS bigint
LANGUAGE plpgsql IMMUTABLE {PIN} AS $$
BEGIN
    IF p_parents_id IS NULL OR p_parents_id !~ '^[0-9]{{1,19}}-([SC][0-9]{{1,9}}|narration|style)$' THEN
        RETURN NULL;
    END IF;
    RETURN split_part(p_parents_id, '-', 1)::numeric::bigint;
EXCEPTION WHEN numeric_value_out_of_range THEN
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION storyclip_next_asset_version(p_parents_id text, p_type text)
RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER {PIN} AS $$
DECLARE
    pid bigint := public.storyclip_parents_project(p_parents_id);
    v integer;
BEGIN
    PERFORM public.storyclip_require_user();
    IF pid IS NULL THEN
        RAISE EXCEPTION 'not a parents id' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT public.storyclip_is_editor(pid) THEN
        RAISE EXCEPTION 'only an owner or editor of project % may add versions', pid
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    {_require_known("p_type", ASSET_TYPES, "asset type")}
    INSERT INTO public.asset_version_counter AS c (parents_id, type, last_version)
    VALUES (p_parents_id, p_type, 1)
    ON CONFLICT (parents_id, type) DO UPDATE SET last_version = c.last_version + 1
    RETURNING c.last_version INTO v;
    RETURN v;
END $$;

-- Used by asset's INSERT policy: a version number must have been handed out by the
-- counter, so nobody can plant v1000 and make every later draw collide.
CREATE OR REPLACE FUNCTION storyclip_version_issued(p_parents_id text, p_type text, p_version integer)
RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER {PIN} AS $$
    SELECT p_version >= 1 AND EXISTS (
        SELECT 1 FROM public.asset_version_counter
        WHERE parents_id = p_parents_id AND type = p_type AND last_version >= p_version)
$$;

-- ---- membership ---------------------------------------------------------------------

CREATE OR REPLACE FUNCTION storyclip_share_target(p_project_id bigint, p_email text)
RETURNS bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER {PIN} AS $$
DECLARE
    owner_id bigint;
    target bigint;
BEGIN
    SELECT user_id INTO owner_id FROM public.project WHERE id = p_project_id;
    -- The same answer for "no such project" and "not yours", so nothing leaks.
    IF owner_id IS NULL OR (owner_id IS DISTINCT FROM public.storyclip_current_user_id()
                            AND NOT public.storyclip_is_admin()) THEN
        RAISE EXCEPTION 'only the owner of project % (or an admin) may change who it is shared with',
            p_project_id USING ERRCODE = 'insufficient_privilege';
    END IF;
    SELECT u.id INTO target
    FROM public.users u JOIN public.users_role r ON r.user_id = u.id
    WHERE lower(u.email) = lower(p_email);
    IF target IS NULL THEN
        RAISE EXCEPTION 'no StoryClip person with that email' USING ERRCODE = 'no_data_found';
    END IF;
    IF target = owner_id THEN
        RAISE EXCEPTION 'that person owns the project' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN target;
END $$;

CREATE OR REPLACE FUNCTION storyclip_share_project(p_project_id bigint, p_email text, p_role text)
RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER {PIN} AS $$
DECLARE target bigint;
BEGIN
    IF p_role IS NULL OR p_role NOT IN ('editor', 'reviewer') THEN
        RAISE EXCEPTION 'role must be editor or reviewer' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    target := public.storyclip_share_target(p_project_id, p_email);
    INSERT INTO public.project_member (project_id, user_id, role)
    VALUES (p_project_id, target, p_role)
    ON CONFLICT (project_id, user_id) DO UPDATE SET role = EXCLUDED.role;
    RETURN p_role;
END $$;

CREATE OR REPLACE FUNCTION storyclip_unshare_project(p_project_id bigint, p_email text)
RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER {PIN} AS $$
DECLARE target bigint := public.storyclip_share_target(p_project_id, p_email);
BEGIN
    DELETE FROM public.project_member
    WHERE project_id = p_project_id AND user_id = target AND role <> 'owner';
    RETURN FOUND;
END $$;

-- A new project's owner row, written with the definer's rights because no client may
-- write project_member directly.
CREATE OR REPLACE FUNCTION storyclip_project_owner_row() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER {PIN} AS $$
BEGIN
    INSERT INTO public.project_member (project_id, user_id, role)
    VALUES (NEW.id, NEW.user_id, 'owner')
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS storyclip_project_owner_row ON project;
CREATE TRIGGER storyclip_project_owner_row AFTER INSERT ON project
    FOR EACH ROW EXECUTE FUNCTION storyclip_project_owner_row();

-- ---- what a reviewer may change on a scene ------------------------------------------

-- Column privileges cannot tell an editor from a reviewer (both are {MEMBER}), so this
-- trigger does it per project: a non-editor may change only the status, and only along
-- a confirm or reject step of the state machine (domain/status.py).
CREATE OR REPLACE FUNCTION storyclip_scene_guard() RETURNS trigger
LANGUAGE plpgsql {PIN} AS $$
BEGIN
    -- Unmapped sessions only get here when they bypass row security (a superuser).
    IF public.storyclip_current_user_id() IS NULL
       OR public.storyclip_is_editor(OLD.project_id) THEN
        RETURN NEW;
    END IF;
    IF (to_jsonb(NEW) - {reviewer_cols}) IS DISTINCT FROM (to_jsonb(OLD) - {reviewer_cols}) THEN
        RAISE EXCEPTION 'a reviewer may change only the status of a scene'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.status IS DISTINCT FROM OLD.status
       AND (OLD.status::text, NEW.status::text) NOT IN (VALUES {transitions}) THEN
        RAISE EXCEPTION 'a reviewer may only confirm or reject (% to % is not a review step)',
            OLD.status, NEW.status USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END $$;

-- Named to sort before trg_scene_updated_at: BEFORE triggers fire in name order, and
-- the guard must see what the client sent.
DROP TRIGGER IF EXISTS storyclip_scene_guard ON scene;
CREATE TRIGGER storyclip_scene_guard BEFORE UPDATE ON scene
    FOR EACH ROW EXECUTE FUNCTION storyclip_scene_guard();
"""
