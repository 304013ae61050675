"""Projects: create, rename, describe, script, delete, list, show, duplicate."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select

from ..domain import validation as v
from ..store.models import Project, Scene, VideoPreference
from .base import OWN, READ, ServiceBase
from .convert import from_row, preferences_view
from .errors import NotFound
from .views import ProjectDetail, ProjectSummary


class ProjectService(ServiceBase):
    def create(
        self, title: str, *, description: str | None = None, script: str | None = None
    ) -> int:
        title, description, script = v.title(title), v.description(description), v.script(script)
        with self._transaction() as s:
            pid = self.ids.next_id()
            s.add(Project(id=pid, user_id=self.user_id, title=title, description=description, script=script))
            s.flush()
            pref_id = self.ids.next_id()
            s.add(VideoPreference(id=pref_id, project_id=pid))
            self._record(
                s, "create_project", pid, title=title, description=description, script=script,
                pref_id=pref_id,
            )
        return pid

    def rename(self, project_id: int, title: str) -> None:
        title = v.title(title)
        with self._transaction() as s:
            self._project(s, project_id).title = title
            self._record(s, "edit_project", project_id, fields={"title": title})

    def describe(self, project_id: int, description: str | None) -> None:
        description = v.description(description)
        with self._transaction() as s:
            self._project(s, project_id).description = description
            self._record(s, "edit_project", project_id, fields={"description": description})

    def set_script(self, project_id: int, script: str | None) -> None:
        script = v.script(script)
        with self._transaction() as s:
            self._project(s, project_id).script = script
            self._record(s, "edit_project", project_id, fields={"script": script})

    def delete(self, project_id: int) -> None:
        """Removes the project with its preferences, scenes, reviews and asset rows (the
        foreign keys cascade); media files stay in the content-addressed library."""
        with self._transaction() as s:
            s.delete(self._project(s, project_id, lock=True, need=OWN))
            self._record(s, "delete_project", project_id)

    def list(self) -> list[ProjectSummary]:
        with self.db.sessions() as s:
            # Every project this person may see: the whole local file (sync brings only
            # what the server shows them), row-level security on the shared store, the
            # owner's own on an unsecured PostgreSQL.
            projects = s.scalars(
                select(Project).where(*self._visible()).order_by(Project.updated_at.desc(), Project.id.desc())
            ).all()
            counts = self._status_counts(s, [p.id for p in projects])
        return [
            from_row(
                ProjectSummary,
                p,
                scene_count=sum(counts[p.id].values()),
                status_counts=dict(counts[p.id]),
            )
            for p in projects
        ]

    def get(self, project_id: int) -> ProjectDetail:
        with self.db.sessions() as s:
            p = self._project(s, project_id)
            pref = s.scalars(select(VideoPreference).where(VideoPreference.project_id == p.id)).first()
            if pref is None:
                raise NotFound(f"project {project_id} has no video preferences")
            counts = self._status_counts(s, [p.id])[p.id]
            return from_row(
                ProjectDetail,
                p,
                preferences=preferences_view(pref),
                scene_count=sum(counts.values()),
                status_counts=dict(counts),
            )

    def duplicate(self, project_id: int, title: str | None = None) -> int:
        """A copy of the script, preferences and scene texts (statuses start over at
        init/prompt; generated media stays with the original)."""
        with self._transaction() as s:
            src = self._project(s, project_id, need=READ)
            new_title = v.title(title if title is not None else src.title)
            pid = self.ids.next_id()
            s.add(Project(id=pid, user_id=self.user_id, title=new_title, description=src.description, script=src.script))
            s.flush()
            pref = s.scalars(select(VideoPreference).where(VideoPreference.project_id == src.id)).first()
            pref_values = {c: getattr(pref, c) for c in _PREF_COLUMNS} if pref else {}
            pref_id = self.ids.next_id()
            s.add(VideoPreference(id=pref_id, project_id=pid, **pref_values))
            scenes = s.scalars(select(Scene).where(Scene.project_id == src.id).order_by(Scene.order)).all()
            copies = []
            for sc in scenes:
                text = dict(sc.scene_json or {})
                copy = Scene(
                    id=self.ids.next_id(),
                    project_id=pid,
                    user_id=self.user_id,
                    status="prompt" if text.get("image_prompt") else "init",
                    scene_id=sc.scene_id,
                    scene_json=text,
                    order=sc.order,
                    no_subject=sc.no_subject,
                )
                s.add(copy)
                copies.append(copy)
            # The copy travels whole: the server may not have the source (local-only, or
            # edited since), and the replica must get the very ids made here.
            self._record(
                s, "duplicate_project", pid, source=project_id, title=new_title,
                description=src.description, script=src.script, pref_id=pref_id,
                preferences=pref_values,
                scenes=[
                    {"id": c.id, "scene_id": c.scene_id, "scene_json": c.scene_json, "order": c.order,
                     "no_subject": bool(c.no_subject), "status": c.status}
                    for c in copies
                ],
            )
        return pid

    def _status_counts(self, s, project_ids: list[int]) -> dict[int, dict[str, int]]:  # noqa: ANN001
        out: dict[int, dict[str, int]] = defaultdict(dict)
        if not project_ids:
            return out
        rows = s.execute(
            select(Scene.project_id, Scene.status, func.count())
            .where(Scene.project_id.in_(project_ids))
            .group_by(Scene.project_id, Scene.status)
        )
        for pid, status, n in rows:
            out[pid][status] = n
        return out


_PREF_COLUMNS = (
    "image_gen_model",
    "video_gen_model",
    "voice_gen_model",
    "stability",
    "resolution",
    "ratio",
    "custom_style",
    "split_rule",
)
