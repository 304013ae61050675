"""The jobs panel: every generation job with its state, progress, provider and error, and
Cancel / Retry. `JobsController` is the thin Qt adapter over the engine's observer list;
the main window creates one per engine and embeds `JobsPanel(controller)`."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..services.generation_jobs import JobView

log = logging.getLogger(__name__)

STATE_LABELS = {
    "queued": "Queued",
    "running": "Running",
    "polling": "Rendering",
    "downloading": "Saving",
    "succeeded": "Done",
    "failed": "Failed",
    "cancelled": "Cancelled",
}
KIND_LABELS = {"text": "Scene split", "prompt": "Prompt", "image": "Image", "clip": "Clip", "narration": "Narration"}


class JobsController(QObject):
    """Engine events as Qt signals (delivered on the GUI thread), and Cancel/Retry run as
    tasks on the window's (qasync) event loop so the window never waits on them."""

    jobChanged = Signal("qint64")  # a job id (ids are 64-bit: a plain Qt int would overflow)
    actionFailed = Signal(str)  # one line for the status area

    def __init__(self, engine: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.engine = engine
        self._jobs: dict[int, JobView] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        self._unsubscribe = engine.subscribe(self._on_event)

    def _on_event(self, event: Any) -> None:
        if event.job is not None:
            self._jobs[event.job_id] = event.job
        self.jobChanged.emit(event.job_id)

    def job(self, job_id: int) -> JobView | None:
        return self._jobs.get(job_id)

    def load(self, project_id: int | None = None, limit: int = 200) -> list[JobView]:
        """The jobs already in the store (newest first), e.g. when the window opens."""
        views = self.engine.services.generation.jobs(project_id, limit=limit)
        for v in views:
            self._jobs.setdefault(v.id, v)
        return views

    def cancel(self, job_id: int) -> None:
        self._spawn(self.engine.cancel(job_id))

    def retry(self, job_id: int) -> None:
        self._spawn(self.engine.retry(job_id))

    def _spawn(self, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.get_event_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
            self.actionFailed.emit(" ".join(str(message).split()))

    def close(self) -> None:
        self._unsubscribe()


class JobsTableModel(QAbstractTableModel):
    COLUMNS = ("Job", "Scene", "State", "Progress", "Provider", "Error")
    JOB_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, controller: JobsController, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self._ids: list[int] = []  # newest first
        controller.jobChanged.connect(self.on_job_changed)

    def reload(self, project_id: int | None = None) -> None:
        self.beginResetModel()
        self._ids = [v.id for v in self.controller.load(project_id)]
        self.endResetModel()

    def on_job_changed(self, job_id: int) -> None:
        if job_id in self._ids:
            row = self._ids.index(job_id)
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.COLUMNS) - 1))
            return
        # New jobs have the largest ids (they are time-ordered): they go on top.
        row = next((i for i, jid in enumerate(self._ids) if jid < job_id), len(self._ids))
        self.beginInsertRows(QModelIndex(), row, row)
        self._ids.insert(row, job_id)
        self.endInsertRows()

    def job_at(self, row: int) -> JobView | None:
        if 0 <= row < len(self._ids):
            return self.controller.job(self._ids[row])
        return None

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.COLUMNS[section]
        return None

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        job = self.job_at(index.row()) if index.isValid() else None
        if job is None:
            return None
        col = index.column()
        if role == self.JOB_ROLE:
            return job
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                KIND_LABELS.get(job.kind, job.kind),
                job.scene_id or "—",
                STATE_LABELS.get(job.state, job.state),
                f"{round(job.progress * 100)}%",
                job.provider_label,
                job.error or "",
            )[col]
        if role == Qt.ItemDataRole.ToolTipRole and col == 5 and job.error:
            return job.error
        if role == Qt.ItemDataRole.UserRole and col == 3:
            return job.progress
        return None


class JobsPanel(QWidget):
    def __init__(self, controller: JobsController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.model = JobsTableModel(controller, self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.cancel_button = QPushButton("Cancel", self)
        self.retry_button = QPushButton("Retry", self)
        self.message = QLabel("", self)
        self.message.setWordWrap(True)

        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.retry_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addLayout(buttons)

        self.cancel_button.clicked.connect(self._cancel)
        self.retry_button.clicked.connect(self._retry)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.model.dataChanged.connect(self._update_buttons)
        controller.actionFailed.connect(self.message.setText)
        self.model.reload()
        self._update_buttons()

    def selected_job(self) -> JobView | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.job_at(rows[0].row()) if rows else None

    def select_job(self, job_id: int) -> None:
        for row in range(self.model.rowCount()):
            job = self.model.job_at(row)
            if job is not None and job.id == job_id:
                self.table.selectRow(row)
                return

    def _update_buttons(self, *_: object) -> None:
        job = self.selected_job()
        self.cancel_button.setEnabled(bool(job and job.active))
        self.retry_button.setEnabled(bool(job and job.state in ("failed", "cancelled")))

    def _cancel(self) -> None:
        job = self.selected_job()
        if job is not None:
            self.message.clear()
            self.controller.cancel(job.id)

    def _retry(self) -> None:
        job = self.selected_job()
        if job is not None:
            self.message.clear()
            self.controller.retry(job.id)
