"""The jobs panel: every generation job with its state, progress, provider and error, and
Cancel / Retry. `JobsController` is the thin Qt adapter over the engine's observer list;
the main window creates one per engine and embeds `JobsPanel(controller, ops=...)`. The
jobs already in the store are read off the GUI thread through the operations layer."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHeaderView,
    QLabel,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..services.generation_jobs import JobView
from . import theme
from .errors import message_for
from .ops import Ops

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
KIND_LABELS = {"text": "Scene split", "prompt": "Prompt", "image": "Image", "clip": "Clip", "narration": "Narration", "export": "Export video"}
# Working states in the accent colour, the outcomes in the status colours.
STATE_COLORS = {"running": theme.ACCENT, "polling": theme.ACCENT, "downloading": theme.ACCENT,
                "succeeded": theme.ONLINE, "failed": theme.DANGER}


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

    def stored(self, project_id: int | None = None, limit: int = 200) -> Callable[[], list[JobView]]:
        """The read of the jobs already in the store (newest first), to run off the GUI
        thread; `remember` its answer on the GUI thread."""
        generation = self.engine.services.generation
        return lambda: generation.jobs(project_id, limit=limit)

    def remember(self, views: list[JobView]) -> None:
        for v in views:
            self._jobs.setdefault(v.id, v)  # an engine event since is newer than the row read

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
            message = message_for(exc)
            self.actionFailed.emit(" ".join(str(message).split()))

    def close(self) -> None:
        self._unsubscribe()


class JobsTableModel(QAbstractTableModel):
    COLUMNS = ("Job", "Scene", "State", "Progress", "Provider", "Error")
    JOB_ROLE = Qt.ItemDataRole.UserRole + 1

    def __init__(self, controller: JobsController, parent: QObject | None = None, *, ops: Ops | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.ops = ops or Ops(lambda e: controller.actionFailed.emit(message_for(e)), self)
        self._ids: list[int] = []  # newest first
        controller.jobChanged.connect(self.on_job_changed)

    def reload(self, project_id: int | None = None) -> None:
        """Read the stored jobs off the GUI thread; rows come in as the answer does (jobs
        the engine told of meanwhile stay, the selection too)."""
        self.ops.read(self.controller.stored(project_id), self._loaded, key="jobs-list")

    def _loaded(self, views: list[JobView]) -> None:
        self.controller.remember(views)
        for v in views:
            if v.id not in self._ids:
                self._insert(v.id)

    def on_job_changed(self, job_id: int) -> None:
        if job_id in self._ids:
            row = self._ids.index(job_id)
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.COLUMNS) - 1))
            return
        self._insert(job_id)

    def _insert(self, job_id: int) -> None:
        # Newer jobs have larger ids (they are time-ordered): newest on top.
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
        if role == Qt.ItemDataRole.ToolTipRole and col == 4 and job.provider == "local":
            return "Made on this computer for free; add API keys in File › Settings… for the real service"
        if role == Qt.ItemDataRole.ForegroundRole:
            if col == 2 and job.state in STATE_COLORS:
                return QColor(STATE_COLORS[job.state])
            if col == 5 and job.error:
                return QColor(theme.DANGER)
            if col == 4 and job.provider == "local":
                return QColor(theme.ACCENT)
            return None
        if role == Qt.ItemDataRole.UserRole and col == 3:
            return job.progress
        return None

    def counts(self) -> dict[str, int]:
        """How many listed jobs are working, done, failed and cancelled."""
        out = {"active": 0, "succeeded": 0, "failed": 0, "cancelled": 0}
        for jid in self._ids:
            job = self.controller.job(jid)
            if job is None:
                continue
            key = "active" if job.active else job.state
            out[key] = out.get(key, 0) + 1
        return out


class ColoredTextDelegate(QStyledItemDelegate):
    """Keeps a cell's own text colour (state, error, Local preview) when its row is
    selected: the selection is a soft tint, not a colour to write white text on."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex) -> None:  # noqa: N802
        super().initStyleOption(option, index)
        model = index.model()
        # Asked of the Python model directly (see timeline/roles.py for why).
        colour = model.data(index, Qt.ItemDataRole.ForegroundRole) if model is not None else None
        if not isinstance(colour, QColor):
            colour = option.palette.color(QPalette.ColorRole.Text)
        option.palette.setColor(QPalette.ColorRole.HighlightedText, colour)


