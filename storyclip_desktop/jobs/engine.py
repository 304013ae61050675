"""The job engine: runs queued generation jobs on asyncio (qasync in the window, plain
asyncio in the CLI), a few at a time per provider, and settles their tokens.

Money rules, in one place:
- a paid call is preceded by a reservation (QuotaExceeded fails the job before any request);
- success commits the usage the API reported; a failure the provider does not bill refunds;
- a remote task id is committed before the first poll, so resume() polls, never re-creates;
- when we cannot know whether a call was billed (cancelled or crashed mid-request, a
  started clip that cannot be stopped), the reservation is committed, not refunded.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import logging
import os
import threading
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any

from ..domain.job_kinds import JobKind
from ..media.library import MediaLibrary
from ..services.errors import Conflict
from ..services.generation_jobs import JobView
from . import stopping
from .bridge import ProviderLoop
from .context import JobContext, JobStopped, reservation_key
from .events import JobEvent, Observers
from .limits import ProviderLimits
from .owner import LEASE_S, new_owner, owner_alive, retire
from .providers import ProviderFactory
from .run_clip import run_clip
from .run_export import run_export
from .run_image import run_image
from .run_narration import run_narration
from .run_text import run_prompt, run_split
from .tuning import freeze_startup_objects, lower_thread_priority

if TYPE_CHECKING:
    from ..services.app import Services

log = logging.getLogger(__name__)

HANDLERS: dict[JobKind, Callable[[JobContext], Awaitable[dict]]] = {
    JobKind.IMAGE: run_image, JobKind.CLIP: run_clip, JobKind.NARRATION: run_narration,
    JobKind.PROMPT: run_prompt, JobKind.TEXT: run_split,
    JobKind.EXPORT: run_export,  # the finished short (jobs/run_export.py)
}
POLL_ENV = "STORYCLIP_JOB_POLL_S"


class JobEngine:
    def __init__(
        self,
        services: Services,
        *,
        factory: ProviderFactory | None = None,
        media: MediaLibrary | None = None,
        limits: Mapping[str, int] | None = None,
        poll_interval: float | None = None,
        heartbeat_s: float = 30.0,
        db_workers: int = 2,
        io_workers: int = 2,
        shutdown_grace_s: float = 10.0,
        provider_threads: int = 2,
    ) -> None:
        self.services = services
        self.media = media or MediaLibrary()
        self.factory = factory or ProviderFactory(clip_cache=self.media.root / ".local-clips")
        self.limits = ProviderLimits(limits)
        self.poll_interval = poll_interval if poll_interval is not None else float(os.environ.get(POLL_ENV) or 5.0)
        self.heartbeat_s = heartbeat_s
        self.shutdown_grace_s = shutdown_grace_s
        self.owner = new_owner()
        # Provider lanes: a loop thread each with its own clients. A job always uses the
        # same lane (its id picks it), so a provider that keeps state per task (the local
        # clip renderer) sees every call of that job.
        lanes = max(1, provider_threads if factory is None or factory.can_clone else 1)
        self.factories = [self.factory] + [self.factory.clone() for _ in range(lanes - 1)]
        self.bridges = [ProviderLoop(f"storyclip-providers-{i}") for i in range(lanes)]
        self.observers = Observers()
        # A few dedicated threads for the store: SQLite has one writer anyway, and a small
        # pool keeps the GIL free enough for the loop (and the window) to stay smooth.
        self._pool = ThreadPoolExecutor(db_workers, thread_name_prefix="storyclip-jobs-db")
        self._io_pool = ThreadPoolExecutor(
            io_workers, thread_name_prefix="storyclip-jobs-media", initializer=lower_thread_priority
        )
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._contexts: dict[int, JobContext] = {}
        self._cancel_requested: set[int] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None
        self._background: list[asyncio.Task[None]] = []
        self._pending: set[asyncio.Task[Any]] = set()
        self._closed = False
        self._unsubscribe = services.generation.subscribe(self._on_enqueued)

    # ---- observers ----------------------------------------------------------------

    def subscribe(self, fn: Callable[[JobEvent], None]) -> Callable[[], None]:
        """Call `fn(JobEvent)` on the loop thread for every state or progress change."""
        return self.observers.subscribe(fn)

    def emit(self, job: JobView) -> None:
        self.observers.emit(JobEvent(job.id, job.state, job.progress, job))

    async def run_db(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, functools.partial(fn, *args, **kwargs))

    async def run_io(self, fn: Callable[..., Any], *args: Any) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._io_pool, functools.partial(fn, *args))

    def forget_providers(self) -> None:
        """Drop built clients (connect SettingsDialog.keysChanged here): the next job reads
        its key from the keychain again."""
        for f in self.factories:
            f.forget()

    def lane(self, job_id: int) -> int:
        return job_id % len(self.bridges)

    async def provider_for(self, job: JobView) -> Any:
        return await self.factories[self.lane(job.id)].get(job.kind, job.provider, job.model)

    async def call_provider(self, job_id: int, fn: Callable[..., Any], *args: Any) -> Any:
        return await self.bridges[self.lane(job_id)].call(fn, *args)

    @property
    def records(self) -> Any:
        return self.services.generation.records

    # ---- starting work ------------------------------------------------------------

    def _started(self) -> None:
        if self._loop is None:
            freeze_startup_objects()
            self._loop = asyncio.get_running_loop()
            self._loop_thread = threading.get_ident()
            self._background.append(self._loop.create_task(self._heartbeat(), name="job heartbeat"))

    async def start(self, *, adopt_every_s: float | None = 10.0) -> list[int]:
        """For the window: resume what a previous run left, then keep picking up jobs that
        other processes (the CLI without --wait) queued."""
        ids = await self.resume()
        if adopt_every_s:
            self._background.append(asyncio.get_running_loop().create_task(self._adopt_loop(adopt_every_s)))
        return ids

    async def submit(self, job_ids: Iterable[int]) -> list[int]:
        """Run these queued jobs here; returns the ones this engine took."""
        self._started()
        taken = []
        for jid in job_ids:
            if jid not in self._tasks and await self._claim(jid, expected_owner=None):
                taken.append(jid)
        return taken

    async def resume(self) -> list[int]:
        """Pick up every active job nobody runs any more (crash, restart, closed window).
        A job with a remote task id resumes polling and never creates the task again."""
        self._started()
        return await self._take_over(await self.run_db(self.records.resumable))

    async def adopt(self, job_ids: Iterable[int]) -> list[int]:
        """resume(), for these jobs only (`generate ... --wait` run again after a crash)."""
        self._started()
        views = await self.run_db(self.records.many, list(job_ids))
        return await self._take_over([v for v in views if v.active])

    async def _take_over(self, views: list[JobView]) -> list[int]:
        taken = []
        for view in views:
            if view.id in self._tasks:
                continue
            if view.owner == self.owner or not owner_alive(view.owner, view.lease_until):
                if await self._claim(view.id, expected_owner=view.owner):
                    taken.append(view.id)
        return taken

    async def _claim(self, job_id: int, *, expected_owner: str | None) -> bool:
        view = await self.run_db(
            self.records.claim, job_id, self.owner, time.time() + LEASE_S, expected_owner=expected_owner
        )
        if view is None or self._closed:
            return False
        self._spawn(view)
        return True

    def _spawn(self, view: JobView) -> None:
        task = asyncio.get_running_loop().create_task(self._run(view), name=f"job {view.id}")
        self._tasks[view.id] = task
        task.add_done_callback(lambda _t, jid=view.id: self._tasks.pop(jid, None))
        self.emit(view)

    def _on_enqueued(self, job_ids: list[int]) -> None:
        """GenerationService announced new jobs; start them if this engine is running."""
        loop = self._loop
        if loop is None or self._closed or loop.is_closed():
            return
        ids = list(job_ids)
        if threading.get_ident() == self._loop_thread:
            self._keep(loop.create_task(self.submit(ids)))
        else:
            loop.call_soon_threadsafe(lambda: self._keep(loop.create_task(self.submit(ids))))

    def _keep(self, task: asyncio.Task[Any]) -> None:
        # The loop only keeps weak references to tasks: hold this one until it is done.
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(self.heartbeat_s)
            with contextlib.suppress(Exception):
                await self.run_db(self.records.renew, self.owner, time.time() + LEASE_S)

    async def _adopt_loop(self, every_s: float) -> None:
        while True:
            await asyncio.sleep(every_s)
            try:
                await self.resume()
            except Exception:
                log.exception("picking up queued jobs failed")

    # ---- waiting ------------------------------------------------------------------

    async def wait(self, job_ids: Iterable[int]) -> list[JobView]:
        """Until these jobs stop running here; their rows as they ended."""
        ids = list(job_ids)
        while True:
            tasks = [self._tasks[i] for i in ids if i in self._tasks]
            if not tasks:
                break
            await asyncio.wait(tasks)
        views = {v.id: v for v in await self.run_db(self.records.many, ids)}
        return [views[i] for i in ids if i in views]

    async def run_until_idle(self) -> None:
        while self._tasks:
            await asyncio.wait(list(self._tasks.values()))

    def running(self) -> list[int]:
        return list(self._tasks)

    # ---- one job ------------------------------------------------------------------

    async def _run(self, claimed: JobView) -> None:
        jid = claimed.id
        ctx: JobContext | None = None
        final: JobView | None = None
        try:
            async with self.limits.slot(claimed.provider, claimed.kind):
                view = await self._begin(claimed)
                if view is None:
                    return
                ctx = self._contexts[jid] = JobContext(self, view)
                self.emit(view)
                result = await HANDLERS[JobKind(view.kind)](ctx)
                ctx.phase = "done"
            done = await self.run_db(
                self.records.finish, jid, self.owner, "succeeded", result=result, progress=1.0, error=None
            )
            if done:
                final = dataclasses.replace(ctx.job, state="succeeded", result=result, progress=1.0, error=None, owner=None)
            else:
                log.info("job %s finished after it was cancelled; its result was kept", jid)
        except asyncio.CancelledError:
            if jid in self._cancel_requested:
                await stopping.wind_down(self, jid, ctx, cancelled_here=True)
                return  # the engine asked for this cancel: the task ends normally
            await stopping.interrupted(self, jid, ctx)
            raise
        except JobStopped:
            await stopping.wind_down(self, jid, ctx, cancelled_here=False)
        except Exception as exc:
            try:
                await stopping.failed(self, jid, ctx, exc)
            except Exception:
                log.exception("job %s: recording its failure failed", jid)
        finally:
            self._cancel_requested.discard(jid)
            self._contexts.pop(jid, None)
            if final is not None:
                self.emit(final)
            else:
                await self._emit_row(jid)

    async def _begin(self, claimed: JobView) -> JobView | None:
        """The job as it starts running here, or None when there is nothing to run."""
        if claimed.state == "queued":
            key = reservation_key(claimed)
            if await self.run_db(self.records.start, claimed.id, self.owner, reservation_key=key):
                return dataclasses.replace(
                    claimed, state="running", attempts=claimed.attempts + 1, error=None,
                    reservation_key=key or claimed.reservation_key,
                )
        # Cancelled while it waited for a slot, or found running after a restart.
        view = await self.run_db(self.records.find, claimed.id)
        if view is None or view.terminal or view.owner != self.owner or view.state == "queued":
            return None
        return await stopping.resume_check(self, view)

    async def _emit_row(self, job_id: int) -> None:
        with contextlib.suppress(Exception):
            view = await self.run_db(self.records.find, job_id)
            if view is not None:
                self.emit(view)

    # ---- cancel -------------------------------------------------------------------

    async def cancel(self, job_id: int) -> JobView:
        """Cancel a job wherever it runs. A remote clip is cancelled too where the API
        allows (Seedance, while queued); Kling has none, so the job just stops polling."""
        self._started()
        view = await self.run_db(self.records.get, job_id)
        if view.terminal:
            raise Conflict(f"job {job_id} already {view.state}")
        task = self._tasks.get(job_id)
        if task is not None and not task.done():
            self._cancel_requested.add(job_id)
            task.cancel()
            await asyncio.wait([task])
        elif view.owner and view.owner != self.owner and owner_alive(view.owner, view.lease_until):
            # Another StoryClip runs it: mark the row; that engine notices at its next step,
            # stops, and cancels the remote task and settles the tokens itself.
            await self.run_db(self.records.cancel, job_id, None)
        else:
            claimed = await self.run_db(
                self.records.claim, job_id, self.owner, time.time() + LEASE_S, expected_owner=view.owner
            )
            if claimed is not None:
                await stopping.wind_down(self, job_id, None, cancelled_here=True, row=claimed)
        final = await self.run_db(self.records.get, job_id)
        self.emit(final)
        return final

    async def retry(self, job_id: int) -> int:
        """Run a failed or cancelled job again (GenerationService.retry says how)."""
        self._started()
        new_id = await self.run_db(self.services.generation.retry, job_id)
        return new_id

    # ---- crash, restart and shutdown ----------------------------------------------

    async def aclose(self) -> None:
        """Stop: paid calls in flight get a short grace to land; everything else is left
        for the next resume(), and this engine's claims are released at once."""
        if self._closed:
            return
        self._closed = True
        self._unsubscribe()
        for t in self._background:
            t.cancel()
        busy = [
            self._tasks[j] for j, c in self._contexts.items()
            if j in self._tasks and c.phase in ("calling", "called") and not c.remote_id
        ]
        if busy and self.shutdown_grace_s > 0:
            await asyncio.wait(busy, timeout=self.shutdown_grace_s)
        tasks = list(self._tasks.values())
        for t in tasks:
            t.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.gather(*self._background, return_exceptions=True)
        if self._loop is not None:
            with contextlib.suppress(Exception):
                await self.run_db(self.records.release, self.owner)
        retire(self.owner)
        for bridge, factory in zip(self.bridges, self.factories, strict=True):
            with contextlib.suppress(Exception):
                await bridge.call(factory.aclose)
            await bridge.aclose()
        self._pool.shutdown(wait=False)
        self._io_pool.shutdown(wait=False)
