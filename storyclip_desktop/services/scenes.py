"""Scenes: split a script into scenes, list them, edit their fields, add and delete."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from fractions import Fraction

from sqlalchemy import delete, func, select, update

from ..domain import naming, splitter
from ..domain import validation as v
from ..domain.status import SceneAction, SceneStatus, can, next_status
from ..store.models import Asset, Scene, SceneReview
from .base import ServiceBase
from .convert import scene_view
from .errors import Conflict, NotFound
from .views import EDITED_KEY, REPLACED_KEY, DeletedScene, SceneView

PROMPT_FIELDS = ("image_prompt", "motion_prompt", "negative_prompt")
REPLACED_KEPT = 5  # replaced prompt texts kept per scene
UNCHANGED = object()


def stored_seconds(value: object) -> int | float | None:
    """Seconds as scene_json keeps them: None, or a number rounded to the millisecond
    (frame exact at 30 fps: a Fraction(137, 30) is kept as 4.567 and reads back as
    frame 137), a whole number as an int."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | Fraction):
        raise v.ValidationError("duration", f"must be a number of seconds (got {value!r})")
    seconds = round(float(value), 3)
    return v.scene_seconds(int(seconds) if seconds.is_integer() else seconds)


class SceneService(ServiceBase):
    def list(self, project_id: int) -> list[SceneView]:
        with self.db.sessions() as s:
            self._project(s, project_id)
            rows = s.scalars(
                select(Scene).where(Scene.project_id == project_id).order_by(Scene.order)
            ).all()
            standing = rejections(s, rows)
            return [scene_view(r, standing.get(r.id)) for r in rows]

    def get(self, project_id: int, scene_id: str) -> SceneView:
        with self.db.sessions() as s:
            scene = self._scene(s, project_id, scene_id)
            return scene_view(scene, rejections(s, [scene]).get(scene.id))

    def split(
        self, project_id: int, *, replace: bool = False, chunks: list[str] | None = None
    ) -> list[SceneView]:
        """Split the project's script into scenes with the rule-based splitter (or take
        `chunks` from another splitter). A project that already has scenes is only
        re-split with replace=True; new scenes get fresh ids (S<n> continues after the
        highest ever used) so earlier versions are never attached to the wrong scene."""
        with self._transaction() as s:
            project = self._project(s, project_id, lock=True)
            existing = s.scalar(select(func.count()).where(Scene.project_id == project_id)) or 0
            if existing and not replace:
                raise Conflict(
                    f"project {project_id} already has {existing} scenes; re-splitting "
                    "replaces them (use --replace)"
                )
            if chunks is None:
                if not (project.script or "").strip():
                    raise v.ValidationError("script", "is empty; write a script before splitting")
                chunks = splitter.split_script(project.script or "")
            first = self._next_label_number(s, project_id)
            s.execute(delete(Scene).where(Scene.project_id == project_id))
            scenes = []
            for i, text in enumerate(chunks):
                scene = Scene(
                    id=self.ids.next_id(),
                    project_id=project_id,
                    user_id=self.user_id,
                    status=SceneStatus.INIT.value,
                    scene_id=naming.scene_label(first + i),
                    scene_json={"narration": text},
                    order=i + 1,
                    no_subject=False,
                )
                s.add(scene)
                scenes.append(scene)
            s.flush()
            self._record(
                s, "split_script", project_id,
                scenes=[{"id": sc.id, "scene_id": sc.scene_id, "narration": sc.scene_json["narration"]} for sc in scenes],
                replace=replace,
            )
            return [scene_view(sc) for sc in scenes]

    def add(self, project_id: int, narration: str = "", *, after: str | None = None) -> SceneView:
        """A new empty scene at the end (or after scene `after`)."""
        v.scene_json({"narration": narration})
        with self._transaction() as s:
            self._project(s, project_id, lock=True)
            n = s.scalar(select(func.count()).where(Scene.project_id == project_id)) or 0
            position = n + 1
            after_pk = None
            if after is not None:
                anchor = self._scene(s, project_id, after)
                position, after_pk = anchor.order + 1, anchor.id
                s.execute(
                    update(Scene)
                    .where(Scene.project_id == project_id, Scene.order >= position)
                    .values(order=Scene.order + 1)
                )
            scene = Scene(
                id=self.ids.next_id(),
                project_id=project_id,
                user_id=self.user_id,
                status=SceneStatus.INIT.value,
                scene_id=naming.scene_label(self._next_label_number(s, project_id)),
                scene_json={"narration": narration},
                order=position,
                no_subject=False,
            )
            s.add(scene)
            s.flush()
            self._record(
                s, "add_scene", project_id, id=scene.id, scene_id=scene.scene_id, after=after,
                after_pk=after_pk, narration=narration,
            )
            return scene_view(scene)

    def delete(self, project_id: int, scene_id: str) -> DeletedScene:
        """Delete the scene; what it had comes back as a DeletedScene for `restore`
        (its media versions stay in the library under its label either way)."""
        with self._transaction() as s:
            self._project(s, project_id, lock=True)
            scene = self._scene(s, project_id, scene_id)
            position, scene_pk = scene.order, scene.id
            after_pk = s.scalar(
                select(Scene.id).where(Scene.project_id == project_id, Scene.order < position)
                .order_by(Scene.order.desc()).limit(1)
            )
            reviews = [
                {
                    "id": r.id, "user_id": r.user_id, "action": r.action, "from_status": r.from_status,
                    "to_status": r.to_status, "comment": r.comment,
                    "created_at": r.created_at.isoformat() if r.created_at else None,
                }
                for r in s.scalars(select(SceneReview).where(SceneReview.scene_pk == scene_pk).order_by(SceneReview.id))
            ]
            gone = DeletedScene(scene_view(scene, rejections(s, [scene]).get(scene_pk)), after_pk, reviews)
            s.delete(scene)
            s.flush()
            s.execute(
                update(Scene)
                .where(Scene.project_id == project_id, Scene.order > position)
                .values(order=Scene.order - 1)
            )
            self._record(s, "delete_scene", project_id, scene_id=scene_id, scene_pk=scene_pk)
            return gone

    def restore(self, gone: DeletedScene) -> SceneView:
        """Bring a deleted scene back as it was: the same id and label (so review notes
        that name it and its media versions point at it again), status, chosen
        versions, texts, review history, and its place after the scene it followed."""
        sc = gone.scene
        with self._transaction() as s:
            self._project(s, sc.project_id, lock=True)
            if s.get(Scene, sc.id) is not None:
                raise Conflict(f"scene {sc.scene_id} is already back")
            taken = s.scalar(
                select(Scene.id).where(Scene.project_id == sc.project_id, Scene.scene_id == sc.scene_id)
            )
            if taken is not None:
                raise Conflict(f"{sc.scene_id} was given to another scene meanwhile; the deleted scene was not brought back")
            position = 1
            if gone.after_pk is not None:
                anchor = s.get(Scene, gone.after_pk)
                if anchor is not None and anchor.project_id == sc.project_id:
                    position = anchor.order + 1
                else:  # the scene it followed went too: put it back where it stood
                    n = s.scalar(select(func.count()).where(Scene.project_id == sc.project_id)) or 0
                    position = min(sc.order, n + 1)
            s.execute(
                update(Scene)
                .where(Scene.project_id == sc.project_id, Scene.order >= position)
                .values(order=Scene.order + 1)
            )
            scene = restored_scene(sc, self.user_id, position)
            s.add(scene)
            s.flush()
            for r in gone.reviews:
                s.add(restored_review(r, sc.id))
            s.flush()
            self._record(
                s, "restore_scene", sc.project_id, scene_pk=sc.id, scene_id=sc.scene_id,
                status=sc.status, scene_json=sc.scene_json, image_version=sc.image_version,
                clip_version=sc.clip_version, no_subject=sc.no_subject, after_pk=gone.after_pk,
                reviews=gone.reviews,
            )
            return scene_view(scene, rejections(s, [scene]).get(scene.id))

    def edit(
        self,
        project_id: int,
        scene_id: str,
        fields: dict | None = None,
        *,
        no_subject: bool | None = None,
    ) -> SceneView:
        """Merge `fields` into the scene's JSON (None removes a key), as the editor's own
        words: a prompt typed here is marked edited by hand, so generation leaves it
        alone unless asked. Changing a prompt after it was confirmed sends the scene
        back to 'prompt' for review."""
        fields = dict(fields or {})
        with self._transaction() as s:
            scene = self._scene(s, project_id, scene_id)
            current = scene.scene_json or {}
            typed = [k for k in PROMPT_FIELDS if k in fields and (fields[k] or "") != (current.get(k) or "")]
            if typed and EDITED_KEY not in fields:
                marks = set(current.get(EDITED_KEY) or [])
                marks.update(k for k in typed if (fields[k] or "").strip())
                marks.difference_update(k for k in typed if not (fields[k] or "").strip())
                fields[EDITED_KEY] = sorted(marks) or None
            return self._write(s, scene, fields, no_subject)

    def write_generated(
        self, project_id: int, scene_id: str, fields: dict, *, replace_edited: bool = False
    ) -> tuple[SceneView, list[str]]:
        """Write prompts a provider made. A prompt the editor typed by hand is kept
        (and named in the returned list) unless `replace_edited`; every prompt text
        that is replaced is kept in the scene (`SceneView.replaced`) so `bring_back`
        can restore it."""
        fields = dict(fields)
        with self._transaction() as s:
            scene = self._scene(s, project_id, scene_id)
            current = scene.scene_json or {}
            marks = set(current.get(EDITED_KEY) or [])
            kept = [
                k for k in PROMPT_FIELDS
                if k in fields and k in marks and (current.get(k) or "").strip() and fields[k] != current.get(k)
            ]
            if not replace_edited:
                for k in kept:
                    fields.pop(k)
            old = {k: current[k] for k in PROMPT_FIELDS if k in fields and (current.get(k) or "").strip()
                   and fields[k] != current.get(k)}
            if old:
                at = datetime.now(UTC).isoformat(timespec="seconds")
                entry = {"fields": old, "at": at, "edited": sorted(marks & set(old))}
                fields[REPLACED_KEY] = (list(current.get(REPLACED_KEY) or []) + [entry])[-REPLACED_KEPT:]
            if marks & set(fields):
                fields[EDITED_KEY] = sorted(marks - set(fields)) or None
            if not any(fields.get(k) != current.get(k) for k in fields):
                return scene_view(scene, rejections(s, [scene]).get(scene.id)), kept if not replace_edited else []
            return self._write(s, scene, fields, None), kept if not replace_edited else []

    def bring_back(self, project_id: int, scene_id: str) -> SceneView:
        """Undo the latest prompt generation on this scene: the texts it replaced come
        back (hand-written ones marked as such again)."""
        with self._transaction() as s:
            scene = self._scene(s, project_id, scene_id)
            current = scene.scene_json or {}
            history = [r for r in (current.get(REPLACED_KEY) or []) if isinstance(r, dict)]
            if not history:
                raise NotFound(f"{scene_id} has no replaced prompt to bring back")
            last = history[-1]
            fields: dict = dict(last.get("fields") or {})
            marks = set(current.get(EDITED_KEY) or []) | set(last.get("edited") or [])
            fields[EDITED_KEY] = sorted(marks) or None
            fields[REPLACED_KEY] = history[:-1] or None
            return self._write(s, scene, fields, None)

    def edited_prompts(self, project_id: int, scene_ids: Iterable[str] | None = None) -> list[str]:
        """Scenes (labels) whose prompts were typed by hand, of those given (or all)."""
        wanted = set(scene_ids) if scene_ids else None
        return [
            sc.scene_id for sc in self.list(project_id)
            if sc.edited_fields and (wanted is None or sc.scene_id in wanted)
        ]

    def _write(self, s, scene: Scene, fields: dict, no_subject: bool | None) -> SceneView:  # noqa: ANN001
        project_id, scene_id = scene.project_id, scene.scene_id
        # What this editor saw, so the server can tell a concurrent edit of the same
        # field (a conflict) from a plain overwrite.
        before = {k: (scene.scene_json or {}).get(k) for k in fields}
        before_no_subject = bool(scene.no_subject)
        merged = dict(scene.scene_json or {})
        for k, val in fields.items():
            if val is None:
                merged.pop(k, None)
            else:
                merged[k] = val
        v.scene_json(merged)
        self._apply_json(scene, merged)
        if no_subject is not None and bool(no_subject) != scene.no_subject:
            scene.no_subject = bool(no_subject)
        s.flush()
        self._record(
            s, "edit_scene", project_id, scene_id=scene_id, fields=fields, no_subject=no_subject,
            scene_pk=scene.id, before=before, before_no_subject=before_no_subject,
        )
        return scene_view(scene, rejections(s, [scene]).get(scene.id))

    def _edit_in(
        self, s, project_id: int, scene_id: str, fields: dict, no_subject: bool | None = None  # noqa: ANN001
    ) -> SceneView:
        """The edit inside an open transaction, recorded as one outbox change."""
        return self._write(s, self._scene(s, project_id, scene_id), fields, no_subject)

    # ---- timing: how long a scene lasts and how its clip fills that ------------------

    def set_timing(
        self, project_id: int, scene_id: str, *, duration: object = UNCHANGED, fit: object = UNCHANGED
    ) -> SceneView:
        """The editor's choice for one scene: `duration` (seconds; None = from the
        narration or the clip) and `fit` (hold | loop | slow; None = hold). A plain scene
        edit underneath, so it syncs like any other."""
        fields: dict = {}
        if duration is not UNCHANGED:
            fields["duration"] = stored_seconds(duration)
        if fit is not UNCHANGED:
            fields["fit"] = None if fit is None else v.scene_fit(fit)
        with self._transaction() as s:
            return self._edit_in(s, project_id, scene_id, fields)

    def set_durations(self, project_id: int, durations: Mapping[str, object]) -> list[SceneView]:
        """Several scenes' durations in one transaction ({scene_id: seconds or None})."""
        with self._transaction() as s:
            return self.write_timing(s, project_id, durations)

    def write_timing(self, s, project_id: int, durations: Mapping[str, object]) -> list[SceneView]:  # noqa: ANN001
        """set_durations inside another service's open transaction (one outbox change per
        scene). Every value is checked before anything is written."""
        values = {sid: stored_seconds(d) for sid, d in durations.items()}
        return [self._edit_in(s, project_id, sid, {"duration": d}) for sid, d in values.items()]

    def replace_json(self, project_id: int, scene_id: str, raw: str) -> SceneView:
        """Power users edit the raw JSON; it must be an object that passes validation."""
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as e:
            raise v.ValidationError("scene_json", f"is not valid JSON: {e.msg} at line {e.lineno} column {e.colno}") from None
        v.scene_json(value)
        with self._transaction() as s:
            scene = self._scene(s, project_id, scene_id)
            before = dict(scene.scene_json or {})
            self._apply_json(scene, value)
            s.flush()
            self._record(
                s, "replace_scene_json", project_id, scene_id=scene_id, scene_json=value,
                scene_pk=scene.id, before=before,
            )
            return scene_view(scene, rejections(s, [scene]).get(scene.id))

    @staticmethod
    def _apply_json(scene: Scene, new: dict) -> None:
        old = scene.scene_json or {}
        prompt_changed = any((old.get(k) or "") != (new.get(k) or "") for k in PROMPT_FIELDS)
        scene.scene_json = new
        has_prompt = bool((new.get("image_prompt") or "").strip())
        if prompt_changed and has_prompt and can(scene.status, SceneAction.WRITE_PROMPT):
            scene.status = next_status(scene.status, SceneAction.WRITE_PROMPT).value
        elif prompt_changed and not has_prompt:
            scene.status = SceneStatus.INIT.value  # nothing left to review

    def _next_label_number(self, s, project_id: int) -> int:  # noqa: ANN001
        labels = s.scalars(select(Scene.scene_id).where(Scene.project_id == project_id)).all()
        parents = s.scalars(
            select(Asset.parents_id).where(Asset.project_id == project_id).distinct()
        ).all()
        numbers = [naming.label_number(x) for x in labels]
        for pid in parents:
            part = pid.rsplit("-", 1)[-1]
            if part.startswith("S") and part[1:].isdigit():
                numbers.append(int(part[1:]))
        return max(numbers, default=0) + 1



