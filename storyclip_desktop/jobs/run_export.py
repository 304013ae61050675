"""An export job: render the project's plan to the editor's MP4 in a worker thread, with
progress from ffmpeg, a cancel that ends every ffmpeg at once, and the file given its
real name only when whole. Restarted after a crash, the job starts over and finds the
scenes it had already encoded in the segment cache, so it finishes quickly."""

from __future__ import annotations

import asyncio
import contextlib
import functools
from pathlib import Path

from ..domain.subtitle_style import PRESETS
from ..media.render import RenderCancelled, RenderError
from ..media.render.ffmpeg import Cancel
from ..media.render.pipeline import RenderSettings, render, temp_output
from ..media.render.segments import SegmentCache
from ..services.errors import ServiceError
from ..services.export import ExportRequest
from .context import JobContext, JobFailed
from .owner import owner_alive

TICK_S = 0.5


def segment_cache(media_root: Path) -> SegmentCache:
    return SegmentCache(Path(media_root) / ".render" / "segments")


def job_temp(out: Path, job_id: int) -> Path:
    """One stable temporary name per job, so a restarted job clears its own leftover."""
    return temp_output(out, f"job{job_id}")


async def run_export(ctx: JobContext) -> dict:
    job = ctx.job
    req = ExportRequest.from_json(job.project_id, job.request)
    temp = job_temp(req.out, job.id)
    temp.unlink(missing_ok=True)  # a crashed attempt of this very job
    if req.out.exists() and not req.overwrite:
        raise JobFailed(f"{req.out} already exists; choose another name or allow replacing it")
    try:
        plan = await ctx.db(ctx.services.render_plan.plan, job.project_id, resolution=req.resolution)
    except ServiceError as e:
        raise JobFailed(e.message) from None
    style = PRESETS.get(req.style, PRESETS["clean"])
    if req.safe_area:
        style = style.with_safe_area(req.safe_area)
    settings = RenderSettings(subtitles=req.subtitles, style=style, music=req.music, music_db=req.music_db)
    await ctx.progress(0.01, force=True)

    cancel = Cancel()
    latest = [0.0]
    work = asyncio.get_running_loop().run_in_executor(
        None,
        functools.partial(
            render, plan, req.out, settings, segment_cache(ctx.media.root),
            cancel=cancel, progress=lambda f: latest.__setitem__(0, f), temp=temp,
        ),
    )
    try:
        while not work.done():
            await asyncio.wait([work], timeout=TICK_S)
            if not work.done():
                await ctx.progress(0.01 + 0.97 * latest[0])  # JobStopped if cancelled elsewhere
        result = work.result()
    except RenderCancelled:
        raise JobFailed("the export was cancelled") from None
    except RenderError as e:
        raise JobFailed(e.message) from None
    except BaseException:
        # Cancelled here, stopped from another process, or the engine is closing: end
        # every ffmpeg and wait until the render has removed its temporary file.
        cancel.set()
        with contextlib.suppress(BaseException):
            await asyncio.wait([work])
        temp.unlink(missing_ok=True)
        raise
    view = await ctx.db(
        ctx.services.exports.record, job.project_id, job_id=job.id, path=result.path,
        settings=req.to_json() | {"width": plan.width, "height": plan.height},
        duration_s=result.duration_s, size_bytes=result.size_bytes, render_s=round(result.seconds, 3),
    )
    return {
        "path": str(result.path), "duration": result.duration_s, "size_bytes": result.size_bytes,
        "export_id": view.id, "encoded": result.encoded, "reused": result.reused,
        "sidecars": [str(p) for p in result.sidecars], "seconds": round(result.seconds, 3),
        "placeholders": [s.scene_id for s in plan.placeholders],
    }


async def adopt_orphans(engine, project_id: int | None = None, out: Path | None = None) -> list[int]:  # noqa: ANN001
    """Export jobs a crashed process left running (optionally only those writing `out`):
    free their claim and run them here. Returns the job ids taken."""
    records = engine.services.generation.records
    views = await engine.run_db(records.list, project_id, states=("running", "polling", "downloading"))
    mine = []
    for v in views:
        if v.kind != "export" or owner_alive(v.owner, v.lease_until):
            continue
        if out is not None and Path(v.request.get("out", "")) != Path(out):
            continue
        if v.owner:
            await engine.run_db(records.release, v.owner, [v.id])
        mine.append(v.id)
    return await engine.submit(mine) if mine else []
