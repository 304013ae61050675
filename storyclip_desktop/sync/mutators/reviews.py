"""Reviewer changes: confirm a prompt or an image, reject. The state machine decides
again on the server, and an image confirmed while it was being replaced is refused."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...domain import validation as v
from ...domain.status import SceneAction, next_status
from ...services.assets import shown_image_id
from ...store.models import Asset, Scene, SceneReview
from ..changes import Change, Refused
from .common import Applied, require_scene
from .side import Side


def review(s: Session, side: Side, ch: Change) -> Applied:
    p = ch.payload
    action = SceneAction(ch.kind)
    scene = require_scene(s, ch, "review")
    review_id = p.get("review_id")
    if review_id is not None and s.get(SceneReview, review_id) is not None:
        if side.server:
            raise Refused("this review was already recorded")
        return Applied()
    if action is SceneAction.CONFIRM_IMAGE:
        _same_image(s, ch, scene)
    before = scene.status
    scene.status = next_status(before, action).value
    s.add(
        SceneReview(
            id=review_id or side.new_id(),
            scene_pk=scene.id,
            user_id=side.user_id,
            action=action.value,
            from_status=before,
            to_status=scene.status,
            comment=(v.rejection_comment if action is SceneAction.REJECT else v.comment)(p.get("comment")),
        )
    )
    s.flush()
    return Applied()


def _same_image(s: Session, ch: Change, scene: Scene) -> None:
    """The reviewer saw one image (named by asset id, its number being provisional
    offline); refuse if the scene shows another one now, naming the new version."""
    p = ch.payload
    seen_id, seen_version = p.get("image_asset_id"), p.get("image_version")
    if seen_id is None and seen_version is None:
        return
    current_id = shown_image_id(s, scene)
    same = current_id == seen_id if seen_id is not None else scene.image_version == seen_version
    if same:
        return
    if seen_id is not None:
        seen_version = s.scalar(select(Asset.version).where(Asset.id == seen_id)) or seen_version
    now = f"v{scene.image_version}" if scene.image_version is not None else "no image"
    raise Refused(
        f"{scene.scene_id}: image v{seen_version} was replaced by {now} meanwhile; "
        f"review {now} before confirming"
    )
