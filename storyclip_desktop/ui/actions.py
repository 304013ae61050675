"""The window's actions and menus, declared as data.

One `ActionSpec` per command the user can give: its text, shortcuts, icon, what it
needs to be enabled and what it does. `build_actions` turns the table into QActions on
the window; `MENUS` says where each one sits. To add an action: add an `ActionId`, a
spec in `ACTIONS` and its place in `MENUS` (docs/architecture.md, "Adding an action").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QWidget

from . import theme

if TYPE_CHECKING:
    from .main_window import MainWindow

Key = str | QKeySequence.StandardKey


class ActionId(StrEnum):
    """Values are the suffixes of the window's `act_*` attributes."""

    NEW = "new"
    DUPLICATE = "duplicate"
    RENAME = "rename"
    DELETE = "delete"
    SAVE = "save"
    EXPORT_VIDEO = "export_video"
    EXPORTS = "exports"
    EXPORT_TIMELINE = "export_timeline"
    IMPORT_EDIT = "import_edit"
    SETTINGS = "settings"
    QUIT = "quit"
    UNDO = "undo"
    REDO = "redo"
    FIND = "find"
    SPLIT = "split"
    ADD_SCENE = "add_scene"
    DELETE_SCENE = "delete_scene"
    MOVE_LEFT = "move_left"
    MOVE_RIGHT = "move_right"
    NEXT = "next"
    PREV = "prev"
    PLAY = "play"
    PLAY_ALL = "play_all"
    CONFIRM = "confirm"
    CONFIRM_PROMPT = "confirm_prompt"
    CONFIRM_IMAGE = "confirm_image"
    REJECT = "reject"
    GENERATE_PROMPTS = "generate_prompts"
    GENERATE_ALL_PROMPTS = "generate_all_prompts"
    GENERATE_IMAGES = "generate_images"
    GENERATE_ALL_IMAGES = "generate_all_images"
    GENERATE_CLIPS = "generate_clips"
    GENERATE_ALL_CLIPS = "generate_all_clips"
    GENERATE_NARRATION = "generate_narration"
    SHOW_SIDEBAR = "show_sidebar"
    SHOW_INSPECTOR = "show_inspector"
    SHOW_TIMELINE = "show_timeline"
    JOBS = "jobs"
    TAB_SCRIPT = "tab_script"
    TAB_PREVIEW = "tab_preview"
    RESET = "reset"
    SHORTCUTS = "shortcuts"
    ABOUT = "about"


class Needs(Enum):
    """What must be open for the action to be enabled (the window re-checks on every
    project or scene change)."""

    NOTHING = "nothing"
    PROJECT = "project"
    SCENE = "scene"


@dataclass(frozen=True)
class ActionSpec:
    id: ActionId
    text: str = ""
    run: Callable[[MainWindow], object] | None = None
    keys: tuple[Key, ...] = ()
    icon: str = ""
    tip: str = ""
    needs: Needs = Needs.NOTHING
    role: QAction.MenuRole | None = None
    checkable: bool = False
    # The widget the shortcut is scoped to (Del deletes a project in the project list
    # and scenes in the timeline); None: the whole window.
    scope: Callable[[MainWindow], QWidget] | None = None
    # Actions another object already owns (undo/redo from the stack, the inspector's
    # review actions, the jobs dock's toggle): the spec only places them.
    existing: Callable[[MainWindow], QAction] | None = None


def _gen(kind: str, *, whole: bool = False) -> Callable[[MainWindow], object]:
    return lambda w: w.generate_controls.generate(kind, whole=whole)


def _tab(i: int) -> Callable[[MainWindow], object]:
    return lambda w: w.center.setCurrentIndex(i)


