"""A clip job: create a remote task once, record its id, poll, download, add a version.

The task id is committed to the job row before the first poll, so after a crash the job
polls the same task again; nothing here ever creates a second task for one job.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
from pathlib import Path

from ..media.probe import probe
from ..providers.base import ClipRequest, ClipStatus, ErrorKind, ProviderError
from ..providers.sizes import target_size
from ..services.generation_plan import expected_cost
from . import media_out
from .context import JobContext, JobFailed

MAX_POLL_FAILURES = 30  # consecutive failed polls (each already retried by the provider)
MAX_POLL_S = 3 * 3600.0
EXPECTED_RENDER_S = 90.0  # shapes the progress bar only


def external_id(job_id: int) -> str:
    """Kling's external_task_id (its dedupe key) and Seedance's client request id."""
    return f"storyclip-job-{job_id}"


async def run_clip(ctx: JobContext) -> dict:
    provider = await ctx.provider()
    if not ctx.remote_id:
        await _create(ctx, provider)
    elif ctx.job.state != "polling":
        await ctx.set(state="polling")
    status = await _poll_until_done(ctx, provider)
    # The task finished, so it is billed whether or not the download works.
    await ctx.commit(status.usage_tokens)
    path = await _download(ctx, provider, status)
    await ctx.io(media_out.thumbnail, ctx.media, path)
    r = ctx.job.request
    width, height, duration = await ctx.io(_measure, path, r)
    meta = ctx.metadata(
        width=width, height=height, duration=duration,
        remote_task_id=ctx.remote_id, image_version=r.get("image_version"),
    )
    return await ctx.add_scene_version("clip", path, meta)


async def _create(ctx: JobContext, provider: object) -> None:
    r = ctx.job.request
    image = await ctx.read_library(
        r.get("image_url"), f"the image of {ctx.job.scene_id} (v{r.get('image_version')})"
    )
    req = ClipRequest(
        **ctx.picture(),
        image_png=image,
        duration=int(r.get("duration") or 5),
        external_id=external_id(ctx.job.id),
    )
    await ctx.reserve(expected_cost("clip", ctx.job.provider, r))

    async def create_and_record() -> None:
        ctx.phase = "calling"
        rid = await ctx.call(provider.create_clip, req)  # type: ignore[attr-defined]
        ctx.remote_id = rid
        ctx.phase = "created"
        await ctx.set(remote_task_id=rid, state="polling", progress=0.05)

    inner = asyncio.ensure_future(create_and_record())
    try:
        await asyncio.shield(inner)
    except asyncio.CancelledError:
        # The create may already be paid for: let it land and be recorded, so whoever
        # cancelled can stop the remote task (or at least account for it).
        with contextlib.suppress(Exception, asyncio.CancelledError):
            await inner
        raise


async def _poll_until_done(ctx: JobContext, provider: object) -> ClipStatus:
    interval = ctx.engine.poll_interval
    started = time.monotonic()
    failures = 0
    while True:
        try:
            status: ClipStatus = await ctx.call(provider.poll_clip, ctx.remote_id)  # type: ignore[attr-defined]
            failures = 0
        except ProviderError as e:
            if e.kind is ErrorKind.NOT_FOUND:
                raise JobFailed(e.message) from None
            failures += 1
            if not e.retryable or failures >= MAX_POLL_FAILURES:
                raise JobFailed(e.message, resumable=True) from None
            status = ClipStatus(state="running")
        if status.state == "succeeded":
            if not status.video_url:
                raise JobFailed("the clip finished without a video link", resumable=True)
            return status
        if status.state in ("failed", "expired", "cancelled"):
            message = status.error.message if status.error else f"the clip task was {status.state}"
            raise JobFailed(message)
        elapsed = time.monotonic() - started
        if elapsed > MAX_POLL_S:
            raise JobFailed("the clip is still not finished after 3 hours; Retry to keep waiting", resumable=True)
        if status.state == "queued":
            await ctx.progress(0.1)
        else:
            await ctx.progress(0.1 + 0.75 * (1 - math.exp(-elapsed / EXPECTED_RENDER_S)))
        await asyncio.sleep(interval)


async def _download(ctx: JobContext, provider: object, status: ClipStatus) -> Path:
    await ctx.set(state="downloading", progress=0.9)
    url = str(status.video_url)
    for attempt in range(2):
        tmp = ctx.media.temp_path(".mp4")
        try:
            # The provider's retry policy repeats the download itself; the paid task is never redone.
            await ctx.call(provider.download, url, tmp)  # type: ignore[attr-defined]
        except ProviderError as e:
            tmp.unlink(missing_ok=True)
            if attempt == 0:
                # The link may have expired: ask the task for a fresh one, once.
                with contextlib.suppress(ProviderError):
                    fresh = await ctx.call(provider.poll_clip, ctx.remote_id)  # type: ignore[attr-defined]
                    url = fresh.video_url or url
                continue
            raise JobFailed(f"the clip was made but could not be downloaded: {e.message}", resumable=True) from None
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return await ctx.io(ctx.media.store_file, tmp, ".mp4")
    raise AssertionError("unreachable")


def _measure(path: Path, r: dict) -> tuple[int | None, int | None, float | None]:
    try:
        info = probe(path)
        if info.width and info.height:
            return info.width, info.height, round(info.duration_s, 3)
    except Exception:  # a file ffmpeg cannot read is still the provider's answer
        pass
    try:
        w, h = target_size(str(r.get("ratio") or "9:16"), str(r.get("resolution") or "480p"))
    except ValueError:
        w = h = None
    return w, h, float(r.get("duration") or 5)
