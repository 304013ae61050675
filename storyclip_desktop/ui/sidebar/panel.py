"""The project sidebar: filter box, list, and the create/rename/duplicate/delete flows."""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QLineEdit,
    QListView,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...domain.validation import TITLE_MAX
from ...services.views import ProjectSummary
from .. import errors, theme
from ..commands import CommandContext, CreateProject, DeleteProject, DuplicateProject, RenameProject
from . import title_dialog
from .delegate import ProjectDelegate
from .model import ID_ROLE, ProjectListModel
from .proxy import ProjectFilterProxy


def copy_title(title: str) -> str:
    """'서울의 가을' -> '서울의 가을 2', 'Walk 2' -> 'Walk 3': short enough for a
    ten-character limit and readable in Korean and English alike."""
    m = re.fullmatch(r"(.*\S) (\d+)", title)
    base, n = (m.group(1), int(m.group(2)) + 1) if m else (title.strip(), 2)
    suffix = f" {n}"
    return base[: TITLE_MAX - len(suffix)].rstrip() + suffix


class ProjectSidebar(QWidget):
    projectSelected = Signal(object)  # project id or None

    def __init__(self, ctx: CommandContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.model = ProjectListModel(self)
        self.proxy = ProjectFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self._current: int | None = None
        self._quiet = False

        header, hl = theme.panel_header("PROJECTS")
        hl.addStretch(1)
        self.add_button = QToolButton()
        self.add_button.setIcon(theme.icon("add"))
        self.add_button.setAutoRaise(True)
        self.add_button.setToolTip("New project (Ctrl+N)")
        self.add_button.setAccessibleName("New project")
        self.add_button.clicked.connect(self.create_project)
        hl.addWidget(self.add_button)

        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter projects")
        self.filter.setClearButtonEnabled(True)
        self.filter.setAccessibleName("Filter projects")
        self.filter.addAction(theme.icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.filter.textChanged.connect(self._on_filter)
        self.filter.returnPressed.connect(self._focus_first)

        self.view = QListView()
        self.view.setModel(self.proxy)
        self.view.setItemDelegate(ProjectDelegate(self.view))
        self.view.setUniformItemSizes(True)
        self.view.setMouseTracking(True)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setAccessibleName("Projects")
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.view.selectionModel().currentChanged.connect(self._on_current)

        self.empty = theme.set_role(QLabel(), "hint")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setContentsMargins(16, 24, 16, 24)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.empty)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(header)
        box = QVBoxLayout()
        box.setContentsMargins(8, 8, 8, 4)
        box.addWidget(self.filter)
        lay.addLayout(box)
        lay.addWidget(self.stack, 1)
        self.setMinimumWidth(200)
        ctx.events.projectsChanged.connect(lambda: self.refresh())

    # ---- state -------------------------------------------------------------------

    def tab_chain(self) -> list[QWidget]:
        return [self.filter, self.view, self.add_button]

    def set_context_actions(self, actions: list[QAction]) -> None:
        self.view.addActions(actions)

    def current_project_id(self) -> int | None:
        return self._current

    def reload(self, prefer: int | None = None) -> None:
        """Read the list now (the window's start-up, before it shows)."""
        self._apply(self.ctx.services.projects.list(), prefer)

    def refresh(self, select: int | None = None, then: Callable[[], object] | None = None) -> None:
        """Re-read the list off the GUI thread (projects changed); `select` one then."""
        def done(projects: list[ProjectSummary]) -> None:
            self._apply(projects, select)
            if then is not None:
                then()

        self.ctx.ops.read(self.ctx.services.projects.list, done, key="projects")

    def _apply(self, projects: list[ProjectSummary], prefer: int | None) -> None:
        keep = prefer if prefer is not None else self._current
        self._quiet = True
        try:
            self.model.set_projects(projects)
        finally:
            self._quiet = False
        if keep is None or not self.select_project(keep):
            self._select_row(0)
        self._update_empty()

    def select_project(self, project_id: int | None) -> bool:
        row = self.model.row_of(project_id) if project_id is not None else -1
        if row < 0:
            return False
        idx = self.proxy.mapFromSource(self.model.index(row, 0))
        if not idx.isValid():  # filtered out: clear the filter rather than hide the pick
            self.filter.clear()
            idx = self.proxy.mapFromSource(self.model.index(row, 0))
        self.view.selectionModel().setCurrentIndex(idx, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.view.scrollTo(idx)
        self._set_current(project_id)
        return True

    def focus_filter(self) -> None:
        self.filter.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter.selectAll()

    def _select_row(self, row: int) -> None:
        idx = self.proxy.index(row, 0)
        if idx.isValid():
            self.view.selectionModel().setCurrentIndex(idx, QItemSelectionModel.SelectionFlag.ClearAndSelect)
            self._set_current(idx.data(ID_ROLE))
        else:
            self._set_current(None)

    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not self._quiet and current.isValid():
            self._set_current(current.data(ID_ROLE))

    def _set_current(self, project_id: int | None) -> None:
        if project_id != self._current:
            self._current = project_id
            self.projectSelected.emit(project_id)

    def _on_filter(self, text: str) -> None:
        self.proxy.set_filter_text(text)
        self._update_empty()

    def _focus_first(self) -> None:
        if self.proxy.rowCount():
            self._select_row(0)
            self.view.setFocus()

    def _update_empty(self) -> None:
        if self.model.rowCount() == 0:
            self.empty.setText("No projects yet.\nCreate one with Ctrl+N.")
        elif self.proxy.rowCount() == 0:
            self.empty.setText(f"No project matches “{self.filter.text()}”.")
        self.stack.setCurrentWidget(self.view if self.proxy.rowCount() else self.empty)

    # ---- flows -------------------------------------------------------------------

    def create_project(self) -> bool:
        title = title_dialog.ask_title(self, heading="New project", accept_label="Create")
        if title is None:
            return False
        cmd = CreateProject(self.ctx, title)
        return self._push_and_select(cmd)

    def rename_project(self) -> None:
        summary = self._summary()
        if summary is None:
            return
        title = title_dialog.ask_title(self, heading="Rename project", text=summary.title, accept_label="Rename")
        if title is not None and title != summary.title:
            self.ctx.push(RenameProject(self.ctx, summary.id, summary.title, title))

    def duplicate_project(self) -> bool:
        summary = self._summary()
        if summary is None:
            return False
        title = title_dialog.ask_title(
            self, heading="Duplicate project", text=copy_title(summary.title), accept_label="Duplicate"
        )
        if title is None:
            return False
        return self._push_and_select(DuplicateProject(self.ctx, summary.id, title))

    def delete_project(self) -> bool:
        summary = self._summary()
        if summary is None:
            return False
        scenes = f"its {summary.scene_count:,} scenes and their reviews" if summary.scene_count else "its script and settings"
        if not errors.confirm(
            self, "Delete project", f"Delete “{summary.title}” with {scenes}?",
            "Delete", detail="Undo (Ctrl+Z) brings back the texts and settings; generated "
            "images and clips stay in the media library but are not re-attached.",
        ):
            return False
        row = self.view.currentIndex().row()

        def done(ok: bool) -> None:
            if ok:  # once the list is re-read, the neighbour takes the deleted one's place
                self.refresh(then=lambda: self._select_row(min(row, self.proxy.rowCount() - 1)))

        return self.ctx.push(lambda: DeleteProject(self.ctx, summary.id), initiator=self, done=done)

    def _push_and_select(self, cmd: CreateProject | DuplicateProject) -> bool:
        """The new project is selected as soon as the store has it."""
        return self.ctx.push(cmd, initiator=self, done=lambda ok: ok and self.refresh(select=cmd.pid))

    def _summary(self):  # noqa: ANN202
        row = self.model.row_of(self._current) if self._current is not None else -1
        return self.model.project(row)