_UNDO_KEYS: tuple[Key, ...] = (QKeySequence.StandardKey.Undo,)

ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec(ActionId.NEW, "&New project…", lambda w: w.sidebar.create_project(),
               (QKeySequence.StandardKey.New,), "add"),
    ActionSpec(ActionId.DUPLICATE, "D&uplicate project…", lambda w: w.sidebar.duplicate_project(),
               ("Ctrl+D",), "duplicate", needs=Needs.PROJECT),
    ActionSpec(ActionId.RENAME, "&Rename project…", lambda w: w.sidebar.rename_project(),
               ("F2",), "rename", needs=Needs.PROJECT),
    ActionSpec(ActionId.DELETE, "&Delete project…", lambda w: w.sidebar.delete_project(),
               ("Del",), "delete", needs=Needs.PROJECT, scope=lambda w: w.sidebar.view),
    ActionSpec(ActionId.SAVE, "&Save", lambda w: w.commit_pending(),
               (QKeySequence.StandardKey.Save,), "save"),
    ActionSpec(ActionId.EXPORT_VIDEO, "Export &video…", lambda w: w.export_controls.export_video(),
               ("Ctrl+E",), "film", "Render the finished short: clips, narration, music and subtitles in one MP4",
               needs=Needs.PROJECT),
    ActionSpec(ActionId.EXPORTS, "Exported vi&deos…", lambda w: w.export_controls.show_exports(), (), "folder",
               "The videos exported from this project, to play or show in their folder", needs=Needs.PROJECT),
    # No shortcuts for the hand-off: rarely used, and an ambiguous key silently does nothing.
    ActionSpec(ActionId.EXPORT_TIMELINE, "E&xport timeline…", lambda w: w.handoff_controls.export_timeline(),
               (), "timeline", "Write the timeline with its media and provenance for Resolve, Premiere or another editor",
               needs=Needs.PROJECT),
    ActionSpec(ActionId.IMPORT_EDIT, "&Import edit…", lambda w: w.handoff_controls.import_edit(), (), "folder",
               "Bring back an edit made in Resolve or Premiere: the new order and the new spans",
               needs=Needs.PROJECT),
    ActionSpec(ActionId.SETTINGS, "Se&ttings…", lambda w: w.open_settings(), ("Ctrl+,",), "key",
               "API keys for the generation services", role=QAction.MenuRole.PreferencesRole),
    ActionSpec(ActionId.QUIT, "&Quit", lambda w: w.close(), ("Ctrl+Q",),
               role=QAction.MenuRole.QuitRole),
    ActionSpec(ActionId.UNDO, existing=lambda w: w.undo_stack.createUndoAction(w, "&Undo"),
               keys=_UNDO_KEYS, icon="undo"),
    ActionSpec(ActionId.REDO, existing=lambda w: w.undo_stack.createRedoAction(w, "&Redo"),
               keys=("Ctrl+Shift+Z", "Ctrl+Y"), icon="redo"),
    ActionSpec(ActionId.FIND, "&Find project…", lambda w: w.sidebar.focus_filter(),
               (QKeySequence.StandardKey.Find,), "search"),
    ActionSpec(ActionId.SPLIT, "&Split into scenes…", lambda w: w.project_page.split_scenes(),
               ("Ctrl+Shift+S",), "split", needs=Needs.PROJECT),
    ActionSpec(ActionId.ADD_SCENE, "&Add scene", lambda w: w.add_scene(), ("Ctrl+Shift+N",),
               "scene_add", needs=Needs.PROJECT),
    ActionSpec(ActionId.DELETE_SCENE, "&Delete scene", lambda w: w.delete_scenes(), ("Del",),
               "scene_delete", needs=Needs.SCENE, scope=lambda w: w.timeline),
    ActionSpec(ActionId.MOVE_LEFT, "Move &left", lambda w: w.timeline.move_selection(-1),
               ("Ctrl+Left",), "left", needs=Needs.SCENE),
    ActionSpec(ActionId.MOVE_RIGHT, "Move &right", lambda w: w.timeline.move_selection(1),
               ("Ctrl+Right",), "right", needs=Needs.SCENE),
    ActionSpec(ActionId.NEXT, "&Next scene", lambda w: w.step_scene(1), ("J", "Alt+Down"), "down",
               needs=Needs.SCENE),
    ActionSpec(ActionId.PREV, "&Previous scene", lambda w: w.step_scene(-1), ("K", "Alt+Up"), "up",
               needs=Needs.SCENE),
    # Window-wide: a text field takes its own Space (and J, K) first, everything else plays.
    ActionSpec(ActionId.PLAY, "&Play / pause", lambda w: w.preview.toggle_playback(), ("Space",), "film",
               "Play or pause the scene's clip, or the narration", needs=Needs.PROJECT),
    ActionSpec(ActionId.PLAY_ALL, "Play &all", lambda w: w.export_controls.play_all(), ("Ctrl+Shift+P",),
               "preview", "Watch the whole cut in timeline order with the narration and subtitles",
               needs=Needs.PROJECT),
    # The inspector owns the review actions (its buttons share them); their state
    # follows the scene's status, not `needs`.
    ActionSpec(ActionId.CONFIRM, existing=lambda w: w.review.confirm),
    ActionSpec(ActionId.CONFIRM_PROMPT, existing=lambda w: w.review.confirm_prompt),
    ActionSpec(ActionId.CONFIRM_IMAGE, existing=lambda w: w.review.confirm_image),
    ActionSpec(ActionId.REJECT, existing=lambda w: w.review.reject),
    # Texts and enabled state come from GenerateControls (they name the provider).
    # Every Generate action has a key: Ctrl+Alt+letter for the selected scenes, with
    # Shift for the whole project.
    ActionSpec(ActionId.GENERATE_PROMPTS, "&Prompts", _gen("prompts"), ("Ctrl+Alt+P",), "sparkle"),
    ActionSpec(ActionId.GENERATE_ALL_PROMPTS, "&Prompts", _gen("prompts", whole=True), ("Ctrl+Alt+Shift+P",),
               "sparkle"),
    ActionSpec(ActionId.GENERATE_IMAGES, "&Images", _gen("images"), ("Ctrl+Alt+I",), "sparkle"),
    ActionSpec(ActionId.GENERATE_ALL_IMAGES, "&Images", _gen("images", whole=True), ("Ctrl+Alt+Shift+I",),
               "sparkle"),
    ActionSpec(ActionId.GENERATE_CLIPS, "&Clips", _gen("clips"), ("Ctrl+Alt+C",), "sparkle"),
    ActionSpec(ActionId.GENERATE_ALL_CLIPS, "&Clips", _gen("clips", whole=True), ("Ctrl+Alt+Shift+C",),
               "sparkle"),
    ActionSpec(ActionId.GENERATE_NARRATION, "&Narration", _gen("narration"), ("Ctrl+Alt+N",), "sparkle"),
    ActionSpec(ActionId.SHOW_SIDEBAR, "&Projects panel", None, ("Ctrl+1",), "sidebar", checkable=True),
    ActionSpec(ActionId.SHOW_INSPECTOR, "&Inspector", None, ("Ctrl+2",), "inspector", checkable=True),
    ActionSpec(ActionId.SHOW_TIMELINE, "&Timeline", None, ("Ctrl+3",), "timeline", checkable=True),
    ActionSpec(ActionId.JOBS, "&Jobs panel", keys=("Ctrl+4",), icon="jobs",
               existing=lambda w: w.jobs_popover.toggleViewAction()),
    ActionSpec(ActionId.TAB_SCRIPT, "&Script && settings", _tab(0), ("Ctrl+Shift+1",), "script"),
    ActionSpec(ActionId.TAB_PREVIEW, "Pre&view", _tab(1), ("Ctrl+Shift+2",), "preview"),
    ActionSpec(ActionId.RESET, "&Reset layout", lambda w: w.layout_memory.reset(), icon="layout"),
    ActionSpec(ActionId.SHORTCUTS, "&Keyboard shortcuts", lambda w: w.show_shortcuts(),
               ("Ctrl+/", "F1"), "keyboard"),
    ActionSpec(ActionId.ABOUT, "&About StoryClip", lambda w: w.show_about(), icon="info",
               role=QAction.MenuRole.AboutRole),
)