def rejections(s, scenes: Iterable[Scene]) -> dict[int, str]:  # noqa: ANN001
    """Scene pk -> comment, for scenes whose latest decision is a reject they still
    stand at (a scene that moved on since is no longer "rejected")."""
    by_pk = {sc.id: sc for sc in scenes}
    if not by_pk:
        return {}
    latest: dict[int, SceneReview] = {}
    pks = list(by_pk)
    for i in range(0, len(pks), 500):
        for r in s.scalars(select(SceneReview).where(SceneReview.scene_pk.in_(pks[i:i + 500])).order_by(SceneReview.id)):
            latest[r.scene_pk] = r
    return {
        pk: (r.comment or "")
        for pk, r in latest.items()
        if r.action == SceneAction.REJECT.value and r.to_status == by_pk[pk].status
    }


def restored_scene(sc: SceneView, user_id: int, position: int) -> Scene:
    return Scene(
        id=sc.id, project_id=sc.project_id, user_id=user_id, status=sc.status, scene_id=sc.scene_id,
        scene_json=dict(sc.scene_json), image_version=sc.image_version, clip_version=sc.clip_version,
        order=position, no_subject=sc.no_subject,
    )


def restored_review(r: dict, scene_pk: int) -> SceneReview:
    when = r.get("created_at")
    return SceneReview(
        id=r["id"], scene_pk=scene_pk, user_id=r["user_id"], action=r["action"],
        from_status=r["from_status"], to_status=r["to_status"], comment=r.get("comment"),
        **({"created_at": datetime.fromisoformat(when)} if when else {}),
    )
