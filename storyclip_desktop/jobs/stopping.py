"""How a job stops when it does not simply succeed: failure, cancel (here or from another
process), a restart that finds it half done, and shutdown. Each path settles the job's
token reservation by one rule: commit what was (or may have been) billed, refund the rest.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from typing import TYPE_CHECKING

import httpx

from ..domain.job_kinds import JobKind
from ..domain.providers import label as provider_label
from ..providers.base import ProviderError
from ..services.errors import USER_ERRORS, ServiceError, one_line
from ..services.generation_jobs import JobView
from .context import JobContext, JobFailed

if TYPE_CHECKING:
    from .engine import JobEngine

log = logging.getLogger(__name__)



def error_text(exc: BaseException) -> str:
    """One line a user can act on; never a secret (provider messages are scrubbed)."""
    if isinstance(exc, (JobFailed, ProviderError, *USER_ERRORS)):
        return one_line(exc)
    return f"unexpected error ({type(exc).__name__}); see the log"


async def failed(engine: JobEngine, job_id: int, ctx: JobContext | None, exc: Exception) -> None:
    msg = error_text(exc)
    if not isinstance(exc, (JobFailed, ProviderError, *USER_ERRORS)):
        log.error("job %s failed", job_id, exc_info=exc)
    resumable = bool(isinstance(exc, JobFailed) and exc.resumable and ctx and ctx.remote_id)
    if ctx is not None:
        charge = ctx.billed or (ctx.phase == "calling" and maybe_billed(exc))
        await settle(engine, ctx.job, charge=charge, charged=ctx.charged)
    failed_in = ctx.job.state if ctx else "queued"
    await engine.run_db(
        engine.records.finish, job_id, engine.owner, "failed", error=msg,
        result={"failed_in": failed_in, "resumable": resumable},
    )


def maybe_billed(exc: Exception) -> bool:
    """A paid request that timed out, or whose connection broke, after it was sent may
    have been carried out (and billed) anyway: count it rather than refund it. An answer
    from the server (any status) and a connection never made are not billed."""
    cause = exc.__cause__ if isinstance(exc, ProviderError) else None
    never_sent = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
    return isinstance(cause, httpx.TransportError) and not isinstance(cause, never_sent)


async def settle(engine: JobEngine, job: JobView, *, charge: bool, charged: int = 0) -> None:
    """Close a still-open reservation: commit it (billed, or maybe billed) or refund it."""
    key = job.reservation_key
    if not key:
        return
    found = await engine.run_db(engine.records.reservation, key)
    if not found or found[0] != "reserved":
        return
    tokens = engine.services.tokens
    try:
        if charge:
            await engine.run_db(tokens.commit, key, charged or found[1])
        else:
            await engine.run_db(tokens.refund, key)
    except ServiceError:
        pass  # settled concurrently by another engine; the first settlement stands


async def wind_down(
    engine: JobEngine, job_id: int, ctx: JobContext | None, *, cancelled_here: bool, row: JobView | None = None
) -> None:
    """The job stops: cancelled here, or its row changed elsewhere (JobStopped)."""
    view = row or await engine.run_db(engine.records.find, job_id)
    if view is None:
        job = ctx.job if ctx else None  # deleted with its project
    elif view.state == "cancelled" or cancelled_here:
        job = view
    else:
        return  # another engine took it over: it carries on from here
    if job is None:
        return
    remote_id = (ctx.remote_id if ctx else None) or job.remote_task_id
    job = dataclasses.replace(job, reservation_key=(ctx.job.reservation_key if ctx else None) or job.reservation_key)
    note = None
    if remote_id and job.kind == "clip":
        stopped = await cancel_remote(engine, job, remote_id)
        billed_anyway = not stopped or (ctx is not None and ctx.billed)
        await settle(engine, job, charge=billed_anyway, charged=ctx.charged if ctx else 0)
        if not stopped:
            label = provider_label(job.provider)
            note = f"{label} could not stop the clip it had started; it may still be charged"
            if job.provider == "local":
                note = None
    else:
        phase = ctx.phase if ctx else ("calling" if job.state != "queued" else "start")
        maybe_billed = phase in ("calling", "called", "done") or (ctx is not None and ctx.billed)
        await settle(engine, job, charge=maybe_billed, charged=ctx.charged if ctx else 0)
        if maybe_billed and ctx is not None and ctx.paid:
            note = "cancelled while the provider was working; it may still charge for the call"
    if view is not None:
        await engine.run_db(engine.records.cancel, job_id, note)


async def cancel_remote(engine: JobEngine, job: JobView, remote_id: str) -> bool:
    try:
        provider = await engine.provider_for(job)
        return bool(await engine.call_provider(job.id, provider.cancel_clip, remote_id))
    except ProviderError as e:
        log.warning("job %s: remote cancel failed: %s", job.id, e.message)
        return False


async def resume_check(engine: JobEngine, view: JobView) -> JobView | None:
    """A job found running with no engine: carry on where that is safe with money,
    otherwise fail it clearly (returns None)."""
    if view.kind == "clip" and view.remote_task_id:
        return view  # poll the task it already has
    key = view.reservation_key
    found = await engine.run_db(engine.records.reservation, key) if key else None
    if found is None or view.provider == "local":
        return view  # no paid call was made: start over
    state, amount = found
    if view.kind == "clip" and view.provider == "kling" and state == "reserved":
        return view  # Kling dedupes a repeated create on external_task_id
    noun = JobKind(view.kind).noun
    label = provider_label(view.provider)
    if state == "reserved":
        await settle(engine, view, charge=True, charged=amount)
        msg = f"StoryClip stopped during the {noun} call, so {label} may have charged for it; Retry to make it again"
        if view.kind == "clip":
            msg += f" (check the {label} console first)"
    elif state == "committed":
        msg = f"StoryClip stopped before the {noun} was saved; Retry to make it again"
    else:
        msg = f"the {noun} call failed before StoryClip stopped; Retry to make it again"
    await engine.run_db(
        engine.records.finish, view.id, engine.owner, "failed", error=msg,
        result={"failed_in": view.state, "resumable": False},
    )
    return None


async def interrupted(engine: JobEngine, job_id: int, ctx: JobContext | None) -> None:
    """The engine is closing. Remote tasks stay for resume(); a paid call that was cut
    off cannot be resumed, so it fails and keeps its (maybe billed) reservation."""
    if ctx is None or ctx.remote_id or not ctx.paid or ctx.phase == "start":
        return
    with contextlib.suppress(Exception):
        await settle(engine, ctx.job, charge=True, charged=ctx.charged)
        await engine.run_db(
            engine.records.finish, job_id, engine.owner, "failed",
            error="StoryClip closed during this call, which may have been charged; Retry to make it again",
            result={"failed_in": ctx.job.state, "resumable": False},
        )
