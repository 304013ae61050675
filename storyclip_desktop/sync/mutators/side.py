"""Where a mutator runs. The server side draws version numbers from the team's counter
and decides same-field conflicts; the local side (replaying a still-pending change on
top of fresh server rows) makes provisional numbers and never judges conflicts."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.orm import Session

from ...domain.ids import IdGenerator
from ..changes import Change, Refused

REVIEW_KINDS = frozenset({"confirm_prompt", "confirm_image", "reject"})
NEW_PROJECT_KINDS = frozenset({"create_project", "duplicate_project"})

_DRAW_PG = text(
    "WITH m AS (SELECT coalesce(max(version), 0) AS top FROM asset "
    "WHERE parents_id = CAST(:p AS varchar) AND type = CAST(:t AS varchar)) "
    "INSERT INTO asset_version_counter AS c (parents_id, type, last_version) "
    "SELECT CAST(:p AS varchar), CAST(:t AS varchar), m.top + 1 FROM m "
    "ON CONFLICT (parents_id, type) DO UPDATE SET last_version = greatest(c.last_version, "
    "(SELECT top FROM m)) + 1 "
    "RETURNING last_version"
)
_DRAW_SQLITE = text(
    "INSERT INTO asset_version_counter (parents_id, type, last_version) "
    "VALUES (:p, :t, coalesce((SELECT max(version) FROM asset WHERE parents_id = :p AND type = :t), 0) + 1) "
    "ON CONFLICT (parents_id, type) DO UPDATE SET last_version = max(last_version, "
    "coalesce((SELECT max(version) FROM asset WHERE parents_id = :p AND type = :t), 0)) + 1 "
    "RETURNING last_version"
)


class LocalSide:
    server = False

    def __init__(self, ids: IdGenerator, user_id: int) -> None:
        self.ids = ids
        self.user_id = user_id

    def new_id(self) -> int:
        return self.ids.next_id()

    def next_version(self, s: Session, parents: str, type_: str) -> int:
        # Provisional: above everything this replica has seen; the server renumbers.
        return s.execute(_DRAW_SQLITE, {"p": parents, "t": type_}).scalar_one()

    def require_right(self, s: Session, ch: object) -> None:
        return None  # replaying one's own change locally: the server judged it

    def field_stamp(self, s: Session, scene_pk: int, field: str, stamp: int) -> int | None:
        return None

    def keep_history(self, s: Session, **row: object) -> None:
        return None


class ServerSide:
    server = True

    def __init__(self, ids: IdGenerator, user_id: int, *, draw_function: bool) -> None:
        self.ids = ids
        self.user_id = user_id
        # With the security part installed, numbers come from its SECURITY DEFINER
        # function (clients may not write the counter, and asset rows must carry an
        # issued number); a development database without it uses the same upsert.
        self.draw_function = draw_function
        self._may_edit: dict[int, bool] = {}

    def new_id(self) -> int:
        return self.ids.next_id()

    def next_version(self, s: Session, parents: str, type_: str) -> int:
        if self.draw_function:
            return s.execute(
                text("SELECT storyclip_next_asset_version(:p, :t)"), {"p": parents, "t": type_}
            ).scalar_one()
        return s.execute(_DRAW_PG, {"p": parents, "t": type_}).scalar_one()

    def require_right(self, s: Session, ch: Change) -> None:
        """Before anything is written (stamps, history, versions, rows): may the caller
        make this change at all? Whether it would win or lose a conflict does not
        matter. Row-level security and the scene guard check again on the rows."""
        if ch.kind in REVIEW_KINDS or ch.kind in NEW_PROJECT_KINDS:
            return  # every member reviews; a new project is the caller's own
        # Asked once per project and push: the functions that write stamps and history
        # check again themselves, and RLS and the scene guard check every row.
        may = self._may_edit.get(ch.project_id)
        if may is None:
            may = bool(s.execute(text("SELECT storyclip_sync_may_edit(:p)"), {"p": ch.project_id}).scalar())
            self._may_edit[ch.project_id] = may
        if not may:
            what = ch.kind.replace("_", " ")
            label = ch.payload.get("scene_id") if isinstance(ch.payload, dict) else None
            raise Refused(
                "the team server does not allow this change: you review this project and may only "
                f"confirm or reject its scenes; your {what}{f' of {label}' if label else ''} was not applied"
            )

    def field_stamp(self, s: Session, scene_pk: int, field: str, stamp: int) -> int | None:
        return s.execute(
            text("SELECT storyclip_sync_stamp(:s, :f, :st)"), {"s": scene_pk, "f": field, "st": stamp}
        ).scalar()

    def keep_history(
        self, s: Session, *, scene_pk: int, field: str, value: object, winner: object,
        user_id: int | None, change_id: int,
    ) -> None:
        s.execute(
            text("SELECT storyclip_sync_keep(:id, :s, :f, :v, :w, :u, :c)"),
            {
                "id": self.new_id(), "s": scene_pk, "f": field, "v": as_text(value),
                "w": as_text(winner), "u": user_id, "c": change_id,
            },
        )


Side = LocalSide | ServerSide


def as_text(value: object) -> str | None:
    """History keeps text; a non-text field value (a duration) is kept as its JSON."""
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def epoch_ms(dt: datetime | None) -> int:
    if dt is None:
        return 0
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return int(dt.timestamp() * 1000)