class MenuId(StrEnum):
    FILE = "File"
    EDIT = "Edit"
    SCENE = "Scene"
    REVIEW = "Review"
    GENERATE = "Generate"
    VIEW = "View"
    HELP = "Help"


A = ActionId
# The menu bar, left to right; None is a separator.
MENUS: tuple[tuple[MenuId, str, tuple[ActionId | None, ...]], ...] = (
    (MenuId.FILE, "&File", (A.NEW, A.DUPLICATE, A.RENAME, A.DELETE, None, A.SAVE, None,
                            A.EXPORT_VIDEO, A.EXPORTS, None, A.EXPORT_TIMELINE, A.IMPORT_EDIT, None,
                            A.SETTINGS, None, A.QUIT)),
    (MenuId.EDIT, "&Edit", (A.UNDO, A.REDO, None, A.FIND)),
    (MenuId.SCENE, "&Scene", (A.SPLIT, None, A.ADD_SCENE, A.DELETE_SCENE, None, A.MOVE_LEFT,
                              A.MOVE_RIGHT, None, A.NEXT, A.PREV, None, A.PLAY, A.PLAY_ALL)),
    (MenuId.REVIEW, "&Review", (A.CONFIRM, None, A.CONFIRM_PROMPT, A.CONFIRM_IMAGE, None, A.REJECT)),
    (MenuId.GENERATE, "&Generate", (A.GENERATE_PROMPTS, A.GENERATE_ALL_PROMPTS, None,
                                    A.GENERATE_IMAGES, A.GENERATE_ALL_IMAGES, None,
                                    A.GENERATE_CLIPS, A.GENERATE_ALL_CLIPS, None,
                                    A.GENERATE_NARRATION)),
    (MenuId.VIEW, "&View", (A.SHOW_SIDEBAR, A.SHOW_INSPECTOR, A.SHOW_TIMELINE, A.JOBS, None,
                            A.TAB_SCRIPT, A.TAB_PREVIEW, None, A.RESET)),
    (MenuId.HELP, "&Help", (A.SHORTCUTS, None, A.ABOUT)),
)
SPECS: dict[ActionId, ActionSpec] = {s.id: s for s in ACTIONS}


