"""Generation in the window: the Generate actions call the GenerationService, the job
engine runs the jobs on the window's (qasync) loop, and what the jobs do comes back as
Qt signals: busy scenes, the running count, finished jobs.

`install_generation(window, engine)` wires one engine into a MainWindow: the jobs panel
in its dock, Settings' keysChanged, and this controller behind the Generate actions.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from .. import keychain
from ..domain import providers as provider_facts
from ..domain.job_kinds import JobKind
from ..services.generation_jobs import JobView
from .errors import USER_ERRORS, message_for, one_line
from .jobs_panel import JobsController, JobsPanel
from .ops import Changes, Ops

if TYPE_CHECKING:
    from ..services.app import Services
    from ..services.generation_plan import Choice
    from .main_window import MainWindow

log = logging.getLogger(__name__)

SCENE_KINDS = tuple(k.value for k in JobKind if k.per_scene)  # narration is per project
PROVIDERS = tuple(p.name for p in provider_facts.PROVIDERS)
RECONCILE_MS = 5000
# The service words some reasons for the command line; the window has no --scenes.
_CLI_WORDS = (("name it with --scenes for a new version", "select it to make a new version"),)


def ui_wording(text: str) -> str:
    for cli, ui in _CLI_WORDS:
        text = text.replace(cli, ui)
    return text


def provider_has_key(provider: str) -> bool:
    """Every key `provider` needs is set (environment, this session or the keychain).
    May block on the OS keyring: call it off the GUI thread."""
    return keychain.has_provider_keys(provider)


class KeyCache(QObject):
    """Which providers have keys, read through the window's operations (off the GUI
    thread) and kept: the window asks at every label update and must never wait on the
    keyring. `refresh()` after Settings saved or removed a key."""

    changed = Signal()

    def __init__(self, lookup: Callable[[str], bool] | None = None, parent: QObject | None = None,
                 ops: Ops | None = None) -> None:
        super().__init__(parent)
        self._lookup = lookup or provider_has_key
        self._known: dict[str, bool] = {}
        self._ready = False
        self._generation = 0
        self._ops = ops or Ops(lambda e: log.warning("key lookup failed (%s)", type(e).__name__), self)

    @property
    def ready(self) -> bool:
        return self._ready

    def refresh(self) -> None:
        self._generation += 1
        generation, lookup = self._generation, self._lookup

        def work() -> dict[str, bool]:
            known: dict[str, bool] = {}
            for p in PROVIDERS:
                try:
                    known[p] = bool(lookup(p))
                except Exception as exc:  # a broken keyring means "no key", never a crash
                    log.warning("key lookup for %s failed (%s)", p, type(exc).__name__)
                    known[p] = False
            return known

        self._ops.read(work, lambda known: self._apply(generation, known))

    def _apply(self, generation: int, known: dict[str, bool]) -> None:
        if generation != self._generation:
            return  # an older read finished after a newer one was asked for
        self._known = dict(known)
        self._ready = True
        self.changed.emit()

    def has_key(self, provider: str) -> bool:
        """The cached answer. Before the first read finished, ask directly: only the
        job engine's worker threads can get here that early (the window waits)."""
        if not self._ready:
            return bool(self._lookup(provider))
        return self._known.get(provider, False)

    def missing(self) -> list[str]:
        return [p for p in PROVIDERS if not self._known.get(p, False)]


