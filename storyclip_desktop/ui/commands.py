"""Undoable edits. Each command calls services only; the database is the truth.

A command runs once *before* it is pushed (`CommandContext.push`): the call goes through
the operations layer (ui/ops: off the GUI thread), and only when it succeeded is the
command put on the stack; a service error keeps it off, and the user's input stays where
it was. Undo and redo run the same way; a later failure (someone changed the data
meanwhile) is reported and the command becomes obsolete so the stack drops it. What a
command changed goes out as one `ops.Changes` with the command's initiator.

What undo can and cannot restore, with the services that exist today:
- A deleted scene comes back as itself (`scenes.restore`): same id and label, status,
  chosen versions, review history and place.
- Deleted projects and re-split scenes are re-created from a snapshot of their texts
  (title, description, script, preferences, scene JSON, no_subject). Scene statuses
  start over (init/prompt), scene labels are new (S<n> continues), and generated media
  versions are not re-attached (they stay in the media history).
- Confirm and reject are taken back by `reviews.undo_last`: the status returns and the
  decision leaves the history, unless the scene changed since (then undo says so).
- Scene edits that change a prompt leave the scene in 'prompt' after undo too, because
  editing a prompt always returns the scene to review.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from ..domain.status import SceneAction
from ..services.app import Services
from ..services.errors import Conflict, ServiceError
from ..services.views import DeletedScene, ProjectDetail, SceneView
from .errors import ErrorReporter
from .ops import Changes, Ops


class Events(QObject):
    """What changed, so every view refreshes from the services. Ids are Python ints
    (64-bit), hence `object` rather than `int` signals. `changed` carries the whole
    `Changes` and who asked for it (views skip their own echo); the others are the
    same news per kind, for views that need no more."""

    changed = Signal(object, object)  # Changes, initiator
    projectsChanged = Signal()
    projectChanged = Signal(object)  # project id: title, script, preferences
    scenesChanged = Signal(object)  # project id: scenes added, removed or replaced
    sceneChanged = Signal(object, str)  # project id, scene id: fields or status
    reveal = Signal(object, object)  # project id, scene id or None: undo/redo touched it

    def publish(self, changes: Changes, initiator: object = None) -> None:
        self.changed.emit(changes, initiator)
        pid = changes.project_id
        if pid is not None and changes.project:
            self.projectChanged.emit(pid)
        if pid is not None and changes.scenes:
            self.scenesChanged.emit(pid)
        if pid is not None:
            for sid in sorted(changes.scene_ids):
                self.sceneChanged.emit(pid, sid)
        if changes.projects:
            self.projectsChanged.emit()


class CommandContext:
    def __init__(self, services: Services, stack: QUndoStack, reporter: ErrorReporter, events: Events,
                 ops: Ops | None = None) -> None:
        self.services, self.stack, self.reporter, self.events = services, stack, reporter, events
        self.timing_reader: object | None = None  # ui/timing_text.timing_reader: one for all views
        self.ops = ops or Ops(reporter.report, events)
        self.ops.changed.connect(events.publish)
        self._projects: dict[int, int] = {}
        self._scenes: dict[tuple[int, str], str] = {}

    def close(self, timeout: float = 0.0) -> bool:
        """The window closes: nothing more comes back to its views; edits still waiting
        land (up to `timeout` seconds). True if nothing runs any more."""
        reader = self.timing_reader
        if reader is not None:
            reader.close()  # type: ignore[attr-defined]
        return self.ops.close(timeout)

    @classmethod
    def standalone(cls, services: Services, report: Callable[[str], object], parent: QObject,
                   stack: QUndoStack | None = None) -> CommandContext:
        """For a panel used without the window (tests, benchmarks): its own stack and
        events, failures as lines to `report`."""
        return cls(services, stack or QUndoStack(parent), ErrorReporter(None, report, parent), Events(parent))

    def push(self, cmd: ServiceCommand | Callable[[], ServiceCommand], *, initiator: object = None,
             done: Callable[[bool], object] | None = None, busy: Hashable | None = None) -> bool:
        """Apply `cmd` (or build it: constructors that snapshot may fail too) off the GUI
        thread; only on success put it on the stack. `done(ok)` follows on the GUI
        thread. False if nothing was asked (`busy` names a call still running)."""
        built: list[ServiceCommand] = []

        def work() -> tuple[ServiceCommand, object, Changes]:
            c = cmd if isinstance(cmd, ServiceCommand) else cmd()
            built.append(c)
            result = c.apply()
            return c, result, c.changes()

        def pushed(out: tuple[ServiceCommand, object, Changes]) -> None:
            c, result = out[0], out[1]
            c.landed(result)
            self.reporter.clear()  # the last problem is behind the user now
            if c.worth_pushing(result):
                c.pushing = True
                self.stack.push(c)
            if c.reveal_on_push:
                self.events.reveal.emit(*c.reveal_target())
            if done is not None:
                done(True)

        def failed(exc: BaseException) -> None:
            # A failure to build (snapshot) changed nothing; one to apply a destructive
            # step gets a box (ErrorReporter.report).
            destructive = bool(built) and built[0].destructive
            self.reporter.report(exc, destructive=destructive)
            if built:
                built[0].failed(exc)
            if done is not None:
                done(False)

        return self.ops.write(work, changes=lambda out: out[2], initiator=initiator, busy=busy,
                              success=pushed, failure=failed)

    # Re-created projects and scenes get new ids; older commands find them through
    # these maps. Targets are rewritten on every alias so a lookup is always one hop.
    def project(self, pid: int) -> int:
        return self._projects.get(pid, pid)

    def scene(self, pid: int, sid: str) -> str:
        return self._scenes.get((self.project(pid), sid), sid)

    def alias_project(self, old: int, new: int) -> None:
        if old == new:
            return
        for k, v in list(self._projects.items()):
            if v == old:
                self._projects[k] = new
        self._projects[old] = new
        for (p, s), t in list(self._scenes.items()):
            if p == old:
                self._scenes[(new, s)] = t

    def alias_scene(self, pid: int, old: str, new: str) -> None:
        pid = self.project(pid)
        if old == new:
            return
        for k, v in list(self._scenes.items()):
            if k[0] == pid and v == old:
                self._scenes[k] = new
        self._scenes[(pid, old)] = new


class ServiceCommand(QUndoCommand):
    destructive = False
    reveal_on_push = False  # select what the command made as soon as it is pushed

    def __init__(self, ctx: CommandContext, text: str) -> None:
        super().__init__(text)
        self.ctx = ctx
        self.pushing = False  # push() calls redo() once; that apply already ran

    def apply(self) -> object:
        """The service call(s); runs on the operations thread."""
        raise NotImplementedError

    def revert(self) -> object:
        raise NotImplementedError

    def changes(self) -> Changes:
        """What apply or revert changed (computed on the operations thread too)."""
        return Changes()

    def landed(self, result: object) -> None:
        """On the GUI thread after apply or revert succeeded, with its result."""

    def failed(self, exc: BaseException) -> None:
        """On the GUI thread after apply failed (the command is not pushed)."""

    def worth_pushing(self, result: object) -> bool:
        return True

    def reveal_target(self) -> tuple[object, object]:
        return None, None

    def redo(self) -> None:
        if self.pushing:
            self.pushing = False
            return
        self._in_background(self.apply)

    def undo(self) -> None:
        self._in_background(self.revert, undoing=True)

    def _in_background(self, fn: Callable[[], object], *, undoing: bool = False) -> None:
        if self.isObsolete():  # an earlier step failed: the stack drops it now
            return

        def work() -> tuple[object, Changes]:
            result = fn()
            return result, self.changes()

        def ok(out: tuple[object, Changes]) -> None:
            self.landed(out[0])
            self.ctx.events.reveal.emit(*self.reveal_target())

        def failed(exc: BaseException) -> None:
            self.ctx.reporter.report(exc)
            with contextlib.suppress(RuntimeError):  # the stack deleted it meanwhile
                self.setObsolete(True)
                self._drop(undoing)

        self.ctx.ops.write(work, changes=lambda out: out[1], success=ok, failure=failed)


    def _drop(self, undoing: bool) -> None:
        """Take the obsolete command off the stack now, if the stack still stands next
        to it: stepping back over an obsolete command deletes it (QUndoStack)."""
        stack = self.ctx.stack
        if undoing and stack.index() < stack.count() and stack.command(stack.index()) is self:
            stack.redo()
        elif not undoing and stack.index() > 0 and stack.command(stack.index() - 1) is self:
            stack.undo()


# ---- projects --------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectSnapshot:
    detail: ProjectDetail
    scenes: list[SceneView]


def snapshot_project(services: Services, pid: int) -> ProjectSnapshot:
    return ProjectSnapshot(services.projects.get(pid), services.scenes.list(pid))


def restore_scenes(ctx: CommandContext, pid: int, scenes: list[SceneView]) -> None:
    """Replace the project's scenes with these texts (one split, then an edit for each
    scene that carried more than narration)."""
    sv = ctx.services
    new = sv.scenes.split(pid, replace=True, chunks=[s.narration for s in scenes])
    for old, fresh in zip(scenes, new, strict=True):
        ctx.alias_scene(pid, old.scene_id, fresh.scene_id)
        extra = {k: v for k, v in old.scene_json.items() if k != "narration"}
        if extra or old.no_subject:
            sv.scenes.edit(pid, fresh.scene_id, extra, no_subject=old.no_subject)


def restore_project(ctx: CommandContext, snap: ProjectSnapshot) -> int:
    sv, d = ctx.services, snap.detail
    pid = sv.projects.create(d.title, description=d.description, script=d.script)
    p = d.preferences
    sv.preferences.update(
        pid, image_gen_model=p.image_gen_model, video_gen_model=p.video_gen_model,
        voice_gen_model=p.voice_gen_model, stability=p.stability, resolution=p.resolution,
        ratio=p.ratio, custom_style=p.custom_style, split_rule=p.split_rule,
    )
    ctx.alias_project(d.id, pid)
    if snap.scenes:
        restore_scenes(ctx, pid, snap.scenes)
    return pid


class _NewProject(ServiceCommand):
    """A command that makes a project; redo makes another (new id) that older commands
    find through the alias. The new project is selected once it exists."""

    reveal_on_push = True

    def __init__(self, ctx: CommandContext, text: str) -> None:
        super().__init__(ctx, text)
        self.pid: int | None = None

    def make(self) -> int:
        raise NotImplementedError

    def apply(self) -> None:
        new = self.make()
        if self.pid is not None:
            self.ctx.alias_project(self.pid, new)
        self.pid = new

    def revert(self) -> None:
        self.ctx.services.projects.delete(self.ctx.project(self.pid))

    def changes(self) -> Changes:
        return Changes(projects=True)

    def reveal_target(self) -> tuple[object, object]:
        return self.ctx.project(self.pid), None


class CreateProject(_NewProject):
    def __init__(self, ctx: CommandContext, title: str, description: str | None = None) -> None:
        super().__init__(ctx, f"Create project “{title}”")
        self.title, self.description = title, description

    def make(self) -> int:
        return self.ctx.services.projects.create(self.title, description=self.description)


class RenameProject(ServiceCommand):
    def __init__(self, ctx: CommandContext, pid: int, old: str, new: str) -> None:
        super().__init__(ctx, f"Rename to “{new}”")
        self.pid, self.old, self.new = pid, old, new

    def apply(self) -> None:
        self.ctx.services.projects.rename(self.ctx.project(self.pid), self.new)

    def revert(self) -> None:
        self.ctx.services.projects.rename(self.ctx.project(self.pid), self.old)

    def changes(self) -> Changes:
        return Changes(self.ctx.project(self.pid), projects=True, project=True)

    def reveal_target(self) -> tuple[object, object]:
        return self.ctx.project(self.pid), None


class DuplicateProject(_NewProject):
    def __init__(self, ctx: CommandContext, pid: int, title: str | None = None) -> None:
        super().__init__(ctx, "Duplicate project")
        self.source, self.title = pid, title

    def make(self) -> int:
        return self.ctx.services.projects.duplicate(self.ctx.project(self.source), self.title)


class DeleteProject(ServiceCommand):
    """Undo re-creates the project from the snapshot taken here (see module doc)."""

    destructive = True

    def __init__(self, ctx: CommandContext, pid: int) -> None:
        self.snap = snapshot_project(ctx.services, pid)
        super().__init__(ctx, f"Delete project “{self.snap.detail.title}”")
        self.pid = pid

    def apply(self) -> None:
        self.ctx.services.projects.delete(self.ctx.project(self.pid))

    def revert(self) -> None:
        restore_project(self.ctx, self.snap)

    def changes(self) -> Changes:
        return Changes(projects=True)

    def reveal_target(self) -> tuple[object, object]:
        return self.ctx.project(self.pid), None


class SetPreferences(ServiceCommand):
    """One or more preference fields. Consecutive stability drags merge into one step."""

    def __init__(self, ctx: CommandContext, pid: int, old: dict, new: dict, label: str = "preferences") -> None:
        super().__init__(ctx, f"Change {label}")
        self.pid, self.old, self.new = pid, dict(old), dict(new)

    def apply(self) -> None:
        self.ctx.services.preferences.update(self.ctx.project(self.pid), **self.new)

    def revert(self) -> None:
        self.ctx.services.preferences.update(self.ctx.project(self.pid), **self.old)

    def id(self) -> int:
        return 4201 if set(self.new) == {"stability"} else -1

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, SetPreferences) or other.pid != self.pid or set(other.new) != set(self.new):
            return False
        self.new = dict(other.new)
        return True

    def changes(self) -> Changes:
        return Changes(self.ctx.project(self.pid), project=True)

    def reveal_target(self) -> tuple[object, object]:
        return self.ctx.project(self.pid), None


class SplitScenes(ServiceCommand):
    """Re-split the script; undo puts the previous scene texts back (module doc)."""

    destructive = True

    def __init__(self, ctx: CommandContext, pid: int) -> None:
        super().__init__(ctx, "Split into scenes")
        self.pid = pid
        self.before = ctx.services.scenes.list(pid)
        self.after: list[SceneView] = []

    def apply(self) -> None:
        self.after = self.ctx.services.scenes.split(self.ctx.project(self.pid), replace=True)

    def revert(self) -> None:
        restore_scenes(self.ctx, self.ctx.project(self.pid), self.before)

    def changes(self) -> Changes:
        return Changes(self.ctx.project(self.pid), scenes=True, projects=True)

    def reveal_target(self) -> tuple[object, object]:
        return self.ctx.project(self.pid), None


# ---- scenes ----------------------------------------------------------------------


class _SceneCommand(ServiceCommand):
    def __init__(self, ctx: CommandContext, pid: int, sid: str, text: str) -> None:
        super().__init__(ctx, text)
        self.pid, self.sid = pid, sid

    @property
    def target(self) -> tuple[int, str]:
        return self.ctx.project(self.pid), self.ctx.scene(self.pid, self.sid)

    def changes(self) -> Changes:
        pid, sid = self.target  # status counts in the sidebar too
        return Changes(pid, scene_ids=frozenset({sid}), projects=True)

    def reveal_target(self) -> tuple[object, object]:
        return self.target


class EditScene(_SceneCommand):
    """`old`/`new` hold only the fields that change; None in `old` means the key was
    absent, so undo removes it again."""

    def __init__(self, ctx: CommandContext, pid: int, sid: str, old: dict, new: dict,
                 old_no_subject: bool | None = None, new_no_subject: bool | None = None) -> None:
        fields = list(new) + (["no_subject"] if new_no_subject is not None else [])
        super().__init__(ctx, pid, sid, f"Edit {sid} {', '.join(f.replace('_', ' ') for f in fields)}")
        self.old, self.new = dict(old), dict(new)
        self.old_ns, self.new_ns = old_no_subject, new_no_subject

    def apply(self) -> None:
        self.ctx.services.scenes.edit(*self.target, self.new, no_subject=self.new_ns)

    def revert(self) -> None:
        self.ctx.services.scenes.edit(*self.target, self.old, no_subject=self.old_ns)


class ReplaceSceneJson(_SceneCommand):
    def __init__(self, ctx: CommandContext, pid: int, sid: str, old_json: dict, raw: str) -> None:
        super().__init__(ctx, pid, sid, f"Edit {sid} JSON")
        self.old_raw, self.raw = json.dumps(old_json, ensure_ascii=False), raw

    def apply(self) -> None:
        self.ctx.services.scenes.replace_json(*self.target, self.raw)

    def revert(self) -> None:
        self.ctx.services.scenes.replace_json(*self.target, self.old_raw)


class AddScene(_SceneCommand):
    def __init__(self, ctx: CommandContext, pid: int, after: str | None, narration: str = "") -> None:
        super().__init__(ctx, pid, "", "Add scene")
        self.after, self.narration = after, narration

    def apply(self) -> None:
        pid = self.ctx.project(self.pid)
        after = self.ctx.scene(self.pid, self.after) if self.after else None
        view = self.ctx.services.scenes.add(pid, self.narration, after=after)
        if self.sid:
            self.ctx.alias_scene(pid, self.sid, view.scene_id)
        self.sid = view.scene_id

    def revert(self) -> None:
        self.ctx.services.scenes.delete(*self.target)

    reveal_on_push = True

    def changes(self) -> Changes:
        return Changes(self.ctx.project(self.pid), scenes=True, projects=True)


class DeleteScene(_SceneCommand):
    """Undo brings back the same scene (`scenes.restore`): its id and label, status,
    chosen versions, texts, review history and place, so review notes that name it and
    its media versions point at it again."""

    destructive = True

    def __init__(self, ctx: CommandContext, pid: int, sid: str) -> None:
        super().__init__(ctx, pid, sid, f"Delete scene {sid}")
        self.gone: DeletedScene | None = None

    def apply(self) -> None:
        self.gone = self.ctx.services.scenes.delete(*self.target)

    def revert(self) -> None:
        if self.gone is None:
            raise ServiceError(f"scene {self.sid} cannot be brought back")
        self.ctx.services.scenes.restore(self.gone)

    def reveal_target(self) -> tuple[object, object]:
        return self.ctx.project(self.pid), self.sid

    def changes(self) -> Changes:
        return Changes(self.ctx.project(self.pid), scenes=True, projects=True)


# ---- reviews ---------------------------------------------------------------------

_ACTION_TEXT = {
    SceneAction.CONFIRM_PROMPT: "Confirm prompt",
    SceneAction.CONFIRM_IMAGE: "Confirm image",
    SceneAction.REJECT: "Reject",
}


class Review(_SceneCommand):
    """A reviewer decision; undo takes it back (status and history entry) as long as
    nothing happened to the scene since."""

    def __init__(self, ctx: CommandContext, pid: int, sid: str, action: SceneAction,
                 *, comment: str | None = None, version: int | None = None) -> None:
        super().__init__(ctx, pid, sid, f"{_ACTION_TEXT[action]} {sid}")
        self.action = SceneAction(action)
        self.comment, self.version = comment, version

    def apply(self) -> None:
        r = self.ctx.services.reviews
        if self.action == SceneAction.CONFIRM_PROMPT:
            r.confirm_prompt(*self.target)
        elif self.action == SceneAction.CONFIRM_IMAGE:
            r.confirm_image(*self.target, version=self.version)
        else:
            r.reject(*self.target, self.comment)

    def revert(self) -> None:
        self.ctx.services.reviews.undo_last(*self.target, self.action)

    def changes(self) -> Changes:
        return replace(super().changes(), reviews=True)


class Batch(ServiceCommand):
    """Several commands as one undo step. Each is built just before it runs (a delete
    snapshots its neighbours as they are then); a failure half-way takes back what
    already ran, so the batch happens whole or not at all."""

    def __init__(self, ctx: CommandContext, text: str, builders: list[Callable[[], ServiceCommand]],
                 *, destructive: bool = False) -> None:
        super().__init__(ctx, text)
        self.builders = builders
        self.commands: list[ServiceCommand] = []
        self.destructive = destructive

    def apply(self) -> None:
        done: list[ServiceCommand] = []
        try:
            for i, build in enumerate(self.builders):
                c = self.commands[i] if i < len(self.commands) else build()
                c.apply()
                done.append(c)
        except Exception:
            for c in reversed(done):
                with contextlib.suppress(Exception):
                    c.revert()
            raise
        self.commands = done

    def revert(self) -> None:
        for c in reversed(self.commands):
            c.revert()

    def changes(self) -> Changes:
        out = Changes()
        for c in self.commands:
            out = out | c.changes()
        return out


# ---- versions --------------------------------------------------------------------


class ChooseVersion(_SceneCommand):
    """'Use this version'. Undo uses the version in use before; in both directions the
    state machine decides the status (a new image after confirmation goes back to
    review), so undo does not bring back a confirmation."""

    def __init__(self, ctx: CommandContext, pid: int, sid: str, type_: str, version: int,
                 previous: int | None, on_landed: Callable[[SceneView], object] | None = None) -> None:
        super().__init__(ctx, pid, sid, f"Use {type_} v{version} for {sid}")
        self.type, self.version, self.previous = type_, version, previous
        self.on_landed = on_landed

    def apply(self) -> SceneView:
        return self.ctx.services.assets.choose(*self.target, self.type, self.version)

    def revert(self) -> SceneView:
        if self.previous is None:
            raise Conflict(f"{self.target[1]} used no {self.type} before v{self.version}; choose another version instead")
        return self.ctx.services.assets.choose(*self.target, self.type, self.previous)

    def changes(self) -> Changes:
        return replace(super().changes(), versions=True)

    def landed(self, result: object) -> None:
        if self.on_landed is not None:
            self.on_landed(result)  # type: ignore[arg-type]
