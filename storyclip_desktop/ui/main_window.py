"""The main window: projects left, the project page / preview in the centre, the scene
inspector right, the timeline along the bottom; menus, shortcuts and layout memory."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QByteArray, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence, QShowEvent, QUndoStack
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QTabBar,
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
GENERATE_KINDS = (("prompts", "Write &prompts"), ("images", "Generate &images"),
                  ("clips", "Generate &clips"), ("narration", "Generate &narration"))


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
        self.ctx = CommandContext(services, self.undo_stack, self.reporter, self.events)
        self._project: int | None = None
        self._scene: str | None = None
        self._selection: list[str] = []
        self._order: list[str] | None = None
        self.generation_controller: object | None = None
        self._from_preview = False

        self.sidebar = ProjectSidebar(self.ctx)
        self.project_page = ProjectPage(self.ctx)
        self.preview = make_preview(services)
        self.inspector = SceneInspector(self.ctx)
        self.timeline = make_timeline(services, self.undo_stack)
        self._build_layout()
        self._build_actions()
        self._build_menus()
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
        """Hook for the job engine. Its Generate actions call
        `controller.generate(kind, project_id, scene_ids)`; a `runningChanged(int)`
        signal, if it has one, feeds the status bar's job count."""
        self.generation_controller = controller
        running = getattr(controller, "runningChanged", None)
        if running is not None:
            running.connect(self.status.set_running_jobs)
        self._update_actions()

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

        self.act_generate = {kind: A(text, lambda k=kind: self._generate(k), icon="sparkle")
                             for kind, text in GENERATE_KINDS}

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
             self.act_save, None, self.act_quit)
        menu("&Edit", self.act_undo, self.act_redo, None, self.act_find)
        menu("&Scene", self.act_split, None, self.act_add_scene, self.act_delete_scene, None,
             self.act_move_left, self.act_move_right, None, self.act_next, self.act_prev)
        menu("&Review", r.confirm, None, r.confirm_prompt, r.confirm_image, None, r.reject)
        self.generate_menu = menu("&Generate", *self.act_generate.values())
        menu("&View", *self.act_show.values(), None, self.act_tab_script, self.act_tab_preview,
             None, self.act_reset)
        menu("&Help", self.act_shortcuts, None, self.act_about)

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
        ev.scenesChanged.connect(self._on_scenes_changed)
        ev.sceneChanged.connect(self._on_scene_changed)
        ev.reveal.connect(self._reveal)
        ev.projectsChanged.connect(self._update_actions)
        ev.projectChanged.connect(lambda pid: pid == self._project and self._update_title())
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
        if self._scene is None:  # no scenes: clear what the previous project showed
            self.preview.show_scene(project_id, None)
        if self._scene is None:  # nothing to preview yet: the script is the work
            self.center.setCurrentIndex(0)
        self._update_title()
        self.currentProjectChanged.emit(project_id)
        self._update_actions()

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
        ready = self.generation_controller is not None and has_p
        for a in self.act_generate.values():
            a.setEnabled(ready)
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

    def _generate(self, kind: str) -> None:
        c = self.generation_controller
        if c is not None and self._project is not None and hasattr(c, "generate"):
            c.generate(kind, self._project, self.selected_scene_ids())

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
