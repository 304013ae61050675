"""The main window: projects left, the project page / preview in the centre, the scene
inspector right, the timeline along the bottom; menus, shortcuts and layout memory."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence, QShowEvent, QUndoStack
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QTabBar,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from .. import __version__
from ..config import config_dir
from ..services.app import Services
from . import errors, theme
from .commands import AddScene, CommandContext, DeleteScene, Events
from .errors import ErrorBanner, ErrorReporter
from .inspector import SceneInspector
from .project_page import ProjectPage
from .sidebar import ProjectSidebar
from .status_bar import StatusBar

DEFAULT_SIZES = {"top": [264, 816, 360], "main": [640, 220]}
# the controller's kind, the menu noun (with its mnemonic), the job kind it makes
GENERATE_KINDS = (("prompts", "&Prompts", "prompt"), ("images", "&Images", "image"),
                  ("clips", "&Clips", "clip"), ("narration", "&Narration", "narration"))
KIND_NOUNS = {"prompt": "prompt", "image": "image", "clip": "clip", "narration": "narration"}
PROVIDER_NAMES = {"gemini": "Gemini", "openai": "OpenAI", "seedance": "Seedance", "kling": "Kling",
                  "elevenlabs": "ElevenLabs", "local": "Local preview"}
LOCAL_SUFFIX = " — Local preview"


def ui_settings() -> QSettings:
    """Window layout lives next to settings.json (STORYCLIP_CONFIG_DIR in tests)."""
    path = config_dir() / "ui.ini"
    path.parent.mkdir(parents=True, exist_ok=True)
    return QSettings(str(path), QSettings.Format.IniFormat)


# ---- the other helpers' panels, with stand-ins so the window runs without them ------


class _StandIn(QLabel):
    """Used only if the timeline or preview package cannot be imported; it has their
    signals and methods, and does nothing."""

    sceneActivated = Signal(str)
    selectionChanged = Signal(list)
    versionChosen = Signal(str)
    errorOccurred = Signal(str)
    previewed = None
    scene = None

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        theme.set_role(self, "hint")

    def set_project(self, project_id: int | None) -> None: ...
    def reload(self) -> None: ...
    def refresh_scene(self, scene_id: str) -> None: ...
    def select_scene(self, scene_id: str) -> None: ...
    def move_selection(self, delta: int) -> bool: return False
    def show_project(self, project_id: int | None) -> None: ...
    def show_scene(self, project_id: int | None, scene_id: str | None) -> None: ...


def make_timeline(services: Services, stack: QUndoStack) -> QWidget:
    try:
        from .timeline import TimelineWidget
    except ImportError:
        return _StandIn("Timeline")
    return TimelineWidget(services, stack)


def make_preview(services: Services) -> QWidget:
    try:
        from .preview import PreviewPane
    except ImportError:
        return _StandIn("Preview")
    return PreviewPane(services)


class CenterPane(QWidget):
    """Tabs in a panel header (same height as the side panels') over a stack; QTabWidget
    draws its own frame, which would break the line across the three panels."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        header, row = theme.panel_header()
        row.setContentsMargins(8, 0, 8, 0)
        self.tabs = QTabBar()
        self.tabs.setDocumentMode(True)
        self.tabs.setDrawBase(False)
        self.tabs.setExpanding(False)
        row.addWidget(self.tabs, 0, Qt.AlignmentFlag.AlignBottom)
        row.addStretch(1)
        self.stack = QStackedWidget()
        self.tabs.currentChanged.connect(self.stack.setCurrentIndex)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(header)
        lay.addWidget(self.stack, 1)

    def addTab(self, widget: QWidget, icon: QIcon, text: str) -> int:  # noqa: N802 - QTabWidget's name
        self.stack.addWidget(widget)
        return self.tabs.addTab(icon, text)

    def setCurrentIndex(self, i: int) -> None:  # noqa: N802
        self.tabs.setCurrentIndex(i)

    def currentIndex(self) -> int:  # noqa: N802
        return self.tabs.currentIndex()


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
        self._project: int | None = None
        self._scene: str | None = None
        self._selection: list[str] = []
        self._order: list[str] | None = None
        self.generation_controller: object | None = None
        self._choices: dict[str, Any] | None = None  # job kind -> Choice, for the project
        self._failed_since_batch = 0
        self.settings_dialog: QDialog | None = None
        self._from_preview = False
        # Many jobs finish close together: the project list and the token counts are
        # re-read once for the lot.
        self._later_projects = self._coalesce(lambda: self.events.projectsChanged.emit())
        self._later_tokens = self._coalesce(self.status.refresh_tokens)

        self.sidebar = ProjectSidebar(self.ctx)
        self.project_page = ProjectPage(self.ctx)
        self.preview = make_preview(services)
        self.inspector = SceneInspector(self.ctx)
        self.timeline = make_timeline(services, self.undo_stack)
        self._build_layout()
        self._build_jobs_dock()
        self._build_actions()
        self._build_menus()
        self._build_generate_bar()
        self._wire()
        self._settings = ui_settings()
        self._restore_layout()
        last = self._settings.value("last_project")
        self.sidebar.reload(prefer=int(last) if last and str(last).isdigit() else None)
        self._update_actions()
        self._focused_once = False

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

    def set_generation_controller(self, controller: object) -> None:
        """Hook for the job engine (ui/generation.py). The Generate actions call
        `controller.generate(kind, project_id, scene_ids)` (scene_ids None: the whole
        project). Optional signals: `runningChanged(int)` feeds the status bar's job
        count, `sceneBusy(pid, sid, bool)` the timeline cards, `jobFinished(JobView)`
        refreshes the views, `batchQueued(BatchResult)` reports skipped scenes,
        `errorOccurred`, and `choicesChanged` relabels the actions ("Local preview")."""
        self.generation_controller = controller
        for name, slot in (("runningChanged", self.status.set_running_jobs),
                           ("sceneBusy", self._on_scene_busy),
                           ("jobFinished", self._on_job_finished),
                           ("batchQueued", self._on_batch_queued),
                           ("errorOccurred", self.reporter.report),
                           ("choicesChanged", self._refresh_choices)):
            signal = getattr(controller, name, None)
            if signal is not None:
                signal.connect(slot)
        self._refresh_choices()

    def set_jobs_panel(self, panel: QWidget) -> None:
        """The jobs panel goes into the Jobs dock (View › Jobs panel, hidden at first)."""
        old = self.jobs_dock.widget()
        self.jobs_dock.setWidget(panel)
        if old is not None:
            old.deleteLater()
        self.jobs_panel = panel
        row = getattr(panel, "header_row", None)
        if row is not None:  # the panel's header is the dock's title, as in the other panels
            close = QToolButton(panel)
            close.setIcon(theme.icon("close"))
            close.setAutoRaise(True)
            close.setToolTip("Hide the jobs panel (Ctrl+4)")
            close.clicked.connect(self.jobs_dock.hide)
            row.addWidget(close)
            self.jobs_dock.setTitleBarWidget(QWidget())
        activated = getattr(panel, "jobActivated", None)
        if activated is not None:
            activated.connect(lambda job: self._reveal(job.project_id, job.scene_id))

    def show_jobs(self) -> None:
        self.jobs_dock.show()
        self.jobs_dock.raise_()

    def open_settings(self) -> None:
        """File › Settings…: API keys. Modeless, one at a time."""
        from .settings_dialog import SettingsDialog

        if self.settings_dialog is None:
            # TODO(merge): runner=self.ops once the ops layer (branch ui) is in
            dlg = SettingsDialog(self, models=self.services.models)
            dlg.keysChanged.connect(self.keysChanged)
            self.settings_dialog = dlg
        else:
            self.settings_dialog.refresh()
        self.settings_dialog.set_project(self._project)
        self.settings_dialog.show()
        self.settings_dialog.raise_()
        self.settings_dialog.activateWindow()

    # ---- layout ------------------------------------------------------------------

    def _build_layout(self) -> None:
        self.center = CenterPane()
        self.center.addTab(self.project_page, theme.icon("script"), "Script && settings")
        self.center.addTab(self.preview, theme.icon("preview"), "Preview")
        self.top_split = QSplitter(Qt.Orientation.Horizontal)
        for w in (self.sidebar, self.center, self.inspector):
            self.top_split.addWidget(w)
        self.top_split.setStretchFactor(1, 1)
        self.top_split.setChildrenCollapsible(False)
        self.main_split = QSplitter(Qt.Orientation.Vertical)
        self.main_split.addWidget(self.top_split)
        self.main_split.addWidget(self.timeline)
        self.main_split.setStretchFactor(0, 1)
        self.main_split.setChildrenCollapsible(False)
        body = QWidget()
        lay = QVBoxLayout(body)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        banner_box = QVBoxLayout()
        banner_box.setContentsMargins(8, 8, 8, 0)
        banner_box.addWidget(self.banner)
        lay.addLayout(banner_box)
        lay.addWidget(self.main_split, 1)
        self.setCentralWidget(body)

    def _build_jobs_dock(self) -> None:
        self.jobs_dock = QDockWidget("Jobs", self)
        self.jobs_dock.setObjectName("jobsDock")
        self.jobs_dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetClosable
                                   | QDockWidget.DockWidgetFeature.DockWidgetMovable)
        self.jobs_dock.setAllowedAreas(Qt.DockWidgetArea.BottomDockWidgetArea
                                       | Qt.DockWidgetArea.RightDockWidgetArea)
        placeholder = QLabel("Generation starts with the window.")
        placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        theme.set_role(placeholder, "hint")
        self.jobs_dock.setWidget(placeholder)
        self.jobs_panel: QWidget | None = None
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.jobs_dock)
        self.jobs_dock.hide()
        self.status.jobsClicked.connect(lambda: self.jobs_dock.setVisible(not self.jobs_dock.isVisible()))
        self.status.settingsClicked.connect(self.open_settings)

    def _coalesce(self, fn: Any, ms: int = 250) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(ms)
        timer.timeout.connect(fn)
        return timer

    def _action(self, text: str, slot: Any = None, shortcut: Any = None, icon: str | None = None,
                tip: str | None = None) -> QAction:
        a = QAction(theme.icon(icon) if icon else theme.icon(""), text, self)
        if shortcut is not None:
            keys = shortcut if isinstance(shortcut, list) else [shortcut]
            a.setShortcuts([QKeySequence(k) for k in keys])
        if tip:
            a.setStatusTip(tip)
        if slot is not None:
            a.triggered.connect(lambda _checked=False: slot())
        self.addAction(a)  # shortcuts work even when the menu bar is hidden
        return a

    def _build_actions(self) -> None:
        sb, A = self.sidebar, self._action
        self.act_new = A("&New project…", sb.create_project, QKeySequence.StandardKey.New, "add")
        self.act_duplicate = A("D&uplicate project…", sb.duplicate_project, "Ctrl+D", "duplicate")
        self.act_rename = A("&Rename project…", sb.rename_project, "F2", "rename")
        self.act_delete = A("&Delete project…", sb.delete_project, "Del", "delete")
        # Delete means "this project" only while the project list has focus; in the
        # timeline the same key deletes scenes.
        self.act_delete.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.removeAction(self.act_delete)
        sb.view.addAction(self.act_delete)
        self.act_save = A("&Save", self.commit_pending, QKeySequence.StandardKey.Save, "save")
        self.act_settings = A("Se&ttings…", self.open_settings, "Ctrl+,", "key",
                              "API keys for the generation services")
        self.act_settings.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.act_quit = A("&Quit", self.close, "Ctrl+Q")
        self.act_quit.setMenuRole(QAction.MenuRole.QuitRole)
        sb.set_context_actions([self.act_new, self.act_rename, self.act_duplicate, self.act_delete])

        self.act_undo = self.undo_stack.createUndoAction(self, "&Undo")
        self.act_undo.setShortcut(QKeySequence.StandardKey.Undo)
        self.act_undo.setIcon(theme.icon("undo"))
        self.act_redo = self.undo_stack.createRedoAction(self, "&Redo")
        self.act_redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.act_redo.setIcon(theme.icon("redo"))
        self.addActions([self.act_undo, self.act_redo])
        self.act_find = A("&Find project…", sb.focus_filter, QKeySequence.StandardKey.Find, "search")

        self.act_split = A("&Split into scenes…", self.project_page.split_scenes, "Ctrl+Shift+S", "split")
        self.act_add_scene = A("&Add scene", self.add_scene, "Ctrl+Shift+N", "scene_add")
        self.act_delete_scene = A("&Delete scene", self.delete_scenes, "Del", "scene_delete")
        self.act_delete_scene.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.removeAction(self.act_delete_scene)
        self.timeline.addAction(self.act_delete_scene)
        self.act_move_left = A("Move &left", lambda: self._move(-1), "Ctrl+Left", "left")
        self.act_move_right = A("Move &right", lambda: self._move(1), "Ctrl+Right", "right")
        self.act_next = A("&Next scene", lambda: self.step_scene(1), ["J", "Alt+Down"], "down")
        self.act_prev = A("&Previous scene", lambda: self.step_scene(-1), ["K", "Alt+Up"], "up")

        self.review = self.inspector.review_actions
        self.addActions(self.review.all())

        # Per kind: for the selected scenes (act_generate) and for the whole project
        # (act_generate_all). Narration is made for the whole project only.
        self.act_generate = {kind: A(text, lambda k=kind: self._generate(k), icon="sparkle")
                             for kind, text, _ in GENERATE_KINDS}
        self.act_generate_all = {kind: A(text, lambda k=kind: self._generate(k, whole=True), icon="sparkle")
                                 for kind, text, _ in GENERATE_KINDS if kind != "narration"}

        self.act_show = {}
        for key, text, w, keys, ic in (
            ("sidebar", "&Projects panel", self.sidebar, "Ctrl+1", "sidebar"),
            ("inspector", "&Inspector", self.inspector, "Ctrl+2", "inspector"),
            ("timeline", "&Timeline", self.timeline, "Ctrl+3", "timeline"),
        ):
            a = A(text, None, keys, ic)
            a.setCheckable(True)
            a.setChecked(True)
            a.toggled.connect(w.setVisible)
            self.act_show[key] = a
        # The jobs dock: hidden at start, shown when a batch is queued.
        self.act_jobs = self.jobs_dock.toggleViewAction()
        self.act_jobs.setText("&Jobs panel")
        self.act_jobs.setIcon(theme.icon("jobs"))
        self.act_jobs.setShortcut(QKeySequence("Ctrl+4"))
        self.addAction(self.act_jobs)
        self.act_tab_script = A("&Script && settings", lambda: self.center.setCurrentIndex(0), "Ctrl+Shift+1", "script")
        self.act_tab_preview = A("Pre&view", lambda: self.center.setCurrentIndex(1), "Ctrl+Shift+2", "preview")
        self.act_reset = A("&Reset layout", self.reset_layout, None, "layout")
        self.act_shortcuts = A("&Keyboard shortcuts", self.show_shortcuts, ["Ctrl+/", "F1"], "keyboard")
        self.act_about = A("&About StoryClip", self.show_about, None, "info")
        self.act_about.setMenuRole(QAction.MenuRole.AboutRole)

    def _build_menus(self) -> None:
        mb = self.menuBar()
        r = self.review

        def menu(title: str, *items: QAction | None) -> QMenu:
            m = mb.addMenu(title)
            for it in items:
                m.addSeparator() if it is None else m.addAction(it)
            return m

        menu("&File", self.act_new, self.act_duplicate, self.act_rename, self.act_delete, None,
             self.act_save, None, self.act_settings, None, self.act_quit)
        menu("&Edit", self.act_undo, self.act_redo, None, self.act_find)
        menu("&Scene", self.act_split, None, self.act_add_scene, self.act_delete_scene, None,
             self.act_move_left, self.act_move_right, None, self.act_next, self.act_prev)
        menu("&Review", r.confirm, None, r.confirm_prompt, r.confirm_image, None, r.reject)
        g, ga = self.act_generate, self.act_generate_all
        self.generate_menu = menu("&Generate", g["prompts"], ga["prompts"], None, g["images"], ga["images"],
                                  None, g["clips"], ga["clips"], None, g["narration"])
        for a in self.generate_menu.actions():
            if a.isSeparator():
                a.setEnabled(False)  # the menu reads as "nothing to do" until a project is open
        menu("&View", *self.act_show.values(), self.act_jobs, None, self.act_tab_script,
             self.act_tab_preview, None, self.act_reset)
        menu("&Help", self.act_shortcuts, None, self.act_about)

    def _build_generate_bar(self) -> None:
        """Buttons in the timeline header, next to the selection they act on: a click
        generates for the selected scenes, the arrow offers the whole project."""
        bar = QFrame()
        bar.setObjectName("generateBar")
        row = QHBoxLayout(bar)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        self.generate_label = theme.set_role(QLabel("Generate"), "hint")
        row.addWidget(self.generate_label)
        self.generate_buttons: dict[str, QToolButton] = {}
        for kind, text, _job in GENERATE_KINDS:
            b = QToolButton()
            b.setObjectName(f"generate_{kind}")
            b.setText(text.replace("&", ""))
            b.setIcon(theme.icon("sparkle"))
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            b.clicked.connect(lambda _c=False, k=kind: self.act_generate[k].trigger())
            if kind in self.act_generate_all:
                m = QMenu(b)
                m.addAction(self.act_generate[kind])
                m.addAction(self.act_generate_all[kind])
                b.setMenu(m)
                b.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
            else:
                row.addSpacing(8)  # narration is for the whole project, not the selection
            row.addWidget(b)
            self.generate_buttons[kind] = b
        header = getattr(self.timeline, "header", None)
        if header is not None:
            header.addSpacing(12)
            header.addWidget(bar)
        self.generate_bar = bar

    def _wire(self) -> None:
        ev = self.events
        self.sidebar.projectSelected.connect(self._on_project)
        self.timeline.sceneActivated.connect(self._on_scene)
        self.timeline.selectionChanged.connect(self._on_selection)
        if hasattr(self.timeline, "errorOccurred"):
            self.timeline.errorOccurred.connect(self.reporter.report)
        self.preview.versionChosen.connect(self._on_version_chosen)
        if hasattr(self.preview, "errorOccurred"):
            self.preview.errorOccurred.connect(self.reporter.report)
        self.inspector.image_version_source = self._previewed_image_version
        menu = getattr(self.preview, "version_menu", None)  # references made from the preview
        if menu is not None:
            menu.referencesChanged.connect(ev.projectChanged.emit)
        ev.scenesChanged.connect(self._on_scenes_changed)
        ev.sceneChanged.connect(self._on_scene_changed)
        ev.reveal.connect(self._reveal)
        ev.projectsChanged.connect(self._update_actions)
        ev.projectChanged.connect(self._on_project_changed)
        self.undo_stack.indexChanged.connect(self._on_stack_moved)
        self.project_page.script.saved.connect(lambda _p: self._update_actions())
        self.project_page.newProjectRequested.connect(self.sidebar.create_project)
        self._chain_tab_order()

    def _chain_tab_order(self) -> None:
        """Left to right, top to bottom: projects, centre, inspector, then the timeline."""
        timeline_focus = getattr(self.timeline, "view", self.timeline)
        chain = [*self.sidebar.tab_chain(), self.center.tabs, *self.project_page.tab_chain(),
                 *self.inspector.tab_chain(), timeline_focus]
        for a, b in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(a, b)

    # ---- reacting ----------------------------------------------------------------

    def _on_project(self, project_id: object) -> None:
        self.inspector.set_scene(None, None)
        self.project_page.set_project(project_id)
        self._project, self._scene, self._selection, self._order = project_id, None, [], None
        self.timeline.set_project(project_id)
        self._show_busy_cards()
        if self._scene is None:  # no scenes: clear what the previous project showed
            self.preview.show_scene(project_id, None)
        if self._scene is None:  # nothing to preview yet: the script is the work
            self.center.setCurrentIndex(0)
        self._update_title()
        self.currentProjectChanged.emit(project_id)
        self._refresh_choices()

    def _on_project_changed(self, project_id: object) -> None:
        if project_id == self._project:
            self._update_title()
            self._refresh_choices()  # the preferences may name another provider

    def _update_title(self) -> None:
        title = self.project_page.title.text() if self._project is not None else ""
        self.setWindowTitle(f"{title} — StoryClip" if title else "StoryClip")

    def _on_scene(self, scene_id: str) -> None:
        if self._project is None:
            return
        self._scene = scene_id or None
        self.inspector.set_scene(self._project, self._scene)
        self.preview.show_scene(self._project, self._scene)
        self.currentSceneChanged.emit(self._project, self._scene)
        self._update_actions()

    def _on_selection(self, ids: list) -> None:
        self._selection = [str(s) for s in ids]
        self._update_actions()

    def _on_version_chosen(self, scene_id: str) -> None:
        # The preview already shows the new choice; refresh everything else.
        if self._project is not None:
            self._from_preview = True
            try:
                self.events.sceneChanged.emit(self._project, scene_id)
                self.events.projectsChanged.emit()
            finally:
                self._from_preview = False

    def _previewed_image_version(self) -> int | None:
        av, scene = getattr(self.preview, "previewed", None), getattr(self.preview, "scene", None)
        if av is not None and av.type == "image" and scene is not None and scene.scene_id == self._scene:
            return av.version
        return None

    def _on_scenes_changed(self, project_id: object) -> None:
        self._order = None
        if project_id == self._project:
            self.timeline.reload()
            self._show_busy_cards()
        self._update_actions()

    def _on_scene_changed(self, project_id: object, scene_id: str) -> None:
        if project_id == self._project:
            self.timeline.refresh_scene(scene_id)
            if scene_id == self._scene and not self._from_preview:
                refresh = getattr(self.preview, "refresh", None)
                refresh() if refresh else self.preview.show_scene(project_id, scene_id)
        self._update_actions()

    def _on_stack_moved(self, _index: int) -> None:
        self._order = None  # a timeline move may have changed the order
        self.status.refresh_tokens()

    def _reveal(self, project_id: object, scene_id: object) -> None:
        if project_id is None:
            return
        if project_id != self._project and not self.sidebar.select_project(project_id):
            return
        if scene_id:
            self.timeline.select_scene(scene_id)

    def _update_actions(self) -> None:
        has_p, has_s = self._project is not None, self._scene is not None
        for a in (self.act_duplicate, self.act_rename, self.act_delete, self.act_split, self.act_add_scene):
            a.setEnabled(has_p)
        for a in (self.act_delete_scene, self.act_move_left, self.act_move_right, self.act_next, self.act_prev):
            a.setEnabled(has_s)
        self._update_generate_actions()
        self.review.update_for(self.inspector.scene.status if self.inspector.scene else None)

    # ---- generation --------------------------------------------------------------

    def _generation_ready(self) -> bool:
        c = self.generation_controller
        return c is not None and bool(getattr(c, "ready", True)) and self._project is not None

    def _refresh_choices(self) -> None:
        """Which provider each kind would use for the current project (re-read when the
        project, its preferences or the API keys change, never at every repaint)."""
        c, pid = self.generation_controller, self._project
        choices = None
        if c is not None and pid is not None and hasattr(c, "choices"):
            with self.reporter.guard():
                choices = c.choices(pid)
        self._choices = choices
        missing: dict[str, list[str]] = {}
        for job_kind, ch in (choices or {}).items():
            if ch.provider == "local":
                missing.setdefault(ch.preferred, []).append(job_kind)
        self.status.set_local_preview(missing)
        self._update_actions()

    def _is_local(self, job_kind: str) -> bool:
        ch = (self._choices or {}).get(job_kind)
        return ch is not None and ch.provider == "local"

    def _provider_note(self, job_kind: str) -> str:
        ch = (self._choices or {}).get(job_kind)
        if ch is None:
            return ""
        if ch.provider == "local":
            name = PROVIDER_NAMES.get(ch.preferred, ch.preferred)
            return (f" with the free Local preview (no {name} API key; add one in File › Settings…)")
        return f" with {PROVIDER_NAMES.get(ch.provider, ch.provider)}"

    def _update_generate_actions(self) -> None:
        ready = self._generation_ready()
        sel = self.selected_scene_ids() if self._project is not None else []
        target = sel[0] if len(sel) == 1 else (f"{len(sel)} selected scenes" if sel else "selected scenes")
        waiting = self.generation_controller is not None and not ready and self._project is not None
        for kind, text, job_kind in GENERATE_KINDS:
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
                one.setEnabled(ready and bool(sel))
                whole.setText(f"{noun.capitalize()} for whole project{local}")
                whole.setEnabled(ready)
                tip = f"Generate {noun} for {', '.join(sel) if sel else 'the selected scenes'}{note}"
                whole.setStatusTip(f"Generate {noun} for every scene that needs one{note}")
                whole.setToolTip(whole.statusTip())
            if waiting:
                tip = "Reading the API keys…"
            one.setStatusTip(tip)
            one.setToolTip(tip)
            b = getattr(self, "generate_buttons", {}).get(kind)
            if b is not None:
                b.setEnabled(one.isEnabled() or (whole is not None and whole.isEnabled()))
                b.setToolTip(tip + ("\nThe arrow: for the whole project." if whole is not None else ""))
        if hasattr(self, "generate_label"):
            self.generate_label.setText(f"Generate for {target}:" if sel else "Generate:")

    def _generate(self, kind: str, *, whole: bool = False) -> None:
        c = self.generation_controller
        if c is None or self._project is None or not hasattr(c, "generate"):
            return
        self.commit_pending()  # generate from what the editor sees, not the last save
        if whole or kind == "narration":  # narration is one audio for the whole project
            c.generate(kind, self._project, None)
        elif ids := self.selected_scene_ids():
            c.generate(kind, self._project, ids)

    def _show_busy_cards(self) -> None:
        c = self.generation_controller
        if c is not None and hasattr(c, "busy_scenes") and hasattr(self.timeline, "set_busy"):
            for sid in c.busy_scenes(self._project):
                self.timeline.set_busy(sid, True)

    def _on_scene_busy(self, project_id: object, scene_id: str, busy: bool) -> None:
        if project_id == self._project and hasattr(self.timeline, "set_busy"):
            self.timeline.set_busy(scene_id, busy)

    def _on_batch_queued(self, result: Any) -> None:
        """Say what was queued and, grouped by reason, which scenes were skipped."""
        from .generation import ui_wording

        self._failed_since_batch = 0
        self.show_jobs()
        n = len(result.job_ids)
        noun = KIND_NOUNS.get(result.kind, result.kind)
        queued = f"Queued {n} {noun}{'s' if n != 1 and noun != 'narration' else ''}"
        queued += f" ({result.provider_label})."
        if not result.skipped:
            self.reporter.clear()
            self.status.show_notice(queued)
            return
        by_reason: dict[str, list[str]] = {}
        for sk in result.skipped:
            by_reason.setdefault(ui_wording(sk.reason), []).append(sk.scene_id)
        parts = [f"{', '.join(ids)} skipped: {reason}" for reason, ids in by_reason.items()]
        self.reporter.notify(f"{queued} " + "; ".join(parts) + ".")

    def _on_job_finished(self, job: Any) -> None:
        """Refresh what the job changed: its card, the preview (the new version shows),
        the inspector (status), the narration bar; tokens and the project list once."""
        self._later_tokens.start()
        pid, sid = job.project_id, job.scene_id
        label = f"{KIND_NOUNS.get(job.kind, job.kind).capitalize()}{' for ' + sid if sid else ''}"
        if job.state == "failed":
            self._failed_since_batch += 1
            more = self._failed_since_batch - 1
            extra = f" ({more} more failed; see the Jobs panel)" if more else ""
            self.reporter.report(f"{label} failed: {job.error or 'unknown error'}{extra}")
        if job.state != "succeeded":
            return
        self._later_projects.start()  # progress in the project list
        if pid != self._project:
            return
        result = job.result or {}
        if job.kind == "text":
            self.events.scenesChanged.emit(pid)
        elif job.kind == "narration":
            show = getattr(self.preview, "show_project", None)
            if show is not None:
                show(pid)
        elif sid:
            self.events.sceneChanged.emit(pid, sid)  # card, inspector, preview
            if sid == self._scene and result.get("made_current") and result.get("type") in ("image", "clip"):
                reveal = getattr(self.preview, "reveal_version", None)
                if reveal is not None:
                    reveal(result["type"], result.get("version"))

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
        if len(ids) > 1 and not errors.confirm(
            self, "Delete scenes", f"Delete {len(ids)} scenes?", "Delete scenes",
            detail="Undo (Ctrl+Z) brings back their texts; generated versions stay in history.",
        ):
            return False
        if len(ids) == 1:
            return self.ctx.push(lambda: DeleteScene(self.ctx, pid, ids[0]))
        self.undo_stack.beginMacro(f"Delete {len(ids)} scenes")  # one undo step
        try:
            return all([self.ctx.push(lambda s=s: DeleteScene(self.ctx, pid, s)) for s in ids])
        finally:
            self.undo_stack.endMacro()

    def step_scene(self, delta: int) -> None:
        if self._project is None:
            return
        if self._order is None:
            with self.reporter.guard():
                self._order = [s.scene_id for s in self.services.scenes.list(self._project)]
        order = self._order or []
        if not order:
            return
        i = order.index(self._scene) + delta if self._scene in order else 0
        self.timeline.select_scene(order[max(0, min(i, len(order) - 1))])

    def _move(self, delta: int) -> None:
        mover = getattr(self.timeline, "move_selection", None)
        if mover is not None:
            mover(delta)

    # ---- layout memory -----------------------------------------------------------

    def reset_layout(self) -> None:
        for a in self.act_show.values():
            a.setChecked(True)
        self.top_split.setSizes(DEFAULT_SIZES["top"])
        self.main_split.setSizes(DEFAULT_SIZES["main"])

    def _restore_layout(self) -> None:
        s = self._settings
        geometry = s.value("window/geometry")
        if isinstance(geometry, QByteArray) and self.restoreGeometry(geometry):
            pass
        else:
            self.resize(1440, 900)
        self.reset_layout()
        for key, split in (("top", self.top_split), ("main", self.main_split)):
            state = s.value(f"splitters/{key}")
            if isinstance(state, QByteArray):
                split.restoreState(state)
        for key, a in self.act_show.items():
            a.setChecked(str(s.value(f"panels/{key}", "true")).lower() == "true")
        tab = s.value("window/tab")
        if tab is not None and str(tab).isdigit():
            self.center.setCurrentIndex(int(tab))

    def save_layout(self) -> None:
        s = self._settings
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("splitters/top", self.top_split.saveState())
        s.setValue("splitters/main", self.main_split.saveState())
        for key, a in self.act_show.items():
            s.setValue(f"panels/{key}", "true" if a.isChecked() else "false")
        s.setValue("window/tab", self.center.currentIndex())
        if self._project is not None:
            s.setValue("last_project", str(self._project))
        s.sync()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._focused_once:  # start where the work is, not on the first tool button
            self._focused_once = True
            target = self.sidebar.view if self._project is not None else self.project_page.new_button
            target.setFocus(Qt.FocusReason.OtherFocusReason)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.commit_pending() and not errors.confirm(
            self, "Unsaved script", "The script could not be saved (see the message above).",
            "Quit without saving",
        ):
            event.ignore()
            return
        self.save_layout()
        super().closeEvent(event)

    # ---- help --------------------------------------------------------------------

    def show_shortcuts(self) -> None:
        dlg = QDialog(self)
        dlg.setWindowTitle("Keyboard shortcuts")
        dlg.resize(480, 560)
        tree = QTreeWidget()
        tree.setHeaderLabels(["Action", "Shortcut"])
        tree.setRootIsDecorated(False)
        tree.setColumnWidth(0, 280)
        for title, action in shortcut_rows(self):
            QTreeWidgetItem(tree, [title, action])
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(dlg.reject)
        lay = QVBoxLayout(dlg)
        lay.addWidget(tree)
        lay.addWidget(buttons)
        dlg.open()
        self._shortcuts_dialog = dlg

    def show_about(self) -> None:
        QMessageBox.about(
            self, "About StoryClip",
            f"<h3>StoryClip Desktop {__version__}</h3><p>Turn a written script into a short "
            "video, scene by scene. 대본을 장면별 숏폼 영상으로.</p>",
        )


def shortcut_rows(window: QMainWindow) -> list[tuple[str, str]]:
    """Every menu action with a shortcut, read from the menus so the list never drifts."""
    rows: list[tuple[str, str]] = []
    for menu_action in window.menuBar().actions():
        menu = menu_action.menu()
        section = menu_action.text().replace("&", "")
        for a in menu.actions() if menu else []:
            keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in a.shortcuts()]
            if keys:
                name = a.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
                rows.append((f"{section} › {name}", " / ".join(keys)))
    rows.append(("Preview › Play / pause", "Space"))
    rows.append(("Any dialog › Cancel", "Esc"))
    return rows
