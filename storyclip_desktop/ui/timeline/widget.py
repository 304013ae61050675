"""The timeline as the main window embeds it: a header with the scene count above the
card strip, and the public API the window talks to."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelection, QItemSelectionModel, QModelIndex, Signal
from PySide6.QtGui import QFont, QPalette, QUndoStack
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ..imaging import ImageLoader
from .model import SceneListModel
from .view import TimelineView

if TYPE_CHECKING:
    from ...services import Services
    from ..commands import CommandContext


class TimelineWidget(QWidget):
    sceneActivated = Signal(str)  # the current scene changed
    selectionChanged = Signal(list)  # selected scene ids, in timeline order
    errorOccurred = Signal(str)

    def __init__(
        self,
        services: Services,
        undo_stack: QUndoStack,
        parent: QWidget | None = None,
        *,
        loader: ImageLoader | None = None,
        ctx: CommandContext | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("timeline")
        self.services = services
        self.undo_stack = undo_stack
        self.model = SceneListModel(services, undo_stack, loader, self, ctx=ctx)
        self.view = TimelineView(self)
        self.view.setObjectName("timelineView")
        self.view.setModel(self.model)
        self._current: str | None = None
        self._wanted: str | None = None  # asked for before its card arrived
        self._restoring = False

        self.title = QLabel(self.tr("SCENES"))
        font = QFont(self.title.font())
        font.setBold(True)
        font.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, 1.0)
        font.setPointSizeF(font.pointSizeF() * 0.85)
        self.title.setFont(font)
        self.count_label = QLabel()
        self.hint = QLabel(self.tr("Drag cards or press Ctrl+← / Ctrl+→ to reorder"))
        for label in (self.count_label, self.hint):
            label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            small = QFont(label.font())
            small.setPointSizeF(small.pointSizeF() * 0.85)
            label.setFont(small)
        header = QHBoxLayout()
        header.setContentsMargins(12, 6, 12, 0)
        header.setSpacing(10)
        header.addWidget(self.title)
        header.addWidget(self.count_label)
        header.addStretch(1)
        header.addWidget(self.hint)
        self.header = header  # the window adds its Generate buttons at the right end
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(header)
        layout.addWidget(self.view)

        self.model.errorOccurred.connect(self.errorOccurred)
        self.model.modelReset.connect(self._update_count)
        self.model.rowsInserted.connect(self._update_count)
        self.model.rowsRemoved.connect(self._update_count)
        self.model.moved.connect(lambda _r: self._reveal_current())
        self.view.moveRequested.connect(self.move_selection)
        sel = self.view.selectionModel()
        sel.currentChanged.connect(self._on_current)
        sel.selectionChanged.connect(self._on_selection)
        self._update_count()

    # -- public API ----------------------------------------------------------------------

    @property
    def project_id(self) -> int | None:
        return self.model.project_id

    def set_project(self, project_id: int | None, *, prefer: str | None = None,
                    then: Callable[[], object] | None = None) -> None:
        """Show a project's scenes once they are read, selecting `prefer` (else the
        first); `then` after."""
        def loaded() -> None:
            if self.model.project_id != project_id:
                return
            self._current = None
            if prefer and self.model.index_of(prefer).isValid():
                self.select_scene(prefer)
            elif self.model.rowCount():
                self.select_scene(self.model.scene(0).scene_id)
            else:
                self.selectionChanged.emit([])
            if then is not None:
                then()

        self._wanted = None
        self.model.set_project(project_id, then=loaded)

    def reload(self) -> None:
        """Re-read the scenes now; the current and selected scenes stay selected."""
        keep = self._current, self.selected_scene_ids(), self.view.horizontalScrollBar().value()
        self.model.reload()
        self._restore(*keep)

    def refresh(self) -> None:
        """The same off the GUI thread (the scenes changed)."""
        keep = self._current, self.selected_scene_ids(), self.view.horizontalScrollBar().value()
        self.model.refresh(then=lambda: self._restore(*keep))

    def _select_wanted(self) -> None:
        if self._wanted is not None and self.model.index_of(self._wanted).isValid():
            self.select_scene(self._wanted)

    def _restore(self, current: str | None, selected: list[str], scroll: int) -> None:
        """A refresh keeps the selection, the current card and where the strip was."""
        sel = self.view.selectionModel()
        self._restoring = True  # one selectionChanged at the end, not one per card
        try:
            for sid in selected:
                idx = self.model.index_of(sid)
                if idx.isValid():
                    sel.select(idx, QItemSelectionModel.SelectionFlag.Select)
            idx = self.model.index_of(current) if current else QModelIndex()
            if idx.isValid():
                sel.setCurrentIndex(idx, QItemSelectionModel.SelectionFlag.NoUpdate)
        finally:
            self._restoring = False
        if current and not idx.isValid():
            self._current = None
            first = self.model.scene(0).scene_id if self.model.rowCount() else None
            if first:
                self.select_scene(first)
        else:
            self.view.doItemsLayout()  # the range is known before the strip scrolls back
            self.view.horizontalScrollBar().setValue(scroll)
        self.selectionChanged.emit(self.selected_scene_ids())
        self._select_wanted()

    def refresh_scene(self, scene_id: str) -> None:
        self.model.refresh_scene(scene_id)

    def set_busy(self, scene_id: str, busy: bool) -> None:
        self.model.set_busy(scene_id, busy)

    def select_scene(self, scene_id: str) -> None:
        idx = self.model.index_of(scene_id)
        if not idx.isValid():
            # Not here yet (a command made it; the cards are being re-read): the
            # refresh selects it when it lands.
            self._wanted = scene_id
            return
        self._wanted = None
        self.view.selectionModel().setCurrentIndex(
            idx, QItemSelectionModel.SelectionFlag.ClearAndSelect
        )
        self.view.scrollTo(idx)

    def selected_scene_ids(self) -> list[str]:
        rows = sorted(i.row() for i in self.view.selectionModel().selectedIndexes())
        return [self.model.scene(r).scene_id for r in rows]

    def move_selection(self, delta: int) -> bool:
        """Move the selected cards `delta` places left (<0) or right (>0) as one
        undoable step; a scattered selection gathers next to its neighbour."""
        rows = sorted(i.row() for i in self.view.selectionModel().selectedIndexes())
        if not rows or delta == 0:
            return False
        ids = [self.model.scene(r).scene_id for r in rows]
        gap = rows[0] + delta if delta < 0 else rows[-1] + 1 + delta
        gap = max(0, min(gap, self.model.rowCount()))
        return self.model.move_to_gap(ids, gap)

    # -- internals -----------------------------------------------------------------------

    def _update_count(self, *_: object) -> None:
        n = self.model.rowCount()
        self.count_label.setText(self.tr("1 scene") if n == 1 else f"{n:,} " + self.tr("scenes"))

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        sid = self.model.scene(current.row()).scene_id if current.isValid() else None
        if sid != self._current:
            self._current = sid
            if sid:
                self.sceneActivated.emit(sid)

    def _on_selection(self, _sel: QItemSelection, _desel: QItemSelection) -> None:
        if not self._restoring:
            self.selectionChanged.emit(self.selected_scene_ids())

    def _reveal_current(self) -> None:
        idx = self.view.currentIndex()
        if idx.isValid():
            self.view.scrollTo(idx)

