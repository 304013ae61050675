"""The main window: a frame that holds the panels, wires them to each other and to the
services, and keeps the current project, scene and selection.

What it does not hold lives beside it: the actions and menus (actions.py), where the
panels sit and how that is remembered (layout.py), help (help.py), the Generate bar and
job routing (generate_controls.py).
"""

from __future__ import annotations

from PySide6.QtCore import QEventLoop, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QShowEvent, QUndoStack
from PySide6.QtWidgets import QDialog, QLabel, QMainWindow, QMenu, QToolButton, QWidget

from ..services.app import Services
from . import errors, help, theme
from .actions import ActionId, Key, MenuId, build_actions, build_menus, make_action, update_enabled
from .commands import AddScene, Batch, CommandContext, DeleteScene, Events
from .errors import ErrorBanner, ErrorReporter
from .export import ExportControls
from .generate_controls import GenerateControls
from .handoff import HandoffControls
from .help import shortcut_rows
from .inspector import SceneInspector
from .jobs_popover import JobsPopover
from .layout import LayoutMemory, WindowLayout, ui_settings
from .live import StoreWatcher
from .ops import Changes
from .preview import PreviewPane
from .project_page import ProjectPage
from .protocols import GenerationHooks, JobsPanelLike
from .sidebar import ProjectSidebar
from .status_bar import StatusBar
from .timeline import TimelineWidget

__all__ = ["MainWindow", "shortcut_rows", "ui_settings"]

PANELS = (("sidebar", ActionId.SHOW_SIDEBAR), ("inspector", ActionId.SHOW_INSPECTOR),
          ("timeline", ActionId.SHOW_TIMELINE))


