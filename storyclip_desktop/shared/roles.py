"""PostgreSQL role names. Group roles are fixed; a person's LOGIN role is derived from
their email so every installation finds it without a lookup."""

from __future__ import annotations

import hashlib

from ..domain import validation as v

# No client ever has these two: the owner only owns tables (DDL), the definer only owns
# the SECURITY DEFINER functions and holds the table rights those functions need.
OWNER = "storyclip_owner"
DEFINER = "storyclip_definer"
# People get every privilege through this group, never directly.
MEMBER = "storyclip_member"

GROUP_ROLES = (OWNER, DEFINER, MEMBER)
PERSON_PREFIX = "sc_u_"


def normalize_email(email: str) -> str:
    return v.email(email.strip()).lower()


def role_name_for(email: str) -> str:
    """A hash rather than the email itself: role names are visible to every connected
    role in pg_roles, and the email is a person's data. 24 hex characters keep well
    inside the 63-byte name limit and only ever contain [a-z0-9_]."""
    digest = hashlib.sha256(normalize_email(email).encode("utf-8")).hexdigest()
    return PERSON_PREFIX + digest[:24]
