"""A queued change as the sync sees it, and the checks every change passes before it
is applied anywhere: known kind, payload of the right shape, not too large. A change
that fails is refused with a message, never retried and never allowed to block the
ones behind it."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..domain import validation as v
from ..domain.ids import MAX_ID

MAX_CHANGE_BYTES = 2 * 1024 * 1024  # a duplicated 1,000-scene project is ~0.3 MB


class BadChange(ValueError):
    """The change record itself is unusable (malformed, oversized, unknown kind)."""


class Refused(Exception):
    """The server will not apply this change; the message says why, for a person."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Change:
    id: int
    kind: str
    project_id: int
    payload: dict[str, Any]


@dataclass
class Outcome:
    """What happened to one change. `notice` tells the person something they should
    know about an applied change (their text lost a conflict, ...)."""

    change: Change
    applied: bool
    message: str | None = None
    result: dict[str, Any] = field(default_factory=dict)
    duplicate: bool = False  # the server had applied it already (a resend)

    @property
    def refused(self) -> bool:
        return not self.applied


# key -> (type, required). Types: id, int, str, label, dict, list, bool, any.
_OPT = False
_REQ = True
SCHEMAS: dict[str, dict[str, tuple[str, bool]]] = {
    "create_project": {"title": ("str", _REQ), "description": ("str", _OPT), "script": ("str", _OPT), "pref_id": ("id", _OPT)},
    "edit_project": {"fields": ("dict", _REQ)},
    "delete_project": {},
    "duplicate_project": {
        "source": ("id", _OPT), "title": ("str", _REQ), "description": ("str", _OPT), "script": ("str", _OPT),
        "pref_id": ("id", _OPT), "preferences": ("dict", _OPT), "scenes": ("list", _OPT),
    },
    "edit_preferences": {"fields": ("dict", _REQ)},
    "split_script": {"scenes": ("list", _REQ), "replace": ("bool", _OPT)},
    "add_scene": {
        "id": ("id", _REQ), "scene_id": ("label", _REQ), "after": ("label", _OPT), "after_pk": ("id", _OPT),
        "narration": ("str", _OPT),
    },
    "delete_scene": {"scene_id": ("label", _REQ), "scene_pk": ("id", _OPT)},
    "restore_scene": {
        "scene_pk": ("id", _REQ), "scene_id": ("label", _REQ), "status": ("str", _REQ), "scene_json": ("dict", _REQ),
        "image_version": ("int", _OPT), "clip_version": ("int", _OPT), "no_subject": ("bool", _OPT),
        "after_pk": ("id", _OPT), "reviews": ("list", _OPT),
    },
    "edit_scene": {
        "scene_id": ("label", _REQ), "fields": ("dict", _REQ), "no_subject": ("bool", _OPT), "scene_pk": ("id", _OPT),
        "before": ("dict", _OPT), "before_no_subject": ("bool", _OPT),
    },
    "replace_scene_json": {
        "scene_id": ("label", _REQ), "scene_json": ("dict", _REQ), "scene_pk": ("id", _OPT), "before": ("dict", _OPT),
    },
    "move_scenes": {
        "scene_ids": ("list", _REQ), "after": ("label", _OPT), "positions": ("dict", _OPT),
        "moving_pks": ("list", _OPT), "after_pk": ("id", _OPT), "restore": ("list", _OPT),
    },
    "add_asset_version": {
        "scene_id": ("label", _OPT), "type": ("str", _REQ), "version": ("int", _OPT), "storage_url": ("str", _REQ),
        "metadata": ("dict", _OPT), "make_current": ("bool", _OPT), "asset_id": ("id", _OPT), "scene_pk": ("id", _OPT),
    },
    "choose_version": {
        "scene_id": ("label", _OPT), "type": ("str", _REQ), "version": ("int", _REQ), "asset_id": ("id", _OPT),
        "scene_pk": ("id", _OPT),
    },
    "add_character": {"id": ("id", _REQ), "label": ("str", _OPT), "name": ("str", _REQ)},
    "remove_character": {"character_id": ("id", _OPT), "name": ("str", _REQ)},
    "add_reference": {
        "asset_id": ("id", _OPT), "character_id": ("id", _OPT), "character": ("str", _OPT), "style": ("bool", _OPT),
        "storage_url": ("str", _REQ), "metadata": ("dict", _OPT), "version": ("int", _OPT),
    },
}
_REVIEW = {
    "scene_id": ("label", _REQ), "comment": ("str", _OPT), "image_version": ("int", _OPT), "scene_pk": ("id", _OPT),
    "review_id": ("id", _OPT), "image_asset_id": ("id", _OPT),
}
for _k in ("confirm_prompt", "confirm_image", "reject"):
    SCHEMAS[_k] = _REVIEW

KINDS = frozenset(SCHEMAS)


def _is_id(x: object) -> bool:
    return isinstance(x, int) and not isinstance(x, bool) and 0 < x <= MAX_ID


def _check(kind: str, key: str, spec: str, value: object) -> None:
    ok = {
        "id": _is_id,
        "int": lambda x: isinstance(x, int) and not isinstance(x, bool) and -(2**31) < x < 2**31,
        "str": lambda x: isinstance(x, str),
        "dict": lambda x: isinstance(x, dict),
        "list": lambda x: isinstance(x, list) and len(x) <= 100_000,
        "bool": lambda x: isinstance(x, bool),
        "any": lambda x: True,
    }
    if spec == "label":
        try:
            v.scene_id(value)
        except v.ValidationError as e:
            raise BadChange(f"{kind}: {key} {e.message}") from None
        return
    if not ok[spec](value):
        raise BadChange(f"{kind}: {key} must be {'an id' if spec == 'id' else 'a ' + spec} (got {type(value).__name__})")


def parse(change_id: object, kind: object, project_id: object, payload: object) -> Change:
    """A Change from a queue row (payload as stored text or already decoded), or
    BadChange naming what is wrong."""
    if not _is_id(change_id):
        raise BadChange("the change has no valid id")
    if not isinstance(kind, str) or kind not in KINDS:
        raise BadChange(f"unknown kind of change {kind!r}")
    if not _is_id(project_id):
        raise BadChange(f"{kind}: the change names no project")
    if isinstance(payload, (str, bytes)):
        if len(payload) > MAX_CHANGE_BYTES:
            raise BadChange(f"{kind}: the change is too large ({len(payload):,} bytes, at most {MAX_CHANGE_BYTES:,})")
        try:
            payload = json.loads(payload)
        except ValueError as e:
            raise BadChange(f"{kind}: the change record is not valid JSON ({e})") from None
    else:
        size = len(json.dumps(payload, default=str))
        if size > MAX_CHANGE_BYTES:
            raise BadChange(f"{kind}: the change is too large ({size:,} bytes, at most {MAX_CHANGE_BYTES:,})")
    if not isinstance(payload, dict):
        raise BadChange(f"{kind}: the change record is not a JSON object")
    for key, (spec, required) in SCHEMAS[kind].items():
        if key not in payload or payload[key] is None:
            if required:
                raise BadChange(f"{kind}: {key} is missing")
            continue
        _check(kind, key, spec, payload[key])
    return Change(id=int(change_id), kind=kind, project_id=int(project_id), payload=payload)  # type: ignore[arg-type]


def encode(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str)
