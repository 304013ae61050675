"""Hand-off to editing software and the edit coming back.

Export: the render plan (scene order, spans, fits, cues) becomes a timeline in the editor's
format, with each clip's provenance (prompts, provider, model, seed, versions, job, cost,
who confirmed what and when), a media folder of stable names and a manifest.

Import: a re-ordered and trimmed edit is matched back to the scenes and applied as one
change: the new order and the new spans in one transaction."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from ..domain import handoff as rules
from ..domain.handoff import EditPlan, HandoffError, SceneNow
from ..domain.render_plan import FPS, RenderPlan
from ..domain.validation import ValidationError
from ..store.models import Scene, User
from .base import ServiceBase
from .errors import NotFound, ServiceError

if TYPE_CHECKING:
    from ..media.handoff.export_folder import ExportResult
    from .app import Services


@dataclass(frozen=True)
class EditReport:
    """What an edit would change, before anything is written."""

    project_id: int
    file: Path
    plan: EditPlan
    labels: dict[int, str]  # scene pk -> label
    spans_s: dict[str, Fraction]  # label -> new span in seconds, only where it changed
    narrated: tuple[str, ...] = ()  # of those, the scenes whose length the narration decides

    @property
    def new_order(self) -> list[str]:
        return [self.labels[pk] for pk in self.plan.order]

    def summary(self) -> list[str]:
        """One line per finding, in the words the CLI prints and the dialog shows."""
        p = self.plan
        lines = [f"{len(p.matched)} clips matched to scenes"]
        lines.append("new order: " + " ".join(self.new_order) if p.moved else "order unchanged")
        for label, sec in self.spans_s.items():
            note = " (kept as its duration; the narration sets its length until it is made again)"
            lines.append(f"{label}: new span {float(sec):.3f}s" + (note if label in self.narrated else ""))
        if p.unmatched:
            lines.append("not matched to any scene: " + ", ".join(p.unmatched))
        if p.missing:
            lines.append("not in the edit (kept in place): " + ", ".join(p.missing))
        if p.by_name:
            lines.append("matched by file name only (the tool kept no StoryClip metadata): " + ", ".join(p.by_name))
        if p.duplicates:
            lines.append("used twice in the edit (the first counts): " + ", ".join(p.duplicates))
        return lines


@dataclass(frozen=True)
class AppliedEdit:
    report: EditReport
    previous_order: list[int]
    previous_durations: dict[str, object]  # label -> scene_json["duration"] before (None: none)
    written: int
    spans_written: tuple[str, ...] = field(default=())


class HandoffService(ServiceBase):
    def __init__(self, services: Services) -> None:
        sv = services
        super().__init__(sv.db, sv.user_id, sv.ids, outbox=sv.scenes.outbox, access=sv.access)
        self.sv = sv

    # ---- export -----------------------------------------------------------------

    def export(
        self, project_id: int, fmt: str, out: Path, *, resolution: str | None = None,
        music: Path | None = None, music_db: float | None = None,
    ) -> ExportResult:
        """`music`: the bed for A2, as chosen for the video export (looped to the length)."""
        from ..media.handoff import export_folder

        if fmt not in rules.FORMATS:
            raise ServiceError(f"unknown timeline format {fmt!r}; use one of {', '.join(rules.FORMATS)}")
        out = Path(out).expanduser().absolute()
        try:
            export_folder.check_target(out)
        except HandoffError as e:
            raise ServiceError(e.message) from None
        plan = self.sv.render_plan.plan(project_id, resolution=resolution)
        if not plan.scenes:
            raise ServiceError(f"project {project_id} has no scenes to export")
        _check_media(plan)
        bed = _music(music, music_db)
        provenance = self.provenance(project_id, plan)
        try:
            return export_folder.write(
                plan, provenance, fmt, out, header=self._header(plan, fmt),
                segment_cache=export_folder.renderer_cache(self.sv.render_plan.media_root), music=bed,
            )
        except HandoffError as e:
            raise ServiceError(e.message) from None
        except OSError as e:
            raise ServiceError(f"could not write the export to {out}: {e.strerror or e}") from None

    def _header(self, plan: RenderPlan, fmt: str) -> dict:
        return {
            "project_id": plan.project_id,
            "title": plan.title,
            "fps": plan.fps,
            "width": plan.width,
            "height": plan.height,
            "ratio": plan.ratio,
            "resolution": plan.resolution,
            "format": fmt,
            "exported_at": _now(),
            "exported_by": self.sv.email,
            "handoff_version": 1,
        }

    def provenance(self, project_id: int, plan: RenderPlan) -> dict[int, dict]:
        """Per scene pk: everything known about how its picture was made and approved."""
        scenes = {s.id: s for s in self.sv.scenes.list(project_id)}
        current = self.sv.assets.current(project_id)
        reviews = {s.scene_id: self.sv.reviews.history(project_id, s.scene_id) for s in scenes.values()}
        people = self._emails({r.user_id for rs in reviews.values() for r in rs})
        out: dict[int, dict] = {}
        for ps in plan.scenes:
            scene = scenes.get(ps.scene_pk)
            js = scene.scene_json if scene else {}
            assets = current.get(ps.scene_id, {})
            image, clip = assets.get("image"), assets.get("clip")
            made = clip if ps.source == "clip" and clip else image
            meta = dict(made.metadata) if made else {}
            job = self._job(meta.get("job_id"))
            p = {
                "project_id": project_id,
                "project_title": plan.title,
                "scene_pk": ps.scene_pk,
                "scene_id": ps.scene_id,
                "index": ps.index,
                "start_frame": ps.start_frame,
                "frames": ps.frames,
                "source": ps.source,
                "fit": ps.fit,
                "speed": str(ps.speed),
                "narration": js.get("narration") or ps.narration_text,
                "image_prompt": js.get("image_prompt"),
                "motion_prompt": js.get("motion_prompt"),
                "provider": meta.get("provider") or (job.provider if job else None),
                "model": meta.get("model") or (job.model if job else None),
                "seed": meta.get("seed", job.request.get("seed") if job else None),
                "generation_prompt": meta.get("prompt"),
                "image_version": scene.image_version if scene else None,
                "clip_version": scene.clip_version if scene else None,
                "image_asset_id": image.id if image else None,
                "clip_asset_id": clip.id if clip else None,
                "job_id": meta.get("job_id"),
                "job_state": job.state if job else None,
                "cost": meta.get("cost"),
                "original_file": os.path.basename(ps.source_path) if ps.source_path else None,
            }
            if image is not None and made is not image:
                im = image.metadata or {}
                p.update(image_provider=im.get("provider"), image_model=im.get("model"),
                         image_seed=im.get("seed"), image_job_id=im.get("job_id"), image_cost=im.get("cost"))
            for action, key in (("confirm_prompt", "prompt"), ("confirm_image", "image")):
                last = next((r for r in reversed(reviews.get(ps.scene_id, [])) if r.action == action), None)
                p[f"{key}_confirmed_by"] = people.get(last.user_id, str(last.user_id)) if last else None
                p[f"{key}_confirmed_at"] = last.created_at.isoformat() if last and last.created_at else None
            out[ps.scene_pk] = p
        return out

    def _job(self, job_id: object):  # noqa: ANN202 - JobView | None
        if not isinstance(job_id, int):
            return None
        try:
            return self.sv.generation.records.find(job_id)
        except ServiceError:
            return None  # a job row this person may not read: the asset's metadata still speaks

    def _emails(self, user_ids: set[int]) -> dict[int, str]:
        if not user_ids:
            return {}
        with self.db.sessions() as s:
            return dict(s.execute(select(User.id, User.email).where(User.id.in_(list(user_ids)))).all())

    # ---- the edit coming back ---------------------------------------------------

    def read_edit(self, project_id: int, path: Path) -> EditReport:
        """Match an edit to the project's scenes and say what it would change."""
        from ..media.handoff import formats

        path = Path(path)
        scenes = self.sv.scenes.list(project_id)
        try:
            tl = formats.read(path)
            clips = formats.edited_clips(tl)
            if not clips:
                raise HandoffError(f"{path.name}: the timeline has no clips on its picture track")
            made_for = formats.timeline_project(tl) or _manifest_project(path)
            other = rules.foreign_project(clips, made_for, project_id)
            if other is not None:
                raise HandoffError(
                    f"{path.name} was made for project {other}, not project {project_id}; nothing was changed"
                )
            spans, narrated = self._spans_now(project_id)
            now = [SceneNow(s.id, s.scene_id, spans.get(s.id)) for s in scenes]
            plan = rules.plan_edit(clips, now, project_id)
        except HandoffError as e:
            raise ServiceError(e.message) from None
        labels = {s.id: s.scene_id for s in scenes}
        spans_s = {labels[pk]: Fraction(f, FPS) for pk, f in plan.spans.items()}
        told = tuple(labels[pk] for pk in plan.spans if pk in narrated)
        return EditReport(project_id, path, plan, labels, spans_s, told)

    def _spans_now(self, project_id: int) -> tuple[dict[int, int], set[int]]:
        """Each scene's span in the plan today, and the scenes the narration times."""
        try:
            plan = self.sv.render_plan.plan(project_id, strict=False)
        except (ServiceError, ValidationError):
            return {}, set()  # nothing to plan: every span in the edit counts as new
        narrated = {s.scene_pk for s in plan.scenes if getattr(s, "narration_span", None) is not None}
        return {s.scene_pk: s.frames for s in plan.scenes}, narrated

    def import_edit(self, project_id: int, path: Path) -> AppliedEdit:
        report = self.read_edit(project_id, path)
        return self.apply_edit(report)

    def apply_edit(self, report: EditReport) -> AppliedEdit:
        """The new order and spans, in one transaction (one undo step in the window)."""
        durations = {label: sec for label, sec in report.spans_s.items()}
        return self._write(report, list(report.plan.order), durations)

    def revert_edit(self, applied: AppliedEdit) -> None:
        """Undo: the order and the durations as they were before the edit was applied."""
        self._write(applied.report, list(applied.previous_order), dict(applied.previous_durations))

    def _write(self, report: EditReport, order: list[int], durations: dict[str, object]) -> AppliedEdit:
        pid = report.project_id
        with self._transaction() as s:
            self._project(s, pid, lock=True)
            rows = s.scalars(select(Scene).where(Scene.project_id == pid)).all()
            before = {r.scene_id: (r.scene_json or {}).get("duration") for r in rows}
            for label in durations:
                if label not in before:
                    raise NotFound(f"project {pid} has no scene {label}; nothing was changed")
            move = self.sv.ordering.restore_in(s, pid, order)
            if durations:
                self.sv.scenes.write_timing(s, pid, durations)
            return AppliedEdit(
                report=report,
                previous_order=list(move.previous),
                previous_durations={label: before[label] for label in durations},
                written=move.written,
                spans_written=tuple(durations),
            )