class ProgressDelegate(QStyledItemDelegate):
    """A thin bar with the percentage beside it; the cell's text stays "40%" for
    accessibility and tests."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        widget = opt.widget
        style = widget.style() if widget is not None else None
        text = opt.text
        opt.text = ""
        if style is not None:  # selection background, focus
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        model = index.model()
        job = model.job_at(index.row()) if isinstance(model, JobsTableModel) else None
        value = max(0.0, min(1.0, float(job.progress if job else 0.0)))
        r = QRectF(opt.rect).adjusted(8, 0, -8, 0)
        label_w = opt.fontMetrics.horizontalAdvance("100%") + 8
        bar = QRectF(r.left(), r.center().y() - 2.5, max(8.0, r.width() - label_w), 5)
        pal = opt.palette
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(pal.color(QPalette.ColorRole.Mid))
        painter.drawRoundedRect(bar, 2.5, 2.5)
        if value > 0:
            state = job.state if job else ""
            colour = QColor(STATE_COLORS.get(state, theme.ACCENT)) if state != "cancelled" else pal.color(
                QPalette.ColorRole.PlaceholderText)
            painter.setBrush(colour)
            painter.drawRoundedRect(QRectF(bar.left(), bar.top(), bar.width() * value, bar.height()), 2.5, 2.5)
        painter.setPen(pal.color(QPalette.ColorRole.Text))
        painter.drawText(QRectF(bar.right() + 6, r.top(), label_w, r.height()),
                         int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), text)
        painter.restore()


COLUMN_WIDTHS = (96, 64, 96, 150, 120)  # the error column takes the rest
ROW_HEIGHT = 28


class JobsPanel(QWidget):
    """A panel header (JOBS, a summary, Cancel and Retry for the selected job) over the
    job table. `header_row` takes more tools (the window puts its close button there)."""

    jobActivated = Signal(object)  # JobView double-clicked: show its scene

    def __init__(self, controller: JobsController, parent: QWidget | None = None, *, ops: Ops | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("jobsPanel")
        self.controller = controller
        self.model = JobsTableModel(controller, self, ops=ops)
        self.table = QTableView(self)
        self.table.setObjectName("jobsTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.setFrameShape(QFrame.Shape.NoFrame)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(ROW_HEIGHT)
        self.table.setMinimumHeight(ROW_HEIGHT * 3 + 24)  # the header and three rows
        head = self.table.horizontalHeader()
        head.setHighlightSections(False)
        head.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        head.setStretchLastSection(True)
        for col, width in enumerate(COLUMN_WIDTHS):
            head.setSectionResizeMode(col, QHeaderView.ResizeMode.Interactive)
            head.resizeSection(col, width)
        self.table.setItemDelegate(ColoredTextDelegate(self.table))
        self.table.setItemDelegateForColumn(3, ProgressDelegate(self.table))

        header, row = theme.panel_header("JOBS")
        self.header_row = row
        self.summary = theme.set_role(QLabel(self), "hint")
        self.message = theme.set_role(QLabel("", self), "error")
        self.cancel_button = QPushButton("Cancel", self)
        self.retry_button = QPushButton("Retry", self)
        for b, tip in ((self.cancel_button, "Stop the selected job"),
                       (self.retry_button, "Run the selected failed or cancelled job again")):
            b.setToolTip(tip)
        row.addWidget(self.summary)
        row.addSpacing(8)
        row.addWidget(self.message, 1)
        row.addWidget(self.cancel_button)
        row.addWidget(self.retry_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(header)
        layout.addWidget(self.table, 1)

        self.cancel_button.clicked.connect(self._cancel)
        self.retry_button.clicked.connect(self._retry)
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(self._activated)
        self.model.dataChanged.connect(self._update_buttons)
        self.model.rowsInserted.connect(self._update_buttons)
        self.model.modelReset.connect(self._update_buttons)
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
        c = self.model.counts()
        parts = [f"{c['active']} running" if c["active"] else "",
                 f"{c['succeeded']} done" if c["succeeded"] else "",
                 f"{c['failed']} failed" if c["failed"] else "",
                 f"{c['cancelled']} cancelled" if c["cancelled"] else ""]
        self.summary.setText(" · ".join(p for p in parts if p) or "No jobs yet")

    def _activated(self, index: QModelIndex) -> None:
        job = self.model.job_at(index.row())
        if job is not None:
            self.jobActivated.emit(job)

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
