"""The project page: title line, script editor and video settings, and the
'Split into scenes' step that turns the script into scenes."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from .. import errors, theme
from ..commands import CommandContext, SplitScenes
from .preferences_form import PreferencesForm
from .script_editor import ScriptEditor


class ProjectPage(QWidget):
    newProjectRequested = Signal()

    def __init__(self, ctx: CommandContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.project_id: int | None = None

        self.title = theme.set_role(QLabel(), "title")
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.description = theme.set_role(QLabel(), "hint")
        self.description.setWordWrap(True)
        self.split_button = QPushButton(theme.icon("split"), "&Split into scenes")
        self.split_button.setProperty("primary", True)
        self.split_button.setToolTip("Cut the script into scenes with the split rule")
        self.split_button.clicked.connect(self.split_scenes)
        head_text = QVBoxLayout()
        head_text.setSpacing(2)
        head_text.addWidget(self.title)
        head_text.addWidget(self.description)
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
        side.addWidget(theme.set_role(QLabel("VIDEO SETTINGS"), "heading"))
        side.addWidget(scroll, 1)
        body = QHBoxLayout()
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
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)
        ctx.events.projectChanged.connect(self._on_project_changed)
        ctx.events.scenesChanged.connect(self._on_project_changed)

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
        pid = self.project_id
        if pid is None or not self.script.save():
            return False
        with self.ctx.reporter.guard() as g:
            existing = self.ctx.services.projects.get(pid).scene_count
        if g.failed:
            return False
        if existing and not errors.confirm(
            self, "Split into scenes",
            f"Replace {existing:,} scene{'s' if existing != 1 else ''}? Their texts will be "
            "replaced; generated versions stay in the project's history.",
            "Replace scenes",
        ):
            return False
        return self.ctx.push(lambda: SplitScenes(self.ctx, pid))

    def _refresh_header(self) -> None:
        if self.project_id is None:
            return
        with self.ctx.reporter.guard():
            d = self.ctx.services.projects.get(self.project_id)
            self.title.setText(d.title)
            n = d.scene_count
            scenes = f"{n:,} scene{'s' if n != 1 else ''}" if n else "Not split yet"
            self.description.setText(" · ".join(x for x in (d.description, scenes) if x))
            self.split_button.setText("Re-&split into scenes" if n else "&Split into scenes")

    def _on_project_changed(self, project_id: object) -> None:
        if project_id == self.project_id:
            self._refresh_header()
