"""The inspector's character picker: which of the project's characters the scene shows
(their reference images go with its image requests), with the names its text mentions
offered as a suggestion. Each change is an undoable edit of the scene."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...services.references import suggest_for
from ...services.views import SceneView
from .. import theme
from ..commands import CommandContext, _SceneCommand

COLUMNS = 3


class LinkCharacters(_SceneCommand):
    def __init__(self, ctx: CommandContext, pid: int, sid: str, old: list[str], new: list[str]) -> None:
        super().__init__(ctx, pid, sid, f"Set {sid} characters")
        self.old, self.new = list(old), list(new)

    def apply(self) -> None:
        self.ctx.services.references.link(*self.target, self.new)

    def revert(self) -> None:
        self.ctx.services.references.link(*self.target, self.old)


class CharacterPicker(QWidget):
    def __init__(self, ctx: CommandContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.scene: SceneView | None = None
        self.names: list[str] = []
        self.suggested: list[str] = []
        self.boxes: dict[str, QCheckBox] = {}

        self.grid = QGridLayout()
        self.grid.setHorizontalSpacing(12)
        self.grid.setVerticalSpacing(4)
        self.empty = theme.set_role(QLabel("No characters yet: add them on the project page."), "hint")
        self.empty.setWordWrap(True)
        self.suggestion = theme.set_role(QLabel(), "hint")
        self.suggestion.setWordWrap(True)
        self.use_suggested = QPushButton("Use")
        self.use_suggested.setToolTip("Show the characters the scene's text names")
        self.use_suggested.clicked.connect(self.apply_suggestion)
        hint_row = QHBoxLayout()
        hint_row.setSpacing(8)
        hint_row.addWidget(self.suggestion, 1)
        hint_row.addWidget(self.use_suggested)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(6)
        lay.addWidget(theme.set_role(QLabel("CHARACTERS IN THIS SCENE"), "heading"))
        lay.addLayout(self.grid)
        lay.addWidget(self.empty)
        lay.addLayout(hint_row)
        ctx.events.projectChanged.connect(self._on_project_changed)

    # ---- public ---------------------------------------------------------------------

    def set_scene(self, scene: SceneView | None) -> None:
        """Show `scene`'s characters at once with the names known for its project, then
        the project's names as read through the operations layer (never on the GUI thread:
        on a distant store every read is a round trip)."""
        same_project = self.scene is not None and scene is not None and self.scene.project_id == scene.project_id
        self.scene = scene
        if not same_project:
            self.names = []
        self.suggested = suggest_for(self.names, scene) if scene is not None else []
        self._rebuild()
        if scene is None:
            return
        refs = self.ctx.services.references

        def show(names: list[str]) -> None:
            if self.scene is not scene:
                return  # another scene is shown by now
            self.names = names
            # The scene in hand is the one shown: suggest from it without reading it again.
            self.suggested = suggest_for(names, scene)
            self._rebuild()

        self.ctx.ops.read(lambda: [c.name for c in refs.characters(scene.project_id)], show,
                          key=("characters", id(self)))

    def shown(self) -> list[str]:
        return list((self.scene.scene_json.get("characters") or []) if self.scene else [])

    def set_shown(self, names: list[str]) -> bool:
        s = self.scene
        if s is None or names == self.shown():
            return False
        return self.ctx.push(LinkCharacters(self.ctx, s.project_id, s.scene_id, self.shown(), names))

    def apply_suggestion(self) -> bool:
        return self.set_shown(self.suggested)

    # ---- internals ------------------------------------------------------------------

    def _rebuild(self) -> None:
        for box in self.boxes.values():
            self.grid.removeWidget(box)
            box.deleteLater()
        self.boxes = {}
        shown = self.shown()
        for i, name in enumerate(self.names):
            box = QCheckBox(name)
            box.setChecked(name in shown)
            box.toggled.connect(lambda on, n=name: self._toggle(n, on))
            self.grid.addWidget(box, i // COLUMNS, i % COLUMNS)
            self.boxes[name] = box
        self.empty.setVisible(self.scene is not None and not self.names)
        offer = bool(self.suggested) and sorted(self.suggested) != sorted(n for n in shown if n in self.names)
        self.suggestion.setText(f"Its text names {', '.join(self.suggested)}" if offer else "")
        self.suggestion.setVisible(offer)
        self.use_suggested.setVisible(offer)

    def _toggle(self, name: str, on: bool) -> None:
        current = self.shown()
        if on and name not in current:
            new = [n for n in self.names if n in current or n == name]  # the project's order
        elif not on and name in current:
            new = [n for n in current if n != name]
        else:
            return
        if not self.set_shown(new):
            self._rebuild()  # refused: show what is stored

    def _on_project_changed(self, project_id: object) -> None:
        scene = self.scene
        if scene is not None and project_id == scene.project_id:
            scenes = self.ctx.services.scenes
            self.ctx.ops.read(lambda: scenes.get(scene.project_id, scene.scene_id), self.set_scene,
                              key=("characters-scene", id(self)))
