"""Checks the invariants the whole design rests on, from the catalogs, after every install
and add-user: a list of plain sentences, empty when all is well."""

from __future__ import annotations

from psycopg import Connection

from .roles import DEFINER, MEMBER, OWNER
from .security import PLAIN_READ

# Every role that is, directly or through other roles, a member of storyclip_member, plus
# every role mapped to a person. pg_has_role is no use here: it says yes for superusers.
_CLIENTS = f"""
WITH RECURSIVE members(oid) AS (
    SELECT m.member FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
    WHERE g.rolname = '{MEMBER}'
  UNION
    SELECT m.member FROM pg_auth_members m JOIN members s ON s.oid = m.roleid
)
SELECT r.oid, r.rolname, r.rolsuper, r.rolbypassrls FROM pg_roles r
WHERE r.oid IN (SELECT oid FROM members)
   OR r.rolname IN (SELECT role_name FROM public.users_role)
"""

# The roles a client must never be able to act as, directly or through a chain.
_HOLDS = f"""
WITH RECURSIVE up(oid) AS (
    SELECT %s::oid
  UNION
    SELECT m.roleid FROM pg_auth_members m JOIN up ON up.oid = m.member
)
SELECT r.rolname FROM pg_roles r JOIN up ON up.oid = r.oid
WHERE r.rolname IN ('{OWNER}', '{DEFINER}')
"""


def problems(conn: Connection) -> list[str]:
    found: list[str] = []
    with conn.cursor() as cur:
        cur.execute(_CLIENTS)
        for oid, name, is_super, bypass in cur.fetchall():
            if is_super:
                found.append(f"client role {name} is a superuser")
            if bypass:
                found.append(f"client role {name} has BYPASSRLS")
            cur.execute(_HOLDS, (oid,))
            for (held,) in cur.fetchall():
                found.append(f"client role {name} can act as {held}")
            cur.execute(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public' AND c.relowner = %s",
                (oid,),
            )
            found += [f"client role {name} owns {t}" for (t,) in cur.fetchall()]

        cur.execute(
            "SELECT c.relname, pg_get_userbyid(c.relowner), c.relrowsecurity, c.relforcerowsecurity "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')"
        )
        for table, owner, rls, forced in cur.fetchall():
            if owner != OWNER:
                found.append(f"table {table} is owned by {owner}, not {OWNER}")
            if table not in PLAIN_READ and not (rls and forced):
                found.append(f"table {table} lacks ENABLE and FORCE ROW LEVEL SECURITY")

        cur.execute(
            "SELECT p.oid::regprocedure::text, pg_get_userbyid(p.proowner), p.proconfig "
            "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
            "WHERE n.nspname = 'public' AND p.prosecdef"
        )
        for fn, owner, config in cur.fetchall():
            if owner != DEFINER:
                found.append(f"SECURITY DEFINER function {fn} is owned by {owner}")
            if not any(c.startswith("search_path=") for c in config or ()):
                found.append(f"SECURITY DEFINER function {fn} has no pinned search_path")

        cur.execute("SELECT has_schema_privilege('public', 'public', 'CREATE')")
        if cur.fetchone()[0]:
            found.append("PUBLIC may create objects in schema public")
    return found
