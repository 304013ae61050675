"""The preview's version menu (a 'More' button beside 'Use this version', and the
version strip's context menu): use the previewed image as a reference for a character
or the style, and generate the image or clip again with the seed that made it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QPoint, Qt, Signal
from PySide6.QtWidgets import QBoxLayout, QInputDialog, QMenu, QPushButton

from ...services.errors import one_line
from ...services.views import AssetVersion
from ..ops import Changes
from ..timeline.roles import role_data
from .versions import ASSET_ROLE


def seed_of(av: AssetVersion) -> int | None:
    seed = av.metadata.get("seed")
    return seed if isinstance(seed, int) and not isinstance(seed, bool) else None


class VersionMenu(QObject):
    referencesChanged = Signal(object)  # project id
    jobsQueued = Signal(object)  # BatchResult

    def __init__(self, pane, actions_row: QBoxLayout | None = None) -> None:  # noqa: ANN001 - PreviewPane
        super().__init__(pane)
        self.pane = pane
        # Tests answer the "new character" name prompt through this.
        self.ask_name = self._ask_name
        self._names: dict[int, list[str]] = {}  # project id -> its characters, last read
        self.button = QPushButton(pane.tr("More"), pane)
        self.button.setToolTip(pane.tr("Use as a reference, generate again with the same seed"))
        self.menu = QMenu(self.button)
        self.menu.aboutToShow.connect(lambda: self.fill(self.menu, self.pane.previewed))
        self.button.setMenu(self.menu)
        if actions_row is not None:
            actions_row.insertWidget(2, self.button)
        strip = pane.strip
        strip.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        strip.customContextMenuRequested.connect(self._strip_menu)

    def fill(self, menu: QMenu, av: AssetVersion | None) -> QMenu:
        """The menu for `av`. The characters' names are the last ones read; a fresh read
        goes off the GUI thread and fills the menu again if they changed."""
        menu.clear()
        pid, scene = self.pane.project_id, self.pane.scene
        if av is None or pid is None or scene is None:
            menu.addAction(self.pane.tr("Preview a version first")).setEnabled(False)
            return menu
        refs = menu.addMenu(self.pane.tr("Use as reference for"))
        refs.setEnabled(av.type == "image")
        refs.addAction(self.pane.tr("The style"), lambda: self.use_as_reference(av, None))
        names = self._names.get(pid, [])
        if names:
            refs.addSeparator()
        for name in names:
            refs.addAction(name, lambda n=name: self.use_as_reference(av, n))
        refs.addSeparator()
        refs.addAction(self.pane.tr("New character…"), lambda: self.use_for_new_character(av))
        seed = seed_of(av)
        again = menu.addAction(
            self.pane.tr("Generate again with the same seed") + (f" ({seed})" if seed is not None else ""),
            lambda: self.again_with_seed(av),
        )
        again.setEnabled(seed is not None and av.type in ("image", "clip"))
        if seed is None:
            again.setToolTip(self.pane.tr("This version was made without a seed"))
        self._read_names(menu, av, pid)
        return menu

    def _read_names(self, menu: QMenu, av: AssetVersion, pid: int) -> None:
        references = self.pane.services.references

        def got(names: list[str]) -> None:
            if names != self._names.get(pid):
                self._names[pid] = names
                if pid == self.pane.project_id and av is self.pane.previewed:
                    self.fill(menu, av)

        self.pane.ctx.ops.read(lambda: [c.name for c in references.characters(pid)], got,
                               key="version-menu-names", failure=lambda e: self.pane._error(one_line(e)))

    def use_as_reference(self, av: AssetVersion, character: str | None, *,
                         then: Callable[[AssetVersion], object] | None = None) -> bool:
        """The version becomes a reference for `character` (None: the style), off the
        GUI thread; `then(reference)` once stored."""
        pid, references = self.pane.project_id, self.pane.services.references
        return self._write(
            lambda: references.add_from_asset(pid, av.id, character=character, style=character is None),
            f"{av.type} v{av.version} " + self.pane.tr("is now a reference for") + f" {character or 'the style'}",
            lambda ref: (self.referencesChanged.emit(pid), then and then(ref)))

    def use_for_new_character(self, av: AssetVersion, *,
                              then: Callable[[AssetVersion], object] | None = None) -> bool:
        name = (self.ask_name() or "").strip()
        if not name:
            return False
        pid, references = self.pane.project_id, self.pane.services.references

        def work() -> AssetVersion:
            references.add_character(pid, name)
            return references.add_from_asset(pid, av.id, character=name, style=False)

        return self._write(work, f"{av.type} v{av.version} " + self.pane.tr("is now a reference for") + f" {name}",
                           lambda ref: (self.referencesChanged.emit(pid), then and then(ref)))

    def again_with_seed(self, av: AssetVersion, *, then: Callable[[object], object] | None = None) -> bool:
        pid, scene, generation = self.pane.project_id, self.pane.scene, self.pane.services.generation
        return self._write(
            lambda: generation.again_with_seed(pid, scene.scene_id, av.type, av.version),
            f"{self.pane.tr('Generating')} {av.type} " + self.pane.tr("again with seed") + f" {seed_of(av)}",
            lambda result: (self.jobsQueued.emit(result), then and then(result)))

    def _write(self, fn: Callable[[], object], said: str, landed: Callable[[object], object]) -> bool:
        """One way for the menu's calls: off the GUI thread, a line in the pane when it
        landed, the error's one line when not."""
        def done(result: object) -> None:
            self.pane.info.setText(said)
            landed(result)

        return self.pane.ctx.ops.write(fn, changes=Changes(self.pane.project_id), initiator=self.pane,
                                       success=done, failure=lambda e: self.pane._error(one_line(e)))

    def _ask_name(self) -> str | None:
        name, ok = QInputDialog.getText(self.pane, self.pane.tr("New character"), self.pane.tr("Name (민지, Jun…)"))
        return name if ok and name.strip() else None

    def _strip_menu(self, pos: QPoint) -> None:
        strip = self.pane.strip
        index = strip.indexAt(pos)
        if not index.isValid():
            return
        av = role_data(index, ASSET_ROLE)
        if isinstance(av, AssetVersion):
            self.fill(QMenu(strip), av).exec(strip.viewport().mapToGlobal(pos))

