"""What reviewers do: confirm a prompt or an image, or reject with a comment."""

from __future__ import annotations

from sqlalchemy import select

from ..domain import validation as v
from ..domain.status import SceneAction, confirm_action, next_status
from ..store.models import Scene, SceneReview
from .assets import shown_image_id
from .base import REVIEW, ServiceBase
from .convert import scene_view
from .errors import Forbidden
from .scenes import rejections
from .views import Review, SceneView


class ReviewService(ServiceBase):
    def confirm(self, project_id: int, scene_id: str, comment: str | None = None) -> SceneView:
        """One step forward from 'prompt' or 'image'."""
        comment = v.comment(comment)
        with self._transaction() as s:
            scene = self._scene(s, project_id, scene_id, need=REVIEW)
            action = confirm_action(scene.status)
            return self._apply(s, scene, action, comment)

    def confirm_prompt(self, project_id: int, scene_id: str) -> SceneView:
        return self._act(project_id, scene_id, SceneAction.CONFIRM_PROMPT, None)

    def confirm_image(self, project_id: int, scene_id: str, version: int | None = None) -> SceneView:
        """Confirm the image; with `version`, only if that is still the current one, so a
        reviewer never confirms an image that was replaced while they looked at it."""
        with self._transaction() as s:
            scene = self._scene(s, project_id, scene_id, need=REVIEW)
            if version is not None and scene.image_version != version:
                raise v.ValidationError(
                    "image_version",
                    f"image v{version} was replaced by v{scene.image_version}; review the new version",
                )
            return self._apply(s, scene, SceneAction.CONFIRM_IMAGE, None)

    def reject(self, project_id: int, scene_id: str, comment: str | None = None) -> SceneView:
        """Send the step under review back; the comment (what needs to change) is required."""
        return self._act(project_id, scene_id, SceneAction.REJECT, v.rejection_comment(comment))

    def undo_last(self, project_id: int, scene_id: str, action: SceneAction | str) -> SceneView:
        """Take back the scene's latest decision (the editor's Undo): the status returns
        to what it was and the decision leaves the history. Refused if the decision is
        not the latest one or the scene has moved on since, so nobody else's work is
        undone."""
        action = SceneAction(action)
        if self.access.secured:
            # Review history is append-only there: nobody may delete a decision.
            raise Forbidden("a decision cannot be taken back on the shared store; confirm or reject again instead")
        with self._transaction() as s:
            scene = self._scene(s, project_id, scene_id, need=REVIEW)
            last = s.scalars(
                select(SceneReview)
                .where(SceneReview.scene_pk == scene.id)
                .order_by(SceneReview.id.desc())
                .limit(1)
            ).first()
            if last is None or last.action != action.value or last.to_status != scene.status:
                raise v.ValidationError(
                    "status",
                    f"scene {scene_id} changed since that {action.value.replace('_', ' ')}; "
                    "nothing was undone",
                )
            scene.status = last.from_status
            s.delete(last)
            s.flush()
            self._record(
                s, "undo_review", project_id, scene_id=scene_id, action=action.value,
                status=scene.status,
            )
            return scene_view(scene, rejections(s, [scene]).get(scene.id))

    def history(self, project_id: int, scene_id: str) -> list[Review]:
        with self.db.sessions() as s:
            scene = self._scene(s, project_id, scene_id)
            rows = s.scalars(
                select(SceneReview).where(SceneReview.scene_pk == scene.id).order_by(SceneReview.id)
            ).all()
            return [
                Review(r.action, r.from_status, r.to_status, r.comment, r.user_id, r.created_at)
                for r in rows
            ]

    def _act(self, project_id: int, scene_id: str, action: SceneAction, comment: str | None) -> SceneView:
        comment = v.comment(comment)
        with self._transaction() as s:
            return self._apply(s, self._scene(s, project_id, scene_id, need=REVIEW), action, comment)

    def _apply(self, s, scene: Scene, action: SceneAction, comment: str | None) -> SceneView:  # noqa: ANN001
        before = scene.status
        scene.status = next_status(before, action).value
        review = SceneReview(
            id=self.ids.next_id(),
            scene_pk=scene.id,
            user_id=self.user_id,
            action=action.value,
            from_status=before,
            to_status=scene.status,
            comment=comment,
        )
        s.add(review)
        s.flush()
        self._record(
            s, action.value, scene.project_id, scene_id=scene.scene_id, comment=comment,
            image_version=scene.image_version, scene_pk=scene.id, review_id=review.id,
            image_asset_id=shown_image_id(s, scene),  # the image the reviewer saw
        )
        return scene_view(scene, comment or "" if action is SceneAction.REJECT else None)
