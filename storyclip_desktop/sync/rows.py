"""Rows as they travel: the feed carries each row as the server's JSON (`to_jsonb`);
these helpers turn that into column values for the local store and compare rows
without the timestamps, which each store stamps itself."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Connection, DateTime, Table, select

from ..store import characters_model  # noqa: F401  (registers project_character)
from ..store.models import Base
from . import tables  # noqa: F401  (registers scene_history on Base.metadata)

# Parents before children: inserts go in this order, deletes in reverse.
SYNCED = (
    "project", "video_preference", "scene", "project_character", "asset", "scene_review", "scene_history",
)
STAMPS = frozenset({"created_at", "updated_at"})


def table(name: str) -> Table:
    return Base.metadata.tables[name]


def _parse_time(value: object) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value  # type: ignore[return-value]
    dt = datetime.fromisoformat(str(value))
    # The local store keeps naive UTC (what SQLite's CURRENT_TIMESTAMP gives).
    return dt.astimezone(UTC).replace(tzinfo=None) if dt.tzinfo else dt


def to_columns(tbl: str, data: dict[str, Any]) -> dict[str, Any]:
    """Server JSON -> values for the local table (unknown keys are ignored, so a newer
    server with an extra column does not break an older installation)."""
    out: dict[str, Any] = {}
    for col in table(tbl).c:
        if col.name not in data:
            continue
        value = data[col.name]
        if isinstance(col.type, DateTime):
            value = _parse_time(value)
        elif isinstance(col.type, JSON) and isinstance(value, str):
            value = json.loads(value)
        out[col.name] = value
    return out


def canonical(tbl: str, values: dict[str, Any]) -> dict[str, Any]:
    """What must be equal for two copies of a row to count as the same."""
    cols = {c.name for c in table(tbl).c}
    out = {}
    for k, v in values.items():
        if k in STAMPS or k not in cols:
            continue
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        out[k] = v
    return out


def project_filter(tbl: str, project_id: int):  # noqa: ANN201
    """WHERE clause selecting one project's rows of a synced table."""
    t = table(tbl)
    if tbl == "project":
        return t.c.id == project_id
    if tbl == "scene_review":
        sc = table("scene")
        return t.c.scene_pk.in_(select(sc.c.id).where(sc.c.project_id == project_id))
    return t.c.project_id == project_id


def live_rows(conn: Connection, tbl: str, project_id: int) -> dict[int, dict[str, Any]]:
    t = table(tbl)
    rows = conn.execute(select(t).where(project_filter(tbl, project_id))).mappings()
    return {r["id"]: dict(r) for r in rows}


def live_rows_by_id(conn: Connection, tbl: str, ids: list[int]) -> dict[int, dict[str, Any]]:
    t = table(tbl)
    out: dict[int, dict[str, Any]] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        for r in conn.execute(select(t).where(t.c.id.in_(chunk))).mappings():
            out[r["id"]] = dict(r)
    return out


def checksum(rows: list[tuple[str, int, int]]) -> tuple[int, int]:
    """(count, sum) over (table, row id, feed version); the server computes the same in
    SQL (server_schema.CHECKSUM_SQL), so a row the feed never delivered shows up."""
    total = 0
    for tbl, row_id, version in rows:
        total += (row_id % 1_000_000_007) * 31 + version * 7 + len(tbl)
    return len(rows), total
