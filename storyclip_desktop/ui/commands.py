"""Undoable edits. Each command calls services only; the database is the truth.

A command runs once *before* it is pushed (`CommandContext.push`): a service error
then stops it from reaching the stack, and the user's input stays where it was. Later
undo/redo failures (someone changed the data meanwhile) are reported and the command
becomes obsolete so the stack drops it.

What undo can and cannot restore, with the services that exist today:
- Deleted projects, deleted scenes and replaced scenes are re-created from a snapshot of
  their texts (title, description, script, preferences, scene JSON, no_subject). Scene
  statuses start over (init/prompt), scene labels are new (S<n> continues), and
  generated media versions are not re-attached (they stay in the media history).
- Confirm and reject are taken back by `reviews.undo_last`: the status returns and the
  decision leaves the history, unless the scene changed since (then undo says so).
- Scene edits that change a prompt leave the scene in 'prompt' after undo too, because
  editing a prompt always returns the scene to review.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from ..domain.status import SceneAction
from ..services.app import Services
from ..services.errors import ServiceError
from ..services.views import ProjectDetail, SceneView
from .errors import ErrorReporter


class Events(QObject):
    """What changed, so every view refreshes from the services. Ids are Python ints
    (64-bit), hence `object` rather than `int` signals."""

    projectsChanged = Signal()
    projectChanged = Signal(object)  # project id: title, script, preferences
    scenesChanged = Signal(object)  # project id: scenes added, removed or replaced
    sceneChanged = Signal(object, str)  # project id, scene id: fields or status
    reveal = Signal(object, object)  # project id, scene id or None: undo/redo touched it


class CommandContext:
    def __init__(self, services: Services, stack: QUndoStack, reporter: ErrorReporter, events: Events) -> None:
        self.services, self.stack, self.reporter, self.events = services, stack, reporter, events
        self._projects: dict[int, int] = {}
        self._scenes: dict[tuple[int, str], str] = {}

    def push(self, cmd: ServiceCommand | Callable[[], ServiceCommand]) -> bool:
        """Apply `cmd` (or build it: constructors that snapshot may fail too); only on
        success put it on the stack."""
        with self.reporter.guard() as g:
            if not isinstance(cmd, ServiceCommand):
                cmd = cmd()
        if g.failed:
            return False
        with self.reporter.guard(destructive=cmd.destructive) as g:
            cmd.apply()
        if g.failed:
            return False
        cmd.pushing = True
        self.reporter.clear()  # the last problem is behind the user now
        # Notify before pushing: a merged command is deleted by the stack.
        cmd.notify(reveal=False)
        self.stack.push(cmd)
        return True

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

    def __init__(self, ctx: CommandContext, text: str) -> None:
        super().__init__(text)
        self.ctx = ctx
        self.pushing = False  # push() calls redo() once; that apply already ran

    def apply(self) -> None:
        raise NotImplementedError

    def revert(self) -> None:
        raise NotImplementedError

    def notify(self, *, reveal: bool) -> None:
        """Tell the views what changed."""

    def redo(self) -> None:
        if self.pushing:
            self.pushing = False
            return
        self._guarded(self.apply)

    def undo(self) -> None:
        self._guarded(self.revert)

    def _guarded(self, fn) -> None:  # noqa: ANN001
        with self.ctx.reporter.guard() as g:
            fn()
        if g.failed:
            self.setObsolete(True)
        self.notify(reveal=True)


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


class CreateProject(ServiceCommand):
    def __init__(self, ctx: CommandContext, title: str, description: str | None = None) -> None:
        super().__init__(ctx, f"Create project “{title}”")
        self.title, self.description = title, description
        self.pid: int | None = None

    def apply(self) -> None:
        new = self.ctx.services.projects.create(self.title, description=self.description)
        if self.pid is not None:
            self.ctx.alias_project(self.pid, new)
        self.pid = new

    def revert(self) -> None:
        self.ctx.services.projects.delete(self.ctx.project(self.pid))

    def notify(self, *, reveal: bool) -> None:
        self.ctx.events.projectsChanged.emit()
        self.ctx.events.reveal.emit(self.ctx.project(self.pid), None)


class RenameProject(ServiceCommand):
    def __init__(self, ctx: CommandContext, pid: int, old: str, new: str) -> None:
        super().__init__(ctx, f"Rename to “{new}”")
        self.pid, self.old, self.new = pid, old, new

    def apply(self) -> None:
        self.ctx.services.projects.rename(self.ctx.project(self.pid), self.new)

    def revert(self) -> None:
        self.ctx.services.projects.rename(self.ctx.project(self.pid), self.old)

    def notify(self, *, reveal: bool) -> None:
        pid = self.ctx.project(self.pid)
        self.ctx.events.projectsChanged.emit()
        self.ctx.events.projectChanged.emit(pid)
        if reveal:
            self.ctx.events.reveal.emit(pid, None)


class DuplicateProject(ServiceCommand):
    def __init__(self, ctx: CommandContext, pid: int, title: str | None = None) -> None:
        super().__init__(ctx, "Duplicate project")
        self.source, self.title = pid, title
        self.pid: int | None = None

    def apply(self) -> None:
        new = self.ctx.services.projects.duplicate(self.ctx.project(self.source), self.title)
        if self.pid is not None:
            self.ctx.alias_project(self.pid, new)
        self.pid = new

    def revert(self) -> None:
        self.ctx.services.projects.delete(self.ctx.project(self.pid))

    def notify(self, *, reveal: bool) -> None:
        self.ctx.events.projectsChanged.emit()
        self.ctx.events.reveal.emit(self.ctx.project(self.pid), None)


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

    def notify(self, *, reveal: bool) -> None:
        self.ctx.events.projectsChanged.emit()
        if reveal:
            self.ctx.events.reveal.emit(self.ctx.project(self.pid), None)


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

    def notify(self, *, reveal: bool) -> None:
        pid = self.ctx.project(self.pid)
        self.ctx.events.projectChanged.emit(pid)
        if reveal:
            self.ctx.events.reveal.emit(pid, None)


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

    def notify(self, *, reveal: bool) -> None:
        pid = self.ctx.project(self.pid)
        self.ctx.events.scenesChanged.emit(pid)
        self.ctx.events.projectsChanged.emit()
        if reveal:
            self.ctx.events.reveal.emit(pid, None)


# ---- scenes ----------------------------------------------------------------------


class _SceneCommand(ServiceCommand):
    def __init__(self, ctx: CommandContext, pid: int, sid: str, text: str) -> None:
        super().__init__(ctx, text)
        self.pid, self.sid = pid, sid

    @property
    def target(self) -> tuple[int, str]:
        return self.ctx.project(self.pid), self.ctx.scene(self.pid, self.sid)

    def notify(self, *, reveal: bool) -> None:
        pid, sid = self.target
        self.ctx.events.sceneChanged.emit(pid, sid)
        self.ctx.events.projectsChanged.emit()  # status counts in the sidebar
        if reveal:
            self.ctx.events.reveal.emit(pid, sid)


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

    def notify(self, *, reveal: bool) -> None:
        pid, sid = self.target
        self.ctx.events.scenesChanged.emit(pid)
        self.ctx.events.projectsChanged.emit()
        self.ctx.events.reveal.emit(pid, sid)


class DeleteScene(_SceneCommand):
    """Undo adds a scene with the same texts at the same place (new label, status from
    its texts, media versions stay in history)."""

    destructive = True

    def __init__(self, ctx: CommandContext, pid: int, sid: str) -> None:
        scenes = ctx.services.scenes.list(pid)
        i = next((n for n, s in enumerate(scenes) if s.scene_id == sid), None)
        if i is None:
            raise ServiceError(f"project {pid} has no scene {sid}")
        super().__init__(ctx, pid, sid, f"Delete scene {sid}")
        self.view = scenes[i]
        self.prev = scenes[i - 1].scene_id if i > 0 else None
        self.first_of_many = i == 0 and len(scenes) > 1
        self.next = scenes[1].scene_id if self.first_of_many else None

    def apply(self) -> None:
        self.ctx.services.scenes.delete(*self.target)

    def revert(self) -> None:
        sv, pid = self.ctx.services, self.ctx.project(self.pid)
        after = self.ctx.scene(self.pid, self.prev) if self.prev else None
        new = sv.scenes.add(pid, self.view.narration, after=after)
        if self.first_of_many:  # `add` has no "before": put it back at the front
            sv.ordering.move(pid, [new.scene_id], 1)
        self.ctx.alias_scene(pid, self.sid, new.scene_id)
        self.sid = new.scene_id
        extra = {k: v for k, v in self.view.scene_json.items() if k != "narration"}
        if extra or self.view.no_subject:
            sv.scenes.edit(pid, new.scene_id, extra, no_subject=self.view.no_subject)

    def notify(self, *, reveal: bool) -> None:
        pid, sid = self.target
        self.ctx.events.scenesChanged.emit(pid)
        self.ctx.events.projectsChanged.emit()
        if reveal:
            self.ctx.events.reveal.emit(pid, sid)


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
