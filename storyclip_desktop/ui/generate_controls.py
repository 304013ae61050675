"""The Generate actions and buttons, and what the window does when jobs report back.

The actions are declared in ui/actions.py; here they get their texts (which provider
would run, for which scenes), their enabled state, and the routing of the generation
controller's signals to the views (busy cards, finished jobs, skipped scenes).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QMenu, QMessageBox, QToolButton, QWidget

from ..domain.job_kinds import JobKind
from ..domain.providers import label as provider_label
from ..domain.status import SceneAction, can
from . import theme
from .actions import ActionId
from .ops import Changes

if TYPE_CHECKING:
    from .main_window import MainWindow
    from .protocols import GenerationHooks

# the controller's kind (the job kind's batch name), the menu noun (with its mnemonic),
# the job kind it makes, the action for the selection and the one for the whole project
# (None: project only)
GENERATE_KINDS = tuple((job.batch, text, job, one, whole) for job, text, one, whole in (
    (JobKind.PROMPT, "&Prompts", ActionId.GENERATE_PROMPTS, ActionId.GENERATE_ALL_PROMPTS),
    (JobKind.IMAGE, "&Images", ActionId.GENERATE_IMAGES, ActionId.GENERATE_ALL_IMAGES),
    (JobKind.CLIP, "&Clips", ActionId.GENERATE_CLIPS, ActionId.GENERATE_ALL_CLIPS),
    (JobKind.NARRATION, "&Narration", ActionId.GENERATE_NARRATION, None),
))
LOCAL_SUFFIX = " — Local preview"


def ask_replace_edited(parent: QWidget, scenes: list[str]) -> bool | None:
    """Prompts typed by hand are kept unless the editor says otherwise: True replaces
    them (what is replaced can be brought back), False keeps them, None cancels.
    Tests replace this module attribute to answer without a dialog."""
    n = len(scenes)
    names = ", ".join(scenes[:6]) + (" …" if n > 6 else "")
    box = QMessageBox(QMessageBox.Icon.Question, "Prompts written by hand",
                      f"Replace {n} edited prompt{'s' if n != 1 else ''}?", parent=parent)
    box.setInformativeText(
        f"{names} {'have prompts' if n != 1 else 'has a prompt'} typed by hand. Keep them and write "
        "prompts only for the other scenes, or replace them too (the inspector's “Bring back "
        "the replaced prompt” restores a replaced one).")
    keep = box.addButton("Keep edited prompts", QMessageBox.ButtonRole.AcceptRole)
    replace = box.addButton(f"Replace {n}", QMessageBox.ButtonRole.DestructiveRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(keep)
    box.exec()
    clicked = box.clickedButton()
    return True if clicked is replace else False if clicked is keep else None


def _coalesce(parent: QObject, fn: Any, ms: int = 250) -> QTimer:
    timer = QTimer(parent)
    timer.setSingleShot(True)
    timer.setInterval(ms)
    timer.timeout.connect(fn)
    return timer


class GenerateControls(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.w = window
        self.controller: GenerationHooks | None = None
        self._choices: dict[str, Any] | None = None  # job kind -> Choice, for the project
        self._failed_since_batch = 0
        a = window.actions
        self.act_generate = {kind: a[one] for kind, _t, _j, one, _w in GENERATE_KINDS}
        self.act_generate_all = {kind: a[whole] for kind, _t, _j, _o, whole in GENERATE_KINDS if whole}
        # Many jobs finish close together: the project list and the token counts are
        # re-read once for the lot.
        self._later_projects = _coalesce(self, lambda: window.events.projectsChanged.emit())
        self._later_tokens = _coalesce(self, window.status.refresh_tokens)
        self._build_bar()

    # ---- the bar in the timeline header -------------------------------------------

    def _build_bar(self) -> None:
        """A click generates for the selected scenes, the arrow offers the whole project."""
        bar = QFrame()
        bar.setObjectName("generateBar")
        row = QHBoxLayout(bar)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        self.label = theme.set_role(QLabel("Generate"), "hint")
        row.addWidget(self.label)
        self.buttons: dict[str, QToolButton] = {}
        for kind, text, _job, _one, whole in GENERATE_KINDS:
            b = QToolButton()
            b.setObjectName(f"generate_{kind}")
            b.setText(text.replace("&", ""))
            b.setIcon(theme.icon("sparkle"))
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            b.clicked.connect(lambda _c=False, k=kind: self.act_generate[k].trigger())
            if whole is not None:
                m = QMenu(b)
                m.addAction(self.act_generate[kind])
                m.addAction(self.act_generate_all[kind])
                b.setMenu(m)
                b.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
            else:
                row.addSpacing(8)  # narration is for the whole project, not the selection
            row.addWidget(b)
            self.buttons[kind] = b
        header = self.w.timeline.header
        header.addSpacing(12)
        header.addWidget(bar)
        self.bar = bar

    # ---- the controller -------------------------------------------------------------

    def attach(self, controller: GenerationHooks) -> None:
        self.controller = controller
        controller.runningChanged.connect(self.w.status.set_running_jobs)
        controller.sceneBusy.connect(self._on_scene_busy)
        controller.jobFinished.connect(self._on_job_finished)
        controller.batchQueued.connect(self._on_batch_queued)
        controller.errorOccurred.connect(self.w.reporter.report)
        controller.choicesChanged.connect(self.refresh_choices)
        self.refresh_choices()

    def ready(self) -> bool:
        c = self.controller
        return c is not None and bool(c.ready) and self.w.current_project_id() is not None

    def refresh_choices(self) -> None:
        """Which provider each kind would use for the current project (re-read when the
        project, its preferences or the API keys change, never at every repaint)."""
        c, pid = self.controller, self.w.current_project_id()
        if c is None or pid is None:
            self._show_choices(None)
            return
        # read off the GUI thread: a choice reads the project's preferences
        def show(choices: dict | None) -> None:
            if pid == self.w.current_project_id():
                self._show_choices(choices)

        self.w.ctx.ops.read(lambda: c.choices(pid), show, key="generate-choices",
                            failure=lambda e: (self._show_choices(None), self.w.reporter.report(e)))

    def _show_choices(self, choices: dict | None) -> None:
        self._choices = choices
        missing: dict[str, list[str]] = {}
        for job_kind, ch in (choices or {}).items():
            if ch.provider == "local":
                missing.setdefault(ch.preferred, []).append(job_kind)
        self.w.status.set_local_preview(missing)
        self.w.update_actions()

    def _is_local(self, job_kind: str) -> bool:
        ch = (self._choices or {}).get(job_kind)
        return ch is not None and ch.provider == "local"

    def _provider_note(self, job_kind: str) -> str:
        ch = (self._choices or {}).get(job_kind)
        if ch is None:
            return ""
        if ch.provider == "local":
            name = provider_label(ch.preferred)
            return f" with the free Local preview (no {name} API key; add one in File › Settings…)"
        return f" with {provider_label(ch.provider)}"

    def update(self) -> None:
        ready = self.ready()
        pid = self.w.current_project_id()
        sel = self.w.selected_scene_ids() if pid is not None else []
        target = sel[0] if len(sel) == 1 else (f"{len(sel)} selected scenes" if sel else "selected scenes")
        waiting = self.controller is not None and not ready and pid is not None
        for kind, text, job_kind, _one, _whole in GENERATE_KINDS:
            local = LOCAL_SUFFIX if self._is_local(job_kind) else ""
            note = self._provider_note(job_kind)
            one, whole = self.act_generate[kind], self.act_generate_all.get(kind)
            noun = text.replace("&", "").lower()
            if whole is None:  # narration: one audio for the whole project
                one.setText(f"{text} for whole project{local}")
                one.setEnabled(ready)
                tip = f"Generate the project's narration{note}"
            else:
                one.setText(f"{text} for {target}{local}")
                one.setEnabled(ready and self._any_can(job_kind, sel))
                whole.setText(f"{noun.capitalize()} for whole project{local}")
                whole.setEnabled(ready)
                tip = f"Generate {noun} for {', '.join(sel) if sel else 'the selected scenes'}{note}"
                whole.setStatusTip(f"Generate {noun} for every scene that needs one{note}")
                whole.setToolTip(whole.statusTip())
            if waiting:
                tip = "Reading the API keys…"
            one.setStatusTip(tip)
            one.setToolTip(tip)
            b = self.buttons[kind]
            b.setEnabled(one.isEnabled() or (whole is not None and whole.isEnabled()))
            b.setToolTip(tip + ("\nThe arrow: for the whole project." if whole is not None else ""))
        self.label.setText(f"Generate for {target}:" if sel else "Generate:")

    def _any_can(self, job_kind: str, scene_ids: list[str]) -> bool:
        """Offer "Images for S6" only when S6 can take one (a draft cannot)."""
        need = {"image": SceneAction.GENERATE_IMAGE, "clip": SceneAction.GENERATE_CLIP}.get(job_kind)
        model = self.w.timeline.model
        for sid in scene_ids:
            idx = model.index_of(sid)
            if need is None or (idx.isValid() and can(model.scene(idx.row()).status, need)):
                return True
        return False

    def generate(self, kind: str, *, whole: bool = False) -> None:
        c, pid = self.controller, self.w.current_project_id()
        if c is None or pid is None:
            return
        self.w.commit_pending()  # generate from what the editor sees, not the last save
        ids = None if whole or kind == "narration" else self.w.selected_scene_ids()
        if not (whole or kind == "narration") and not ids:
            return
        if kind != "prompts":
            c.generate(kind, pid, ids)
            return

        def ask(edited: list[str]) -> None:
            # prompts typed by hand are only replaced when the editor says so
            replace = ask_replace_edited(self.w, edited) if edited else False
            if replace is not None and pid == self.w.current_project_id():
                c.generate(kind, pid, ids, replace_edited=replace)

        generation = self.w.services.generation
        self.w.ctx.ops.read(lambda: generation.edited_prompts(pid, ids), ask,
                            busy=("generate-ask", pid))

    # ---- job routing ----------------------------------------------------------------

    def show_busy_cards(self) -> None:
        if self.controller is not None:
            for sid in self.controller.busy_scenes(self.w.current_project_id()):
                self.w.timeline.set_busy(sid, True)

    def _on_scene_busy(self, project_id: object, scene_id: str, busy: bool) -> None:
        if project_id == self.w.current_project_id():
            self.w.timeline.set_busy(scene_id, busy)

    def _on_batch_queued(self, result: Any) -> None:
        """Say what was queued and, grouped by reason, which scenes were skipped."""
        from .generation import ui_wording

        self._failed_since_batch = 0
        # The jobs panel stays as it was: the status bar counts the jobs, and the
        # editor opens the panel when they want to (it never covers the preview by itself).
        n = len(result.job_ids)
        noun = result.kind
        queued = f"Queued {n} {noun}{'s' if n != 1 and noun != 'narration' else ''}"
        queued += f" ({result.provider_label})."
        if not result.skipped:
            self.w.reporter.clear()
            self.w.status.show_notice(queued)
            return
        by_reason: dict[str, list[str]] = {}
        for sk in result.skipped:
            by_reason.setdefault(ui_wording(sk.reason), []).append(sk.scene_id)
        parts = [f"{', '.join(ids)} skipped: {reason}" for reason, ids in by_reason.items()]
        self.w.reporter.notify(f"{queued} " + "; ".join(parts) + ".")

    def _on_job_finished(self, job: Any) -> None:
        """Refresh what the job changed: its card, the preview (the new version shows),
        the inspector (status), the narration bar; tokens and the project list once."""
        self._later_tokens.start()
        pid, sid = job.project_id, job.scene_id
        label = f"{job.kind.capitalize()}{' for ' + sid if sid else ''}"
        if job.state == "failed":
            self._failed_since_batch += 1
            more = self._failed_since_batch - 1
            extra = f" ({more} more failed; see the Jobs panel)" if more else ""
            self.w.reporter.report(f"{label} failed: {job.error or 'unknown error'}{extra}")
        if job.state != "succeeded":
            return
        self._later_projects.start()  # progress in the project list
        if pid != self.w.current_project_id():
            return
        result = job.result or {}
        if job.kind == "text":
            self.w.events.publish(Changes(pid, scenes=True), self)
        elif job.kind == "narration":
            self.w.preview.show_project(pid)
        elif sid:
            # card, inspector, preview
            self.w.events.publish(Changes(pid, scene_ids=frozenset({sid}), versions=True), self)
            if sid == self.w.current_scene_id() and result.get("made_current") \
                    and result.get("type") in ("image", "clip"):
                self.w.preview.refresh(reveal=(result["type"], result.get("version")))

