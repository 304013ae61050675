"""The project page: title line, script editor and video settings, and the
'Split into scenes' step that turns the script into scenes."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...services.views import ProjectDetail
from .. import errors, theme
from ..commands import CommandContext, SplitScenes
from ..timing_text import ProjectTiming, timing_reader
from .preferences_form import PreferencesForm
from .script_editor import ScriptEditor

NARROW = 820  # below this page width the video settings sit under the script


class ProjectPage(QWidget):
    newProjectRequested = Signal()
    headerShown = Signal()  # the title line shows the open project's (read off the GUI thread)

    def __init__(self, ctx: CommandContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.project_id: int | None = None

        self.title = theme.set_role(QLabel(), "title")
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.description = theme.set_role(QLabel(), "hint")
        self.description.setWordWrap(True)
        # "Narration out of date: S2 and S5 changed ...": never stale silently
        self.stale_notice = theme.set_role(QLabel(), "error")
        self.stale_notice.setWordWrap(True)
        self.stale_notice.setAccessibleName("Narration out of date")
        self.stale_notice.hide()
        self._header = ""
        self._timing_reader = timing_reader(self.ctx)
        self._timing_reader.ready.connect(self._on_timing)
        self.split_button = QPushButton(theme.icon("split"), "&Split into scenes")
        self.split_button.setProperty("primary", True)
        self.split_button.setToolTip("Cut the script into scenes with the split rule")
        self.split_button.clicked.connect(self.split_scenes)
        head_text = QVBoxLayout()
        head_text.setSpacing(2)
        head_text.addWidget(self.title)
        head_text.addWidget(self.description)
        head_text.addWidget(self.stale_notice)
        head = QHBoxLayout()
        head.setSpacing(16)
        head.addLayout(head_text, 1)
        head.addWidget(self.split_button, 0, Qt.AlignmentFlag.AlignTop)

        self.script = ScriptEditor(ctx)
        self.preferences = PreferencesForm(ctx)
        card = QFrame()
        card.setProperty("role", "card")
        cl = QVBoxLayout(card)
        cl.setContentsMargins(16, 16, 16, 16)
        cl.addWidget(self.preferences)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(card)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(300)
        scroll.setMaximumWidth(380)
        scroll.setFrameShape(QFrame.Shape.NoFrame)

        side = QVBoxLayout()
        side.setSpacing(8)
        self._settings_heading = theme.set_role(QLabel("VIDEO SETTINGS"), "heading")
        # Narrow: the settings fold under the script behind this toggle, so writing
        # keeps the height.
        self.settings_toggle = QToolButton()
        self.settings_toggle.setText("Video settings")
        self.settings_toggle.setCheckable(True)
        self.settings_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.settings_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.settings_toggle.setAutoRaise(True)
        self.settings_toggle.toggled.connect(self._fold_settings)
        self.settings_toggle.hide()
        side.addWidget(self._settings_heading)
        side.addWidget(self.settings_toggle)
        side.addWidget(scroll, 1)
        body = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        body.setSpacing(16)
        from ..references import CharactersPanel

        self.characters = CharactersPanel(ctx)  # under the script: its rows need the width
        left = QVBoxLayout()
        left.setSpacing(8)
        left.addWidget(self.script, 1)
        left.addWidget(theme.set_role(QLabel("CHARACTERS & STYLE"), "heading"))
        # Its own scroll area, so a long cast never squeezes the script or grows the window.
        cast = QScrollArea()
        cast.setWidgetResizable(True)
        cast.setWidget(self.characters)
        cast.setFrameShape(QFrame.Shape.NoFrame)
        cast.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        cast.setMinimumHeight(200)
        cast.setMaximumHeight(260)
        left.addWidget(cast)
        body.addLayout(left, 1)
        body.addLayout(side)
        self._body, self._settings, self._cast = body, scroll, cast
        self._narrow = False

        page = QWidget()
        lay = QVBoxLayout(page)
        lay.setContentsMargins(24, 16, 24, 16)
        lay.setSpacing(16)
        lay.addLayout(head)
        lay.addLayout(body, 1)

        self.empty = self._empty_state()
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(page)
        # Until the window knows whether there is a project (the list is read off the
        # GUI thread): nothing, rather than a "Start a project" that flashes by.
        self.stack.addWidget(QWidget())
        self.stack.setCurrentIndex(2)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)
        ctx.events.projectChanged.connect(self._on_project_changed)
        ctx.events.scenesChanged.connect(self._on_project_changed)
        # a bound method (not a lambda), so the connection dies with the page
        ctx.events.sceneChanged.connect(self._on_scene_changed)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        # Narrow (a 1024-wide window with both side panels): the settings go under the
        # script, so the script keeps the full width for writing.
        narrow = self._narrow = self.width() < NARROW
        self._body.setDirection(QBoxLayout.Direction.TopToBottom if narrow else QBoxLayout.Direction.LeftToRight)
        self._settings.setMaximumWidth(16_777_215 if narrow else 380)
        self._settings.setMaximumHeight(max(140, round(self.height() * 0.4)) if narrow else 16_777_215)
        self._settings_heading.setVisible(not narrow)
        # The cast gives the script its room on a small screen (it scrolls inside).
        self._cast.setMinimumHeight(0 if narrow else 200)
        self._cast.setMaximumHeight(max(96, round(self.height() * 0.22)) if narrow else 260)
        self.settings_toggle.setVisible(narrow)
        self._fold_settings(self.settings_toggle.isChecked())
        super().resizeEvent(event)

    def _fold_settings(self, shown: bool) -> None:
        self._settings.setVisible(shown or not self._narrow)
        self.settings_toggle.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)

    def _empty_state(self) -> QWidget:
        box = QWidget()
        lay = QVBoxLayout(box)
        lay.setSpacing(8)
        lay.addStretch(1)
        art = QLabel()
        art.setPixmap(theme.icon("film").pixmap(QSize(48, 48), QIcon.Mode.Disabled))
        heading = theme.set_role(QLabel("Start a project"), "title")
        # Explicit line breaks: a word-wrapped label centred in a layout gets too
        # little height for Hangul fallback glyphs and clips.
        text = theme.set_role(QLabel(
            "Paste a script, split it into scenes, then review\n"
            "each scene's prompt, image and clip.\n"
            "대본을 붙여 넣고 장면으로 나눈 뒤 장면마다 검토하세요."), "hint")
        self.new_button = QPushButton(theme.icon("add"), "&New project…")
        self.new_button.setProperty("primary", True)
        self.new_button.clicked.connect(self.newProjectRequested)
        for w in (art, heading, text):
            w.setAlignment(Qt.AlignmentFlag.AlignCenter)
            lay.addWidget(w, 0, Qt.AlignmentFlag.AlignHCenter)
        lay.addSpacing(8)
        lay.addWidget(self.new_button, 0, Qt.AlignmentFlag.AlignHCenter)
        lay.addStretch(2)
        return box

    def tab_chain(self) -> list[QWidget]:
        return [self.split_button, self.script.editor, *self.preferences.tab_chain()]

    def set_project(self, project_id: int | None) -> None:
        """Show a project (None: the "Start a project" state)."""
        self.project_id = project_id
        self.script.set_project(project_id)
        self.preferences.set_project(project_id)
        self.characters.set_project(project_id)
        self.stack.setCurrentIndex(0 if project_id is None else 1)
        self._refresh_header()

    def commit(self) -> bool:
        """Save what is pending; False if something could not be saved."""
        return self.script.save()

    def split_scenes(self) -> bool:
        """Save the script, ask before replacing scenes, split: each step off the GUI
        thread, the button greyed until the last came back (no double split)."""
        pid = self.project_id
        if pid is None or not self.split_button.isEnabled():
            return False
        self.split_button.setEnabled(False)

        def saved(ok: bool) -> None:
            if not ok or pid != self.project_id:
                self.split_button.setEnabled(True)
                return
            self.ctx.ops.read(lambda: self.ctx.services.projects.get(pid).scene_count, ask,
                              failure=failed)

        def ask(existing: int) -> None:
            if pid != self.project_id or (existing and not errors.confirm(
                self, "Split into scenes",
                f"Replace {existing:,} scene{'s' if existing != 1 else ''}? Their texts will be "
                "replaced; generated versions stay in the project's history.",
                "Replace scenes",
            )):
                self.split_button.setEnabled(True)
                return
            if not self.ctx.push(lambda: SplitScenes(self.ctx, pid), done=lambda _ok: self.split_button.setEnabled(True)):
                self.split_button.setEnabled(True)

        def failed(exc: BaseException) -> None:
            self.split_button.setEnabled(True)
            self.ctx.reporter.report(exc)

        if not self.script.save(then=saved):
            self.split_button.setEnabled(True)
            return False
        return True

    def _refresh_header(self) -> None:
        if self.project_id is not None:
            self._on_project_changed(self.project_id)

    def _show_header(self, d: ProjectDetail) -> None:
        if d.id != self.project_id:
            return  # another project is open by now
        self.title.setText(d.title)
        self.headerShown.emit()
        n = d.scene_count
        scenes = f"{n:,} scene{'s' if n != 1 else ''}" if n else "Not split yet"
        self._header = " · ".join(x for x in (d.description, scenes) if x)
        self.description.setText(self._header)
        self.split_button.setText("Re-&split into scenes" if n else "&Split into scenes")
        if n:
            self._timing_reader.request(self.project_id)
        else:
            self._on_timing(self.project_id, ProjectTiming())

    def _on_timing(self, project_id: object, timing: ProjectTiming) -> None:
        """The total and the out-of-date notice, once read off the GUI thread."""
        if project_id != self.project_id:
            return
        total = f"{timing.total_text} in all" if timing.total_frames else None
        self.description.setText(" · ".join(x for x in (self._header, total) if x))
        self.stale_notice.setText(timing.notice or "")
        self.stale_notice.setVisible(bool(timing.notice))

    def _on_scene_changed(self, project_id: object, _scene_id: str) -> None:
        self._on_project_changed(project_id)  # a scene's text moves the total and staleness

    def _on_project_changed(self, project_id: object) -> None:
        if project_id == self.project_id:  # re-read off the GUI thread
            pid = self.project_id
            self.ctx.ops.read(lambda: self.ctx.services.projects.get(pid), self._show_header,
                              key="project-header")