def make_action(window: QWidget, text: str, run: Callable[[], object] | None = None,
                keys: tuple[Key, ...] = (), icon: str = "", tip: str = "") -> QAction:
    """A QAction on `window`, so its shortcut works even when the menu bar is hidden."""
    a = QAction(theme.icon(icon), text, window)
    if keys:
        a.setShortcuts([QKeySequence(k) for k in keys])
    if tip:
        a.setStatusTip(tip)
    if run is not None:
        a.triggered.connect(lambda _checked=False: run())
    window.addAction(a)
    return a


def build_actions(window: MainWindow) -> dict[ActionId, QAction]:
    actions: dict[ActionId, QAction] = {}
    for spec in ACTIONS:
        if spec.existing is not None:
            a = spec.existing(window)
            if spec.text:
                a.setText(spec.text)
            if spec.keys:
                a.setShortcuts([QKeySequence(k) for k in spec.keys])
            if spec.icon:
                a.setIcon(theme.icon(spec.icon))
            window.addAction(a)
        else:
            run = spec.run
            a = make_action(window, spec.text, (lambda r=run: r(window)) if run else None,
                            spec.keys, spec.icon, spec.tip)
        if spec.role is not None:
            a.setMenuRole(spec.role)
        if spec.checkable:
            a.setCheckable(True)
            a.setChecked(True)
        if spec.scope is not None:
            a.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            window.removeAction(a)
            spec.scope(window).addAction(a)
        actions[spec.id] = a
    return actions


def build_menus(window: MainWindow, actions: dict[ActionId, QAction]) -> dict[MenuId, QMenu]:
    menus: dict[MenuId, QMenu] = {}
    for menu_id, title, items in MENUS:
        m = window.menuBar().addMenu(title)
        for item in items:
            if item is None:
                m.addSeparator().setEnabled(False)  # reads as "nothing to do" when all are off
            else:
                m.addAction(actions[item])
        menus[menu_id] = m
    return menus


def update_enabled(actions: dict[ActionId, QAction], *, has_project: bool, has_scene: bool) -> None:
    for spec in ACTIONS:
        if spec.needs is Needs.PROJECT:
            actions[spec.id].setEnabled(has_project)
        elif spec.needs is Needs.SCENE:
            actions[spec.id].setEnabled(has_scene)
