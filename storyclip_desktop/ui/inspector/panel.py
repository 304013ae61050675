"""The scene inspector: the selected scene's fields, raw JSON and reviews, with the
reviewer's actions. Every change goes through an undoable command."""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...domain.status import REJECTED_WORDS, SceneAction, SceneStatus, confirm_action
from ...services.views import REPLACED_KEY, SceneView
from .. import theme
from ..commands import CommandContext, EditScene, ReplaceSceneJson, Review
from ..timing_text import ProjectTiming, timing_reader
from . import reject_dialog
from .fields_form import SceneFieldsForm
from .history import ReviewHistory
from .json_editor import RawJsonEditor
from .review_actions import ReviewActions, step_under_review

NEXT_STEP = {
    SceneStatus.INIT: "Write an image prompt to send this scene to review.",
    SceneStatus.PROMPT: "Review the image prompt, then confirm or reject it.",
    SceneStatus.PROMPT_CONFIRMED: "Prompt confirmed. Next: generate an image.",
    SceneStatus.IMAGE: "Review the image in the preview, then confirm or reject it.",
    SceneStatus.IMAGE_CONFIRMED: "Image confirmed. Next: generate the clip.",
    SceneStatus.CLIP: "The clip is ready.",
}


class SceneInspector(QWidget):
    def __init__(self, ctx: CommandContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.project_id: int | None = None
        self.scene: SceneView | None = None
        self._timing_reader = timing_reader(self.ctx)
        self._timing_reader.ready.connect(self._on_timing)
        # Which image version the reviewer is looking at (the preview sets this); a
        # confirm names it so a version replaced meanwhile is never confirmed blindly.
        self.image_version_source: Callable[[], int | None] | None = None
        self._json_drafts: dict[tuple[int, str], str] = {}
        self._json_applied = False
        self._wanted: tuple[int, str] | None = None  # the scene asked for, until it arrives
        self.actions_ = ReviewActions(self)
        a = self.actions_
        a.confirm.triggered.connect(self.confirm)
        a.confirm_prompt.triggered.connect(lambda: self.review(SceneAction.CONFIRM_PROMPT))
        a.confirm_image.triggered.connect(lambda: self.review(SceneAction.CONFIRM_IMAGE))
        a.reject.triggered.connect(self.reject)

        self.scene_label = theme.set_role(QLabel(), "title")
        self.badge = QLabel()
        self.version_label = theme.set_role(QLabel(), "hint")
        top = QHBoxLayout()
        top.setSpacing(8)
        top.addWidget(self.scene_label)
        top.addWidget(self.badge)
        top.addStretch(1)
        top.addWidget(self.version_label)
        # One primary button that names the step under review, so the reviewer never
        # has to pick between two greyed-out confirms.
        self.confirm_button = QPushButton(theme.icon("check"), "Confirm")
        self.confirm_button.setProperty("primary", True)
        self.confirm_button.setToolTip("Confirm the step under review (Ctrl+Return)")
        self.confirm_button.clicked.connect(self.confirm)
        self.reject_button = QPushButton(theme.icon("reject"), "Reject…")
        self.reject_button.setToolTip(a.reject.toolTip())
        self.reject_button.clicked.connect(self.reject)
        self.next_step = theme.set_role(QLabel(), "hint")
        self.next_step.setWordWrap(True)
        # While the scene stands rejected: what the reviewer asked for, in plain sight.
        self.rejection = QLabel()
        self.rejection.setObjectName("rejectionNote")
        self.rejection.setWordWrap(True)
        self.rejection.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.rejection.setStyleSheet(theme.rejection_note_style())
        self.rejection.hide()
        # A prompt that generation replaced can be brought back (undoable like any edit).
        self.bring_back_button = QPushButton(theme.icon("undo"), "Bring back the replaced prompt")
        self.bring_back_button.setToolTip("Put back the prompt text the last generation replaced")
        self.bring_back_button.clicked.connect(self.bring_back)
        self.bring_back_button.hide()
        buttons = QHBoxLayout()
        buttons.setSpacing(8)
        buttons.addWidget(self.confirm_button)
        buttons.addWidget(self.reject_button)
        buttons.addStretch(1)
        header = QFrame()
        header.setProperty("role", "panel-header")
        hl = QVBoxLayout(header)
        hl.setContentsMargins(16, 12, 16, 12)
        hl.setSpacing(8)
        hl.addLayout(top)
        hl.addLayout(buttons)
        hl.addWidget(self.rejection)
        hl.addWidget(self.next_step)
        hl.addWidget(self.bring_back_button)

        self.fields = SceneFieldsForm()
        self.fields.edited.connect(self._on_edited)
        fields_scroll = QScrollArea()
        fields_scroll.setWidgetResizable(True)
        fields_scroll.setFrameShape(QFrame.Shape.NoFrame)
        fields_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        from ..references import CharacterPicker

        self.characters = CharacterPicker(ctx)
        scene_tab = QWidget()
        stl = QVBoxLayout(scene_tab)
        stl.setContentsMargins(0, 0, 0, 12)
        picker_box = QWidget()
        pbl = QVBoxLayout(picker_box)
        pbl.setContentsMargins(16, 12, 16, 0)
        pbl.addWidget(self.characters)
        stl.addWidget(picker_box)
        stl.addWidget(self.fields)
        stl.addStretch(1)
        fields_scroll.setWidget(scene_tab)
        self.json = RawJsonEditor()
        self.json.applyRequested.connect(self.apply_json)
        self.history = ReviewHistory()
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(fields_scroll, "Scene")
        self.tabs.addTab(self.json, "Raw JSON")
        self.tabs.addTab(self.history, "Reviews")

        page = QWidget()
        pl = QVBoxLayout(page)
        pl.setContentsMargins(0, 0, 0, 0)
        pl.setSpacing(0)
        pl.addWidget(header)
        pl.addWidget(self.tabs, 1)
        self.empty = theme.set_role(QLabel("Select a scene in the timeline\nto edit and review it."), "hint")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(page)

        panel_header, _row = theme.panel_header("INSPECTOR")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(panel_header)
        lay.addWidget(self.stack, 1)
        self.setMinimumWidth(300)  # "Confirm image" and "Reject…" side by side, uncut
        ctx.events.sceneChanged.connect(self._on_scene_changed)
        ctx.events.scenesChanged.connect(self._on_scenes_changed)

    def tab_chain(self) -> list[QWidget]:
        f = self.fields
        return [self.confirm_button, self.reject_button, self.tabs.tabBar(), *f.edits.values(),
                f.duration, f.fit, f.no_subject, self.json.edit, self.json.revert_button, self.json.apply_button]

    @property
    def review_actions(self) -> ReviewActions:
        return self.actions_

    # ---- what is shown -----------------------------------------------------------

    def set_scene(self, project_id: int | None, scene_id: str | None) -> None:
        """Show a scene, read off the GUI thread. The scene shown stays until the new one
        arrives (no flash of an empty page); of quick clicks only the last is read."""
        self.project_id = project_id
        wanted = (project_id, scene_id) if project_id is not None and scene_id else None
        self._wanted = wanted
        if wanted is None:
            self._arrive(None, None)
            return
        pid, sid = wanted
        sv = self.ctx.services

        def shown(got: tuple[SceneView, list]) -> None:
            if self._wanted == wanted:
                self._arrive(*got)

        def failed(exc: BaseException) -> None:
            if self._wanted == wanted:
                self._wanted = None
                self.ctx.reporter.report(exc)

        self.ctx.ops.read(lambda: (sv.scenes.get(pid, sid), sv.reviews.history(pid, sid)), shown,
                          key="inspector-select", failure=failed)

    def loading(self) -> bool:
        """A scene was asked for and is not shown yet: actions wait for it."""
        return self._wanted is not None and self._wanted != self._shown_key()

    def _shown_key(self) -> tuple[int, str] | None:
        return (self.scene.project_id, self.scene.scene_id) if self.scene else None

    def _arrive(self, view: SceneView | None, reviews: list | None) -> None:
        old, new = self._shown_key(), ((view.project_id, view.scene_id) if view else None)
        self._wanted = None
        if old is not None and old != new:
            self.fields.commit_pending()
            if self.json.is_dirty():  # unapplied JSON waits for the user's return
                self._json_drafts[old] = self.json.text()
        self._show(view, new_scene=new != old, reviews=reviews)
        if new != old and new in self._json_drafts:
            self.json.edit.setPlainText(self._json_drafts.pop(new))
            self.json.show_error("Unapplied edits from before; Apply or Revert.")

    def _on_timing(self, project_id: object, timing: ProjectTiming) -> None:
        view = self.scene
        if view is not None and view.project_id == project_id:
            self.fields.set_timing(_timing_line(timing, view))

    def viewed_image_version(self) -> int | None:
        seen = self.image_version_source() if self.image_version_source else None
        return seen if seen is not None else (self.scene.image_version if self.scene else None)

    def _show(self, view: SceneView | None, *, new_scene: bool, reviews: list | None = None) -> None:
        self.scene = view
        self.stack.setCurrentIndex(1 if view else 0)
        self.fields.set_scene(view)
        self.characters.set_scene(view)
        self.json.set_json(view.scene_json if view else None, force=new_scene or self._json_applied)
        self._json_applied = False
        self.actions_.update_for(view.status if view else None)
        self._update_buttons()
        if view is None:
            return
        self.scene_label.setText(view.scene_id)
        self._timing_reader.request(view.project_id)
        self.badge.setText(REJECTED_WORDS if view.rejected else theme.status_label(view.status))
        self.badge.setStyleSheet(theme.badge_style(view.status, view.rejected))
        self.badge.setToolTip(f"Rejected; now {theme.status_label(view.status)}" if view.rejected else "")
        self.rejection.setText(f"<b>What to change:</b> {html.escape(view.rejection or '')}")
        self.rejection.setVisible(view.rejected)
        self.bring_back_button.setVisible(bool(view.replaced))
        self._update_version_label()
        if reviews is not None:
            self.history.set_reviews(reviews)
            self.tabs.setTabText(2, f"Reviews ({len(reviews)})" if reviews else "Reviews")

    def _update_buttons(self) -> None:
        a, s = self.actions_, self.scene
        self.confirm_button.setEnabled(a.confirm.isEnabled())
        self.reject_button.setEnabled(a.reject.isEnabled())
        if a.confirm_prompt.isEnabled():
            self.confirm_button.setText("Confirm prompt")
        elif a.confirm_image.isEnabled():
            self.confirm_button.setText("Confirm image")
        else:
            self.confirm_button.setText("Confirm")
        self.next_step.setText(NEXT_STEP.get(s.status, "") if s else "")

    def _update_version_label(self) -> None:
        s = self.scene
        parts = [f"image v{s.image_version}" if s and s.image_version else "",
                 f"clip v{s.clip_version}" if s and s.clip_version else ""]
        self.version_label.setText(" · ".join(p for p in parts if p))

    def _reload(self) -> None:
        """The scene shown changed: re-read it and its reviews off the GUI thread."""
        if self.scene is None:
            return
        pid, sid = self.scene.project_id, self.scene.scene_id
        sv = self.ctx.services

        def shown(got: tuple[SceneView, list]) -> None:
            if self.scene is not None and (self.scene.project_id, self.scene.scene_id) == (pid, sid):
                self._show(got[0], new_scene=False, reviews=got[1])

        self.ctx.ops.read(lambda: (sv.scenes.get(pid, sid), sv.reviews.history(pid, sid)), shown,
                          key=("inspector", pid, sid))

    def _on_scene_changed(self, project_id: object, scene_id: str) -> None:
        if self.scene is not None and (project_id, scene_id) == (self.scene.project_id, self.scene.scene_id):
            self._reload()

    def _on_scenes_changed(self, project_id: object) -> None:
        if self.scene is None or project_id != self.scene.project_id:
            return
        pid, sid = self.scene.project_id, self.scene.scene_id

        def check(ids: set[str]) -> None:
            if self.scene is None or (self.scene.project_id, self.scene.scene_id) != (pid, sid):
                return
            if sid in ids:
                self._reload()
            else:  # the scene went (split, delete elsewhere)
                self._show(None, new_scene=True)

        self.ctx.ops.read(lambda: {s.scene_id for s in self.ctx.services.scenes.list(pid)}, check,
                          key=("inspector-scenes", pid))

    # ---- edits -------------------------------------------------------------------

    def _on_edited(self, fields: dict, no_subject: object) -> None:
        s = self.scene
        if s is None:
            return
        old = {k: s.scene_json.get(k) for k in fields}
        self.ctx.push(EditScene(self.ctx, s.project_id, s.scene_id, old, fields,
                                s.no_subject if no_subject is not None else None, no_subject))

    def apply_json(self, raw: str) -> bool:
        s = self.scene
        if s is None:
            return False
        def done(ok: bool) -> None:
            if ok:  # the stored (normalised) JSON replaces the text when the scene is re-read
                self._json_applied = True
            else:
                self.json.show_error(self.ctx.reporter.last or "The JSON was not accepted")

        return self.ctx.push(ReplaceSceneJson(self.ctx, s.project_id, s.scene_id, s.scene_json, raw),
                             initiator=self, done=done)

    def bring_back(self) -> bool:
        """Undo the last prompt generation on this scene: its replaced text comes back."""
        s = self.scene
        if s is None or not s.replaced:
            return False
        back = dict(s.replaced[-1].get("fields") or {})
        back[REPLACED_KEY] = s.replaced[:-1] or None  # that text is back: off the list
        old = {k: s.scene_json.get(k) for k in back}
        return self.ctx.push(EditScene(self.ctx, s.project_id, s.scene_id, old, back))

    # ---- reviews -----------------------------------------------------------------

    def confirm(self) -> bool:
        if self.scene is None or self.loading():
            return False
        with self.ctx.reporter.guard() as g:
            action = confirm_action(self.scene.status)
        return not g.failed and self.review(action)

    def review(self, action: SceneAction, comment: str | None = None) -> bool:
        self.fields.commit_pending()  # review what the editor sees, not the last save
        s = self.scene
        if s is None or self.loading():  # never decide on the scene being left
            return False
        version = self.viewed_image_version() if action == SceneAction.CONFIRM_IMAGE else None
        # One decision at a time: a second click before the store answered is ignored.
        return self.ctx.push(Review(self.ctx, s.project_id, s.scene_id, action,
                                    comment=comment, version=version),
                             initiator=self, busy=("review", s.project_id, s.scene_id))

    def reject(self) -> bool:
        self.fields.commit_pending()
        s = self.scene
        if s is None or self.loading() or s.status == SceneStatus.INIT:
            return False
        comment = reject_dialog.ask_reject_comment(self, s.scene_id, step_under_review(s.status))
        if comment is None:
            return False
        return self.review(SceneAction.REJECT, comment)


def _timing_line(timing: ProjectTiming, view: SceneView) -> str:
    """"Lasts 4.6 s · from the narration" (and whether the narration still fits it)."""
    t = timing.scenes.get(view.scene_id)
    if t is None:
        return ""
    stale = " · the narration is out of date for this scene" if t.stale else ""
    return f"Lasts {t.text} · {t.why}{stale}"
