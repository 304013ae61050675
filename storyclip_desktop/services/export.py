"""Exporting the finished short: check what the editor asked for, queue one export job
(the job engine renders it, jobs/run_export.py), and keep a record of every video that
really reached its path so the window can list, play and show it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import delete, select

from ..domain import validation as v
from ..domain.render_plan import RenderPlan
from ..domain.subtitle_style import PRESETS, SAFE_AREAS
from ..store.exports_model import VideoExport
from .base import READ, ServiceBase
from .errors import Conflict, NotFound
from .generation_jobs import JobSpec, JobView

if TYPE_CHECKING:
    from .app import Services

SUBTITLE_MODES = ("burn", "sidecar", "none")
RESOLUTIONS = ("480p", "720p", "1080p")
MUSIC_DB_RANGE = (-40.0, 6.0)
KIND = "export"


@dataclass(frozen=True)
class ExportRequest:
    project_id: int
    out: Path
    resolution: str | None = None  # None: the project's own resolution
    subtitles: str = "burn"
    style: str = "clean"
    safe_area: str | None = None  # None: the style preset's own
    music: Path | None = None
    music_db: float = -16.0
    overwrite: bool = False

    def to_json(self) -> dict:
        return {
            "out": str(self.out), "resolution": self.resolution, "subtitles": self.subtitles,
            "style": self.style, "safe_area": self.safe_area,
            "music": str(self.music) if self.music else None, "music_db": self.music_db,
            "overwrite": self.overwrite,
        }

    @classmethod
    def from_json(cls, project_id: int, d: dict) -> ExportRequest:
        return cls(
            project_id=project_id, out=Path(d["out"]), resolution=d.get("resolution"),
            subtitles=d.get("subtitles") or "burn", style=d.get("style") or "clean",
            safe_area=d.get("safe_area"), music=Path(d["music"]) if d.get("music") else None,
            music_db=float(d.get("music_db", -16.0)), overwrite=bool(d.get("overwrite")),
        )


@dataclass(frozen=True)
class ExportStarted:
    job_id: int
    plan: RenderPlan  # what will be rendered: the dialog lists its placeholders and staleness


@dataclass(frozen=True)
class ExportView:
    id: int
    project_id: int
    job_id: int | None
    path: str
    settings: dict
    duration_s: float
    size_bytes: int
    render_s: float | None
    created_at: datetime | None

    @property
    def exists(self) -> bool:
        return Path(self.path).is_file()


class ExportService(ServiceBase):
    def __init__(self, services: Services) -> None:
        sv = services
        super().__init__(sv.db, sv.user_id, sv.ids, outbox=False, access=sv.access)
        self._sv = sv

    # ---- starting an export -------------------------------------------------------

    def check(self, req: ExportRequest) -> RenderPlan:
        """Everything that can be known before rendering; one-line errors. Returns the plan."""
        if req.subtitles not in SUBTITLE_MODES:
            raise v.ValidationError("subtitles", f"must be one of {', '.join(SUBTITLE_MODES)}")
        if req.resolution is not None and req.resolution not in RESOLUTIONS:
            raise v.ValidationError("resolution", f"must be one of {', '.join(RESOLUTIONS)}")
        if req.style not in PRESETS:
            raise v.ValidationError("style", f"must be one of {', '.join(PRESETS)}")
        if req.safe_area is not None and req.safe_area not in SAFE_AREAS:
            raise v.ValidationError("safe area", f"must be one of {', '.join(SAFE_AREAS)}")
        low, high = MUSIC_DB_RANGE
        if not low <= float(req.music_db) <= high:
            raise v.ValidationError("music level", f"must be between {low:g} and {high:g} dB")
        if req.music is not None:
            music = Path(req.music)
            if not music.is_file():
                raise v.ValidationError("music", f"the music file does not exist ({music})")
            if not os.access(music, os.R_OK):
                raise v.ValidationError("music", f"the music file cannot be read ({music})")
        out = Path(req.out)
        if out.suffix.lower() != ".mp4":
            raise v.ValidationError("out", f"the video is an MP4: name it ….mp4 (got {out.name})")
        folder = out.parent
        if not folder.is_dir():
            raise v.ValidationError("out", f"the folder {folder} does not exist")
        if not os.access(folder, os.W_OK | os.X_OK):
            raise v.ValidationError("out", f"the folder {folder} is not writable")
        if out.is_dir():
            raise v.ValidationError("out", f"{out} is a folder")
        if out.exists() and not req.overwrite:
            raise Conflict(f"{out} already exists; choose another name or allow replacing it")
        return self._sv.render_plan.plan(req.project_id, resolution=req.resolution)

    def start(self, req: ExportRequest) -> ExportStarted:
        """Queue the export job (the window's engine starts it at once; the CLI runs it)."""
        req = ExportRequest(**{**req.__dict__, "out": Path(req.out).expanduser().absolute()})
        plan = self.check(req)
        for job in self.active_jobs(req.project_id):
            if Path(job.request.get("out", "")) == req.out:
                raise Conflict(f"job {job.id} is already exporting {req.out}")
        (job_id,) = self.jobs.create([JobSpec(req.project_id, None, KIND, "local", "ffmpeg", req.to_json())])
        self._sv.generation._announce([job_id])
        return ExportStarted(job_id, plan)

    def retry(self, job: JobView) -> int:
        """A failed or cancelled export again, with the settings it had (Retry in the jobs panel)."""
        return self.start(ExportRequest.from_json(job.project_id, job.request)).job_id

    @property
    def jobs(self):  # noqa: ANN201 - JobRecords
        return self._sv.generation.records

    def active_jobs(self, project_id: int) -> list[JobView]:
        return [
            j for j in self.jobs.list(project_id, states=("queued", "running", "polling", "downloading"))
            if j.kind == KIND
        ]

    # ---- the record of finished videos ----------------------------------------------

    def record(self, project_id: int, *, job_id: int | None, path: Path, settings: dict, duration_s: float,
               size_bytes: int, render_s: float | None) -> ExportView:
        with self._transaction() as s:
            self._require_role(s, project_id, READ)
            row = VideoExport(
                id=self.ids.next_id(), user_id=self.user_id, project_id=project_id, job_id=job_id,
                path=str(path), settings=dict(settings), duration_s=float(duration_s),
                size_bytes=int(size_bytes), render_s=render_s,
            )
            s.add(row)
            s.flush()
            s.refresh(row)
            return _view(row)

    def list(self, project_id: int | None = None, *, limit: int = 100) -> list[ExportView]:
        """Newest first."""
        q = select(VideoExport).where(VideoExport.user_id == self.user_id)
        if project_id is not None:
            q = q.where(VideoExport.project_id == project_id)
        with self.db.sessions() as s:
            return [_view(r) for r in s.scalars(q.order_by(VideoExport.id.desc()).limit(limit))]

    def forget(self, export_id: int) -> None:
        """Drop a record (the file itself is the editor's and stays)."""
        with self._transaction() as s:
            done = s.execute(
                delete(VideoExport).where(VideoExport.id == export_id, VideoExport.user_id == self.user_id)
            ).rowcount
        if not done:
            raise NotFound(f"no export with id {export_id}")


def _view(r: VideoExport) -> ExportView:
    return ExportView(
        id=r.id, project_id=r.project_id, job_id=r.job_id, path=r.path, settings=dict(r.settings or {}),
        duration_s=r.duration_s, size_bytes=r.size_bytes, render_s=r.render_s, created_at=r.created_at,
    )