class GenerationController(QObject):
    """Behind the Generate actions. Window-agnostic: everything goes out as signals."""

    runningChanged = Signal(int)  # jobs queued or running, here or in another window
    sceneBusy = Signal(object, str, bool)  # project id, scene id, busy
    jobFinished = Signal(object)  # a JobView that reached succeeded / failed / cancelled
    batchQueued = Signal(object)  # the BatchResult of a Generate action
    errorOccurred = Signal(object)  # an exception (or a line) the user can act on
    choicesChanged = Signal()  # keys became known or changed: providers may differ

    def __init__(
        self, services: Services, jobs: JobsController, keys: KeyCache, parent: QObject | None = None,
        *, ops: Ops | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.ops = ops or Ops(lambda e: self.errorOccurred.emit(e), self)  # the window's, installed
        self.jobs = jobs
        self.engine = jobs.engine
        self.keys = keys
        self._active: dict[int, JobView] = {}
        self._busy: dict[tuple[int, str], int] = {}
        self._settled: set[int] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closed = False
        self._jobs_known = True  # False while load_active's read is on its way
        jobs.jobChanged.connect(self._on_job_changed)
        keys.changed.connect(self.choicesChanged)
        # Jobs this engine does not run (another window, the CLI) send no events: their
        # rows are re-read now and then so their scenes do not stay busy for ever.
        self._reconcile_timer = QTimer(self)
        self._reconcile_timer.setInterval(RECONCILE_MS)
        self._reconcile_timer.timeout.connect(self._reconcile)
        self._reconcile_timer.start()

    # ---- state -------------------------------------------------------------------

    @property
    def ready(self) -> bool:
        """Generate actions wait until the keys are known (they pick the provider) and
        the jobs left running are (so the count and the busy scenes are whole)."""
        return self.keys.ready and self._jobs_known and not self._closed

    def running_count(self) -> int:
        return len(self._active)

    def active_jobs(self) -> list[JobView]:
        return list(self._active.values())

    def busy_scenes(self, project_id: int | None) -> list[str]:
        return [sid for (pid, sid), n in self._busy.items() if pid == project_id and n > 0]

    def choices(self, project_id: int) -> dict[str, Choice] | None:
        """job kind -> the provider a Generate action would use now; None while the
        keys are still being read."""
        if not self.keys.ready:
            return None
        gen = self.services.generation
        return {k: gen.choice(project_id, k) for k in (*SCENE_KINDS, "narration")}

    # ---- actions -----------------------------------------------------------------

    def generate(self, kind: str, project_id: int, scene_ids: Sequence[str] | None = None, *,
                 replace_edited: bool = False) -> bool:
        """`kind`: prompts / images / clips / narration. With scene ids, those scenes
        (a new version even of a scene that has one); without, the whole project.
        Prompts typed by hand are only replaced with `replace_edited`. The jobs are
        queued off the GUI thread; `batchQueued` follows. False if nothing was asked
        (keys not read yet, or the same Generate still being queued)."""
        if not self.ready:
            self.errorOccurred.emit("Still reading the API keys; try again in a moment")
            return False
        gen = self.services.generation
        job_kind = JobKind.from_batch(kind)  # ValueError for an unknown action: a bug
        ids = list(scene_ids) if scene_ids and job_kind.per_scene else None

        def refused(exc: BaseException) -> None:
            if isinstance(exc, USER_ERRORS):
                self.errorOccurred.emit(ui_wording(message_for(exc)))
            else:
                self.errorOccurred.emit(exc)

        # The engine announces each job (queued) on its next loop turn: busy cards follow.
        return self.ops.write(lambda: gen.enqueue(job_kind, project_id, ids, replace_edited=replace_edited),
                              changes=Changes(project_id), initiator=self, busy=("generate", project_id, kind),
                              success=self.batchQueued.emit, failure=refused)

    def load_active(self) -> None:
        """Jobs left queued or running (a previous run, the CLI): their scenes are busy
        until the engine resumes and finishes them. Read off the GUI thread."""
        generation = self.services.generation

        def track(views: list[JobView]) -> None:
            for v in views:
                # An engine event since the read is newer than the row: it stands.
                if v.id not in self._active and v.id not in self._settled:
                    self._track(v)
            known()

        def failed(_exc: BaseException) -> None:  # the window works without the list
            log.warning("reading the active jobs failed", exc_info=_exc)
            known()

        def known() -> None:
            self._jobs_known = True
            self.choicesChanged.emit()  # the Generate actions may be ready now

        self._jobs_known = not self.ops.read(lambda: generation.jobs(active_only=True), track, failure=failed,
                                             key="jobs-active")

    # ---- engine events -----------------------------------------------------------

    def _on_job_changed(self, job_id: int) -> None:
        job = self.jobs.job(job_id)
        if job is not None:
            self._track(job)

    def _track(self, job: JobView) -> None:
        before = len(self._active)
        if job.active:
            self._settled.discard(job.id)
            if job.id not in self._active:
                self._mark(job, +1)
            self._active[job.id] = job
        else:
            old = self._active.pop(job.id, None)
            if old is not None:
                self._mark(old, -1)
            if job.terminal and job.id not in self._settled:
                self._settled.add(job.id)
                if old is not None:  # seen running in this session: the views refresh
                    self.jobFinished.emit(job)
        if len(self._active) != before:
            self.runningChanged.emit(len(self._active))

    def _mark(self, job: JobView, delta: int) -> None:
        if job.scene_id is None or job.kind not in SCENE_KINDS:
            return
        key = (job.project_id, job.scene_id)
        n = self._busy.get(key, 0)
        m = max(0, n + delta)
        if m:
            self._busy[key] = m
        else:
            self._busy.pop(key, None)
        if (n > 0) != (m > 0):
            self.sceneBusy.emit(job.project_id, job.scene_id, m > 0)

    def _reconcile(self) -> None:
        if self._closed:
            return
        running_here = set(self.engine.running())
        others = [jid for jid in self._active if jid not in running_here]
        if not others or any(not t.done() for t in self._tasks):
            return
        self._spawn(self._reread(others))

    async def _reread(self, ids: list[int]) -> None:
        views = await self.engine.run_db(self.services.generation.jobs_by_id, ids)
        found = {v.id for v in views}
        for v in views:
            self._track(v)
        for jid in ids:  # deleted with its project
            old = self._active.get(jid)
            if jid not in found and old is not None:
                self._track(_ended(old))

    def _spawn(self, coro: Any) -> None:
        try:
            loop = asyncio.get_event_loop()
        except RuntimeError:
            coro.close()
            return
        task = loop.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.warning("re-reading jobs failed: %r", task.exception())

    # ---- start and stop ----------------------------------------------------------

    async def start(self) -> None:
        """Resume what a previous run left and keep adopting queued jobs."""
        try:
            await self.engine.start()
        except Exception as e:  # noqa: BLE001 - the window keeps working without it
            log.exception("the job engine did not start")
            self.errorOccurred.emit(f"Generation is unavailable: {one_line(e)}")

    async def aclose(self, timeout: float = 20.0) -> None:
        """Stop the engine (running jobs are resumed at the next start). Bounded, so
        quitting never hangs on a provider."""
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(RuntimeError):  # the window (our parent) may be gone
            self._reconcile_timer.stop()
        for t in list(self._tasks):
            t.cancel()
        self.jobs.close()
        try:
            await asyncio.wait_for(self.engine.aclose(), timeout)
        except TimeoutError:
            log.warning("the job engine did not stop within %.0f s", timeout)
        except Exception:
            log.exception("stopping the job engine failed")


def _ended(job: JobView) -> JobView:
    """A job whose row is gone (deleted with its project) counts as cancelled."""
    return dataclasses.replace(job, state="cancelled")


def install_generation(
    window: MainWindow, engine: Any, *, key_lookup: Callable[[str], bool] | None = None
) -> GenerationController:
    """Wire `engine` into `window`: the jobs panel in its dock, the Generate actions,
    busy cards, and keysChanged -> engine.forget_providers(). Call `start()` (a
    coroutine) on the loop afterwards and `aclose()` before the loop ends."""
    services = window.services
    keys = KeyCache(key_lookup, window, window.ctx.ops)
    # The service asks for keys when it picks a provider: from the cache, never the
    # keyring, so a Generate click does not wait on D-Bus.
    services.generation.key_check = keys.has_key
    jobs = JobsController(engine, window)
    panel = JobsPanel(jobs, ops=window.ctx.ops)
    window.set_jobs_panel(panel)
    controller = GenerationController(services, jobs, keys, window, ops=window.ctx.ops)
    window.set_generation_controller(controller)
    window.keysChanged.connect(lambda _provider: engine.forget_providers())
    window.keysChanged.connect(lambda _provider: keys.refresh())
    keys.refresh()
    controller.load_active()
    return controller
