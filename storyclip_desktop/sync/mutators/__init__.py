"""The intent-level mutators: one function per kind of change, run with authority on
the server (push) and again locally on top of fresh server rows (rebase)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from ..changes import Change
from . import assets, projects, references, reviews, scenes
from .common import Applied
from .side import LocalSide, ServerSide, Side

MUTATORS: dict[str, Callable[[Session, Side, Change], Applied]] = {
    "create_project": projects.create_project,
    "edit_project": projects.edit_project,
    "delete_project": projects.delete_project,
    "duplicate_project": projects.duplicate_project,
    "edit_preferences": projects.edit_preferences,
    "split_script": scenes.split_script,
    "add_scene": scenes.add_scene,
    "delete_scene": scenes.delete_scene,
    "restore_scene": scenes.restore_scene,
    "edit_scene": scenes.edit_scene,
    "replace_scene_json": scenes.replace_scene_json,
    "move_scenes": scenes.move_scenes,
    "confirm_prompt": reviews.review,
    "confirm_image": reviews.review,
    "reject": reviews.review,
    "add_asset_version": assets.add_asset_version,
    "choose_version": assets.choose_version,
    "add_character": references.add_character,
    "remove_character": references.remove_character,
    "add_reference": references.add_reference,
}


def apply(s: Session, side: Side, change: Change) -> Applied:
    """Run one change; raises Refused or a domain error when it cannot apply. The
    caller's right to the change is checked first, so a refused change writes nothing."""
    side.require_right(s, change)
    return MUTATORS[change.kind](s, side, change)


__all__ = ["Applied", "LocalSide", "ServerSide", "Side", "apply", "MUTATORS"]