class MainWindow(QMainWindow):
    currentProjectChanged = Signal(object)  # project id or None
    currentSceneChanged = Signal(object, object)  # project id, scene id or None
    keysChanged = Signal(str)  # Settings saved or removed a provider's API key

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.setWindowTitle("StoryClip")
        self.setWindowIcon(theme.icon("app"))
        self.undo_stack = QUndoStack(self)
        self.events = Events(self)
        self.banner = ErrorBanner()
        self.status = StatusBar(services, self)
        self.setStatusBar(self.status)
        self.reporter = ErrorReporter(self.banner, self.status.show_error, self)
        self.reporter.window = self
        self.reporter.notice_status = self.status.show_notice
        self.ctx = CommandContext(services, self.undo_stack, self.reporter, self.events)
        self.status.use_ops(self.ctx.ops)
        self._project: int | None = None
        self._scene: str | None = None
        self._selection: list[str] = []
        self.settings_dialog: QDialog | None = None

        self.sidebar = ProjectSidebar(self.ctx)
        self.project_page = ProjectPage(self.ctx)
        self.preview = PreviewPane(services, ctx=self.ctx)
        self.inspector = SceneInspector(self.ctx)
        self.timeline = TimelineWidget(services, self.undo_stack, ctx=self.ctx)
        self.review = self.inspector.review_actions
        self.frame = WindowLayout(self, banner=self.banner, sidebar=self.sidebar,
                                  project_page=self.project_page, preview=self.preview,
                                  inspector=self.inspector, timeline=self.timeline)
        self.center, self.top_split, self.main_split = (
            self.frame.center, self.frame.top_split, self.frame.main_split)
        self._build_jobs_popover()
        self.actions = build_actions(self)
        for action_id, action in self.actions.items():  # window.act_new, act_next, ...
            setattr(self, f"act_{action_id.value}", action)
        self.act_show = {key: self.actions[aid] for key, aid in PANELS}
        for key, a in self.act_show.items():
            a.toggled.connect({"sidebar": self.sidebar, "inspector": self.inspector,
                               "timeline": self.timeline}[key].setVisible)
        self.menus = build_menus(self, self.actions)
        self.generate_menu = self.menus[MenuId.GENERATE]
        self.sidebar.set_context_actions([self.actions[i] for i in (
            ActionId.NEW, ActionId.RENAME, ActionId.DUPLICATE, ActionId.DELETE)])
        self.generate_controls = GenerateControls(self)
        self.act_generate = self.generate_controls.act_generate
        self.act_generate_all = self.generate_controls.act_generate_all
        self.export_controls = ExportControls(self)  # Export video…, Play all
        self.handoff_controls = HandoffControls(self)  # Export timeline…, Import edit…
        self._wire()
        self.watcher = StoreWatcher(services, self.events, self)
        self.layout_memory = LayoutMemory(self, self.frame, self.act_show, ui_settings())
        self.layout_memory.restore()
        self._focused_once = self._listed = self._shown = False
        # the project list is read off the GUI thread too
        self.sidebar.refresh(select=self.layout_memory.last_project(), then=self._on_listed)
        self.update_actions()

    # ---- public API --------------------------------------------------------------

    def current_project_id(self) -> int | None:
        return self._project

    def current_scene_id(self) -> str | None:
        return self._scene

    def selected_scene_ids(self) -> list[str]:
        return list(self._selection or ([self._scene] if self._scene else []))

    def open_project(self, project_id: int) -> bool:
        return self.sidebar.select_project(project_id)

    def select_scene(self, scene_id: str) -> None:
        self.timeline.select_scene(scene_id)

    def show_error(self, error: BaseException | str) -> None:
        self.reporter.report(error)

    def set_running_jobs(self, n: int) -> None:
        self.status.set_running_jobs(n)

    def refresh_tokens(self) -> None:
        self.status.refresh_tokens()

    def menu(self, menu_id: MenuId) -> QMenu:
        return self.menus[menu_id]

    def add_action(self, text: str, run: object = None, keys: tuple[Key, ...] = (), icon: str = "",
                   tip: str = "") -> QAction:
        """An action for a part plugged in later (sync); place it with `menu(...)`."""
        return make_action(self, text, run, keys, icon, tip)  # type: ignore[arg-type]

    def place_sync_actions(self, actions: list[QAction]) -> None:
        """Sync's actions go in the File menu, above Settings, in their own group."""
        before = self.act_settings
        file_menu = self.menu(MenuId.FILE)
        for a in actions:
            file_menu.insertAction(before, a)
        file_menu.insertSeparator(before)

    def set_generation_controller(self, controller: GenerationHooks) -> None:
        """The job engine's controller (ui/generation.py) behind the Generate actions."""
        self.generation_controller = controller
        self.generate_controls.attach(controller)

    def set_jobs_panel(self, panel: JobsPanelLike) -> None:
        """The jobs panel goes into the Jobs popover (View › Jobs panel, hidden until
        asked for); its header row carries the close button."""
        assert isinstance(panel, QWidget)
        old = self.jobs_popover.widget()
        self.jobs_popover.setWidget(panel)
        if old is not None:
            old.deleteLater()
        self.jobs_panel = panel
        close = QToolButton(panel)
        close.setIcon(theme.icon("close"))
        close.setAutoRaise(True)
        close.setToolTip("Hide the jobs panel (Esc, Ctrl+4)")
        close.clicked.connect(self.jobs_popover.hide)
        panel.header_row.addWidget(close)
        panel.jobActivated.connect(lambda job: self._reveal(job.project_id, job.scene_id))

    def show_jobs(self) -> None:
        self.jobs_popover.show()

    def open_settings(self) -> None:
        """File › Settings…: API keys. Modeless, one at a time."""
        from .settings_dialog import SettingsDialog

        if self.settings_dialog is None:
            dlg = SettingsDialog(self, models=self.services.models, runner=self.ctx.ops)
            dlg.keysChanged.connect(self.keysChanged)
            self.settings_dialog = dlg
        else:
            self.settings_dialog.refresh()
        self.settings_dialog.set_project(self._project)
        self.settings_dialog.show()
        self.settings_dialog.raise_()
        self.settings_dialog.activateWindow()

    def reset_layout(self) -> None:
        self.layout_memory.reset()

    def save_layout(self) -> None:
        self.layout_memory.save(self._project, self._scene)

    def show_shortcuts(self) -> None:
        self._shortcuts_dialog = help.shortcuts_dialog(self)

    def show_about(self) -> None:
        help.show_about(self)

    # ---- building ----------------------------------------------------------------

    def _build_jobs_popover(self) -> None:
        self.jobs_popover = JobsPopover(self)
        placeholder = QLabel("Generation starts with the window.")
        placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        theme.set_role(placeholder, "hint")
        self.jobs_popover.setWidget(placeholder)
        self.jobs_panel: QWidget | None = None
        self.generation_controller: GenerationHooks | None = None
        self.status.jobsClicked.connect(lambda: self.jobs_popover.setVisible(not self.jobs_popover.isVisible()))
        self.status.settingsClicked.connect(self.open_settings)

    def _wire(self) -> None:
        ev = self.events
        self.sidebar.projectSelected.connect(self._on_project)
        self.timeline.sceneActivated.connect(self._on_scene)
        self.timeline.selectionChanged.connect(self._on_selection)
        self.timeline.errorOccurred.connect(self.reporter.report)
        self.preview.errorOccurred.connect(self.reporter.report)
        self.inspector.image_version_source = self._previewed_image_version
        ev.changed.connect(self._on_changed)
        # references made from the preview ("Use as reference for…") change the project
        self.preview.version_menu.referencesChanged.connect(
            lambda pid: ev.publish(Changes(pid, project=True), self.preview))
        ev.reveal.connect(self._reveal)
        ev.projectsChanged.connect(self.update_actions)
        ev.projectChanged.connect(self._on_project_changed)
        self.undo_stack.indexChanged.connect(self._on_stack_moved)
        self.project_page.script.saved.connect(lambda _p: self.update_actions())
        self.project_page.headerShown.connect(self._update_title)
        self.project_page.newProjectRequested.connect(self.sidebar.create_project)
        self._chain_tab_order()

    def _chain_tab_order(self) -> None:
        """Left to right, top to bottom: projects, centre, inspector, then the timeline."""
        chain = [*self.sidebar.tab_chain(), self.center.tabs, *self.project_page.tab_chain(),
                 *self.inspector.tab_chain(), self.timeline.view]
        for a, b in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(a, b)

    # ---- reacting ----------------------------------------------------------------

    def _on_project(self, project_id: object) -> None:
        """Open a project: its page, cards, scene and preview are read off the GUI
        thread; each panel keeps what it shows until its part arrives."""
        self.project_page.set_project(project_id)
        self._project, self._scene, self._selection = project_id, None, []
        self.watcher.watch(project_id)
        last = self.layout_memory.last_scene(project_id) if project_id is not None else None
        # where the editor was when they quit
        self.timeline.set_project(project_id, prefer=last, then=lambda: self._project_shown(project_id))
        self._update_title()
        self.currentProjectChanged.emit(project_id)
        self.generate_controls.refresh_choices()
        self.update_actions()

    def _project_shown(self, project_id: object) -> None:
        if project_id != self._project:
            return
        self.generate_controls.show_busy_cards()
        if self._scene is None:  # no scenes: clear what the previous project showed
            self.inspector.set_scene(None, None)
            self.preview.show_scene(project_id, None)
            self.center.setCurrentIndex(0)  # nothing to preview yet: the script is the work
            self.update_actions()

    def _on_project_changed(self, project_id: object) -> None:
        if project_id == self._project:
            self._update_title()
            self.generate_controls.refresh_choices()  # the preferences may name another provider
            self.timeline.model.refresh_timing()  # a new narration re-times the scenes

    def _update_title(self) -> None:
        title = self.project_page.title.text() if self._project is not None else ""
        self.setWindowTitle(f"{title} — StoryClip" if title else "StoryClip")

    def _on_scene(self, scene_id: str) -> None:
        if self._project is None or (scene_id or None) == self._scene:
            return  # the same card again (a move, a refresh): nothing to re-read
        self._scene = scene_id or None
        self.inspector.set_scene(self._project, self._scene)
        self.preview.show_scene(self._project, self._scene)
        self.currentSceneChanged.emit(self._project, self._scene)
        self.update_actions()

    def _on_selection(self, ids: list) -> None:
        self._selection = [str(s) for s in ids]
        self.update_actions()

    def _previewed_image_version(self) -> int | None:
        av, scene = self.preview.previewed, self.preview.scene
        if av is not None and av.type == "image" and scene is not None and scene.scene_id == self._scene:
            return av.version
        return None

    def _on_changed(self, changes: Changes, initiator: object) -> None:
        """Refresh what an operation changed; the view that started it already shows
        its own result (a moved card, the version just chosen)."""
        pid = changes.project_id
        if pid is not None and pid == self._project:
            if changes.scenes:
                self.timeline.refresh()
                self.generate_controls.show_busy_cards()
            else:
                for sid in changes.scene_ids:
                    self.timeline.refresh_scene(sid)
            if initiator is not self.preview and changes.touches_scene(pid, self._scene):
                self.preview.refresh()
        self.update_actions()

    def _on_stack_moved(self, _index: int) -> None:
        self.status.refresh_tokens()

    def _reveal(self, project_id: object, scene_id: object) -> None:
        if project_id is None:
            return
        if project_id != self._project and not self.sidebar.select_project(project_id):
            return
        if scene_id:
            self.timeline.select_scene(scene_id)

    def update_actions(self) -> None:
        update_enabled(self.actions, has_project=self._project is not None, has_scene=self._scene is not None)
        self.generate_controls.update()
        self.review.update_for(self.inspector.scene.status if self.inspector.scene else None)

    # ---- scene actions -----------------------------------------------------------

    def commit_pending(self) -> bool:
        """Save typed text that has not been committed yet (Ctrl+S)."""
        self.inspector.fields.commit_pending()
        return self.project_page.commit()

    def add_scene(self) -> bool:
        if self._project is None:
            return False
        return self.ctx.push(AddScene(self.ctx, self._project, self._scene))

    def delete_scenes(self) -> bool:
        pid, ids = self._project, self.selected_scene_ids()
        if pid is None or not ids:
            return False
        what = f"scene {ids[0]}" if len(ids) == 1 else f"{len(ids)} scenes"
        if not errors.confirm(
            self, "Delete scenes" if len(ids) > 1 else "Delete scene", f"Delete {what}?",
            "Delete scenes" if len(ids) > 1 else "Delete scene",
            detail="Undo (Ctrl+Z) brings back the same scene: its texts, versions and reviews.",
        ):
            return False
        if len(ids) == 1:
            return self.ctx.push(lambda: DeleteScene(self.ctx, pid, ids[0]))
        builders = [lambda s=s: DeleteScene(self.ctx, pid, s) for s in ids]
        return self.ctx.push(Batch(self.ctx, f"Delete {len(ids)} scenes", builders, destructive=True))

    def step_scene(self, delta: int) -> None:
        """Next / previous scene, in the order the timeline shows."""
        if self._project is None:
            return
        order = self.timeline.model.scene_ids()
        if not order:
            return
        i = order.index(self._scene) + delta if self._scene in order else 0
        self.timeline.select_scene(order[max(0, min(i, len(order) - 1))])

    # ---- window events -------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.watcher.start()
        self._shown = True
        self._focus_once()

    def _on_listed(self) -> None:
        self._listed = True
        if self._project is None:  # no project at all: the page says how to start
            self.project_page.set_project(None)
        self._focus_once()

    def _focus_once(self) -> None:
        """Start where the work is, not on the first tool button: once the window
        shows and the project list is in."""
        if self._shown and self._listed and not self._focused_once:
            self._focused_once = True
            target = self.sidebar.view if self._project is not None else self.project_page.new_button
            target.setFocus(Qt.FocusReason.OtherFocusReason)

    def _let_writes_land(self, bound_ms: int = 10_000) -> None:
        """Quitting waits (events flowing) for the calls under way, such as the script
        saved just now, so closing never drops them; a store that does not answer
        gets `bound_ms`."""
        if self.ctx.ops.idle():
            return
        loop = QEventLoop()
        self.ctx.ops.settled.connect(loop.quit)
        QTimer.singleShot(bound_ms, loop.quit)
        loop.exec()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.commit_pending()
        self._let_writes_land()
        drafts = self.project_page.script.unsaved()
        if drafts and not errors.confirm(
            self, "Unsaved script",
            "The script could not be saved (it is over 2,000 characters)." if drafts == 1 else
            f"{drafts} scripts could not be saved (over 2,000 characters).",
            "Quit without saving",
            detail="Shorten it and press Ctrl+S to keep it; quitting now loses the draft.",
        ):
            event.ignore()
            return
        self.watcher.stop()
        self.export_controls.close()
        self.save_layout()
        self.ctx.close()
        super().closeEvent(event)