def _check_media(plan: RenderPlan) -> None:
    for sc in plan.scenes:
        if sc.source == "card":
            continue
        if not sc.source_path or not Path(sc.source_path).is_file():
            raise ServiceError(f"{sc.scene_id}: the {sc.source} file is missing ({sc.source_path}); nothing was exported")
    n = plan.narration
    if n is not None and not Path(n.path).is_file():
        raise ServiceError(f"the narration file is missing ({n.path}); nothing was exported")


def _music(path: Path | None, level_db: float | None):  # noqa: ANN202 - export_folder.Music | None
    if path is None:
        return None
    from ..media.handoff.export_folder import Music
    from ..media.probe import stream_seconds

    path = Path(path).expanduser()
    if not path.is_file():
        raise ServiceError(f"the music file is missing ({path}); nothing was exported")
    try:
        seconds = stream_seconds(path, "audio")
    except (OSError, ValueError, subprocess.SubprocessError):
        seconds = 0.0
    if seconds <= 0:
        raise ServiceError(f"the music file has no sound StoryClip can read ({path.name}); nothing was exported")
    return Music(path=path, frames=max(1, round(seconds * FPS)), level_db=level_db)


def _manifest_project(path: Path) -> int | None:
    """The project named by a manifest.json beside the edit (a tool that kept nothing of
    ours inside the timeline still leaves the folder it was exported to)."""
    try:
        data = json.loads((path.parent / rules.MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    pid = data.get("project_id") if isinstance(data, dict) else None
    return pid if isinstance(pid, int) and not isinstance(pid, bool) else None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
