"""The preview's version menu (a 'More' button beside 'Use this version', and the
version strip's context menu): use the previewed image as a reference for a character
or the style, and generate the image or clip again with the seed that made it."""

from __future__ import annotations

from PySide6.QtCore import QObject, QPoint, Qt, Signal
from PySide6.QtWidgets import QBoxLayout, QInputDialog, QMenu, QPushButton

from ...services.errors import one_line
from ...services.views import AssetVersion
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
        menu.clear()
        pid, scene = self.pane.project_id, self.pane.scene
        if av is None or pid is None or scene is None:
            menu.addAction(self.pane.tr("Preview a version first")).setEnabled(False)
            return menu
        refs = menu.addMenu(self.pane.tr("Use as reference for"))
        refs.setEnabled(av.type == "image")
        refs.addAction(self.pane.tr("The style"), lambda: self.use_as_reference(av, None))
        names: list[str] = []
        try:
            names = [c.name for c in self.pane.services.references.characters(pid)]
        except Exception as e:  # noqa: BLE001 - shown, never fatal
            self.pane._error(str(e))
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
        return menu

    def use_as_reference(self, av: AssetVersion, character: str | None) -> AssetVersion | None:
        pid = self.pane.project_id
        try:
            ref = self.pane.services.references.add_from_asset(
                pid, av.id, character=character, style=character is None
            )
        except Exception as e:  # noqa: BLE001 - one line in the window
            self.pane._error(one_line(e))
            return None
        self.pane.info.setText(
            f"{av.type} v{av.version} " + self.pane.tr("is now a reference for") + f" {character or 'the style'}"
        )
        self.referencesChanged.emit(pid)
        return ref

    def use_for_new_character(self, av: AssetVersion) -> AssetVersion | None:
        name = self.ask_name()
        if not name:
            return None
        try:
            self.pane.services.references.add_character(self.pane.project_id, name)
        except Exception as e:  # noqa: BLE001
            self.pane._error(one_line(e))
            return None
        return self.use_as_reference(av, name.strip())

    def again_with_seed(self, av: AssetVersion):  # noqa: ANN201 - BatchResult | None
        scene = self.pane.scene
        try:
            result = self.pane.services.generation.again_with_seed(self.pane.project_id, scene.scene_id, av.type, av.version)
        except Exception as e:  # noqa: BLE001
            self.pane._error(one_line(e))
            return None
        self.pane.info.setText(
            f"{self.pane.tr('Generating')} {av.type} " + self.pane.tr("again with seed") + f" {seed_of(av)}"
        )
        self.jobsQueued.emit(result)
        return result

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

