"""What a running job may do: change its own row, reserve and settle tokens, get its
provider, and record its result as an asset version. Every store call runs on the
engine's worker threads, never on the loop."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..domain.job_kinds import JobKind
from ..domain.status import TransitionError
from ..services.errors import NotFound, ServiceError
from ..services.generation_jobs import JobView
from ..services.generation_plan import expected_cost, token_type
from . import media_out

if TYPE_CHECKING:
    from .engine import JobEngine

PROGRESS_EVERY_S = 1.0  # progress-only writes are throttled; state changes never are


def reservation_key(job: JobView) -> str | None:
    """`job-{id}-{call}`: one reservation per paid call, whatever retries or restarts."""
    if token_type(job.provider) is None:
        return None
    # The one paid call of each kind of job names it: a clip's is the task create.
    call = "create" if job.kind == JobKind.CLIP else JobKind(job.kind).value
    return f"job-{job.id}-{call}"


class JobStopped(Exception):
    """The row changed under the job: cancelled (maybe in another process), deleted with
    its project, or taken over. The job stops without writing anything else."""


class JobFailed(Exception):
    def __init__(self, message: str, *, resumable: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.resumable = resumable  # Retry fetches the paid result again instead of paying twice


class JobContext:
    def __init__(self, engine: JobEngine, job: JobView) -> None:
        self.engine = engine
        self.job = job
        self.services = engine.services
        self.media = engine.media
        # start -> calling (a paid request may be on the wire) -> called (answer in hand)
        self.phase = "start"
        self.remote_id: str | None = job.remote_task_id
        self.reserved = 0
        self.charged = 0
        self.billed = False  # the provider has (or will have) charged for this job
        self._last_progress_write = 0.0

    @property
    def paid(self) -> bool:
        return token_type(self.job.provider) is not None

    async def db(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        return await self.engine.run_db(fn, *args, **kwargs)

    async def set(self, **values: Any) -> None:
        """Write to this job's row; JobStopped when the row is no longer ours to write."""
        ok = await self.db(self.services.generation.records.update, self.job.id, self.engine.owner, **values)
        if not ok:
            raise JobStopped()
        self.job = dataclasses.replace(self.job, **values)
        self.engine.emit(self.job)

    async def progress(self, fraction: float, *, force: bool = False) -> None:
        fraction = max(0.0, min(1.0, fraction))
        now = time.monotonic()
        if force or now - self._last_progress_write >= PROGRESS_EVERY_S:
            self._last_progress_write = now
            await self.set(progress=fraction)
        else:
            self.job = dataclasses.replace(self.job, progress=fraction)
            self.engine.emit(self.job)

    async def io(self, fn: Any, *args: Any) -> Any:
        """Blocking file work (library, thumbnails, ffmpeg) on the engine's media threads."""
        return await self.engine.run_io(fn, *args)

    async def read_library(self, url: object, what: str) -> bytes:
        """A file of this machine's media library, read before anything is paid for;
        JobFailed naming `what` when it is not there."""
        try:
            return await self.io(media_out.read_media, self.media, str(url or ""))
        except (OSError, ValueError):
            raise JobFailed(f"{what} is not in this machine's media library") from None

    async def call(self, fn: Any, *args: Any) -> Any:
        """A provider call, on the provider loop (see bridge.py)."""
        return await self.engine.call_provider(self.job.id, fn, *args)

    async def provider(self) -> Any:
        return await self.engine.provider_for(self.job)

    # ---- tokens -------------------------------------------------------------------

    async def reserve(self, amount: int) -> None:
        """Hold the expected cost before a paid call; QuotaExceeded stops the job before
        any request is sent. The key is in the row first (the engine writes it when the
        job starts), so a crash between the two leaves a key without a reservation
        (harmless) and never the reverse."""
        key = reservation_key(self.job)
        if key is None or amount <= 0:
            return
        if self.job.reservation_key != key:
            await self.set(reservation_key=key)
        res = await self.db(
            self.services.tokens.reserve, token_type(self.job.provider), amount, key,
            project_id=self.job.project_id,  # the shared store charges per project
        )
        if res.state != "reserved":
            raise JobFailed(f"this job's paid call was already settled ({res.state}); Retry the job")
        self.reserved = res.amount

    async def paid_call(
        self, kind: str, fn: Any, req: Any, usage: Callable[[Any], int] = lambda r: r.usage_tokens
    ) -> Any:
        """One synchronous paid call (image, text, narration): its expected cost held first,
        the phase telling a stop whether it may have been billed, then settled at the
        usage the answer reports."""
        await self.reserve(expected_cost(kind, self.job.provider, self.job.request))
        self.phase = "calling"
        result = await self.call(fn, req)
        self.phase = "called"
        await self.commit(usage(result))
        return result

    async def commit(self, reported: int) -> int:
        """Settle at the usage the API reported (the reservation when it reports none)."""
        self.billed = True
        key = self.job.reservation_key
        if not self.paid or not key:
            return 0
        if not self.reserved:
            found = await self.db(self.services.generation.records.reservation, key)
            self.reserved = found[1] if found else 0
        charged = reported if reported and reported > 0 else self.reserved
        try:
            await self.db(self.services.tokens.commit, key, charged)
        except ServiceError:
            pass  # settled already (a resumed job); the first settlement stands
        self.charged = charged
        return charged

    # ---- results ------------------------------------------------------------------

    async def add_scene_version(self, type_: str, path: Path, metadata: dict) -> dict:
        url = media_out.media_url(self.media, path)
        pid, sid = self.job.project_id, str(self.job.scene_id)
        assets = self.services.assets
        try:
            version, scene = await self.db(assets.add_scene_version, pid, sid, type_, url, metadata)
            current = True
        except TransitionError:
            # The scene moved back meanwhile (prompt rewritten): keep the paid result as a
            # version the editor can still choose, without pulling the scene forward.
            version, scene = await self.db(
                assets.add_scene_version, pid, sid, type_, url, metadata, make_current=False
            )
            current = False
        except NotFound as e:
            raise JobFailed(e.message) from None
        return {
            "type": type_, "version": version.version, "storage_url": url,
            "made_current": current, "scene_status": scene.status,
        }

    def picture(self) -> dict[str, Any]:
        """What an image request and a clip request both take from the job's request."""
        r = self.job.request
        return {
            "prompt": str(r.get("prompt") or ""),
            "ratio": str(r.get("ratio") or "9:16"),
            "resolution": str(r.get("resolution") or "480p"),
            "negative_prompt": str(r.get("negative_prompt") or ""),
            "seed": r.get("seed"),
        }

    def metadata(self, **extra: Any) -> dict:
        r = self.job.request
        meta = {
            "provider": self.job.provider,
            "model": self.job.model,
            "prompt": r.get("prompt"),
            "seed": r.get("seed"),
            "width": None,
            "height": None,
            "duration": r.get("duration"),
            "cost": self.charged,
            "job_id": self.job.id,
        }
        meta.update(extra)
        return meta
