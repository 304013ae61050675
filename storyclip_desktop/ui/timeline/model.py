"""The project's scenes in order, as a list model the timeline view paints as cards.

Reorders go through the move service (one undoable command per gesture) and come back
as `beginMoveRows`/`endMoveRows`, never a reset, so the selection, the current card and
the scroll position survive a move. Thumbnails are looked up lazily for the cards the
view actually paints, and decoded off the GUI thread by the shared ImageLoader.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractListModel,
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QImage, QUndoStack

from ...domain.status import status_words
from ..commands import CommandContext
from ..errors import one_line
from ..imaging import COVER, ImageKey, ImageLoader, local_path
from ..imaging.loader import MISSING
from ..timing_text import ProjectTiming, timing_reader
from . import mime
from .commands import MoveScenesCommand

if TYPE_CHECKING:
    from ...services import Services
    from ...services.views import MoveResult, SceneView

_ROLE = int(Qt.ItemDataRole.UserRole)
SCENE_ID_ROLE = _ROLE + 1
PK_ROLE = _ROLE + 2
STATUS_ROLE = _ROLE + 3
NARRATION_ROLE = _ROLE + 4  # first words only
THUMBNAIL_ROLE = _ROLE + 5  # QImage or None
THUMB_STATE_ROLE = _ROLE + 6  # "ready" | "loading" | "none" | "missing" | "remote" | "error"
BUSY_ROLE = _ROLE + 7
POSITION_ROLE = _ROLE + 8  # 1-based place in the timeline
IMAGE_VERSION_ROLE = _ROLE + 9
CLIP_VERSION_ROLE = _ROLE + 10
REJECTION_ROLE = _ROLE + 11  # the reviewer's comment while the scene stands rejected, else None
DURATION_ROLE = _ROLE + 12  # "4.6 s": the scene's span in the finished short
DURATION_STALE_ROLE = _ROLE + 13  # True when the narration no longer matches this scene

FIRST_WORDS = 14
FIRST_CHARS = 90
DEFAULT_THUMB = QSize(168, 96)

_Index = QModelIndex | QPersistentModelIndex


def first_words(text: str, words: int = FIRST_WORDS, chars: int = FIRST_CHARS) -> str:
    """The opening of a narration, cut at a word boundary where there is one."""
    parts = text.split()
    short = " ".join(parts[:words])
    if len(short) > chars:
        short = short[:chars].rstrip()
    return short + ("…" if short != " ".join(parts) else "")


class SceneListModel(QAbstractListModel):
    errorOccurred = Signal(str)
    moved = Signal(object)  # MoveResult, after the rows moved
    busyChanged = Signal()
    timingChanged = Signal()  # the durations (read off the GUI thread) arrived

    def __init__(
        self,
        services: Services,
        undo_stack: QUndoStack | None = None,
        loader: ImageLoader | None = None,
        parent: Any = None,
        ctx: CommandContext | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        # Moves go through the window's write path; alone (tests, benchmarks) the model
        # makes its own, reporting through errorOccurred.
        self.ctx = ctx or CommandContext.standalone(services, self.errorOccurred.emit, self, undo_stack)
        self.undo_stack = self.ctx.stack
        self.loader = loader or ImageLoader.shared()
        self.project_id: int | None = None
        self.last_move: MoveResult | None = None
        self._scenes: list[SceneView] = []
        self._rows: dict[str, int] = {}
        self._busy: set[str] = set()
        self._thumb_size = QSize(DEFAULT_THUMB)
        # scene_id -> (image_version, storage_url, local path); looked up only for the
        # cards the view paints.
        self._urls: dict[str, tuple[int, str | None, Path | None]] = {}
        self._to_resolve: set[str] = set()
        self._by_path: dict[str, set[str]] = {}
        self.timing = ProjectTiming()
        self._timing_reader = timing_reader(self.ctx)
        self._timing_reader.ready.connect(self._on_timing)
        self._resolve_timer = QTimer(self, singleShot=True, interval=0)
        self._resolve_timer.timeout.connect(self._resolve_pending)
        self.loader.loaded.connect(self._on_image)
        self.loader.failed.connect(self._on_image)

    # -- loading ---------------------------------------------------------------------

    def set_project(self, project_id: int | None, then: Callable[[], object] | None = None) -> None:
        """Show another project's scenes, read off the GUI thread (the cards shown stay
        until they arrive); `then` after."""
        self.project_id = project_id
        self._busy.clear()
        if project_id is None:
            self._show_scenes([])
            if then is not None:
                then()
            return
        # A key of its own: a refresh asked meanwhile must not take `then` (the first
        # selection) with it; quick project switches still supersede each other.
        self.refresh(then, key="cards-open")

    def reload(self) -> None:
        """Read the scenes now (a project was opened)."""
        scenes: list[SceneView] = []
        if self.project_id is not None:
            try:
                scenes = self.services.scenes.list(self.project_id)
            except Exception as e:  # noqa: BLE001 - shown to the user, the list stays empty
                self.errorOccurred.emit(one_line(e))
        self._show_scenes(scenes)

    def refresh(self, then: Callable[[], object] | None = None, *, key: str = "cards") -> None:
        """Re-read the scenes off the GUI thread (they changed); `then` after."""
        pid = self.project_id
        if pid is None:
            return

        def show(scenes: list[SceneView]) -> None:
            if pid == self.project_id:
                self._show_scenes(scenes)
                if then is not None:
                    then()

        self.ctx.ops.read(lambda: self.services.scenes.list(pid), show, key=key,
                          failure=lambda e: self.errorOccurred.emit(one_line(e)))

    def _show_scenes(self, scenes: list[SceneView]) -> None:
        self.beginResetModel()
        self._scenes = scenes
        self.timing = ProjectTiming()
        self._reindex()
        self._urls.clear()
        self._by_path.clear()
        self._busy &= set(self._rows)
        self.endResetModel()
        self.refresh_timing()

    def refresh_scene(self, scene_id: str) -> None:
        """Re-read one scene (status, chosen versions, narration) after it changed."""
        if scene_id not in self._rows or self.project_id is None:
            return
        pid = self.project_id
        self.ctx.ops.read(lambda: self.services.scenes.get(pid, scene_id),
                          lambda scene: self._refreshed(pid, scene), key=("card", pid, scene_id),
                          failure=lambda e: self.errorOccurred.emit(one_line(e)))

    def _refreshed(self, project_id: int, scene: SceneView) -> None:
        row = self._rows.get(scene.scene_id)
        if row is None or project_id != self.project_id:
            return  # the card went (reload) or another project is shown
        scene_id = scene.scene_id
        old = self._scenes[row]
        self._scenes[row] = scene
        if old.image_version != scene.image_version:
            self._urls.pop(scene_id, None)
        entry = self._urls.get(scene_id)
        if entry and entry[2] is not None:
            self.loader.forget_if_changed(entry[2])  # the file may have been written since
        self.dataChanged.emit(self.index(row), self.index(row))
        self.refresh_timing()

    def refresh_timing(self) -> None:
        """Durations shift when a text, a clip or a narration changes: read them again."""
        if self.project_id is not None and self._scenes:
            self._timing_reader.request(self.project_id)

    def _on_timing(self, project_id: object, timing: ProjectTiming) -> None:
        if project_id == self.project_id and timing != self.timing and self._scenes:
            self.timing = timing
            self.dataChanged.emit(self.index(0), self.index(len(self._scenes) - 1), [DURATION_ROLE, DURATION_STALE_ROLE])
            self.timingChanged.emit()

    # -- queries -----------------------------------------------------------------------

    def scene(self, row: int) -> SceneView:
        return self._scenes[row]

    def scene_ids(self) -> list[str]:
        return [s.scene_id for s in self._scenes]

    def pks(self) -> list[int]:
        return [s.id for s in self._scenes]

    def row_of(self, scene_id: str) -> int:
        return self._rows.get(scene_id, -1)

    def index_of(self, scene_id: str) -> QModelIndex:
        row = self._rows.get(scene_id, -1)
        return self.index(row) if row >= 0 else QModelIndex()

    # -- busy flag (generation in progress) ---------------------------------------------

    def set_busy(self, scene_id: str, busy: bool) -> None:
        row = self._rows.get(scene_id)
        if row is None or (scene_id in self._busy) == busy:
            return
        (self._busy.add if busy else self._busy.discard)(scene_id)
        self.dataChanged.emit(self.index(row), self.index(row), [BUSY_ROLE])
        self.busyChanged.emit()

    def is_busy(self, scene_id: str) -> bool:
        return scene_id in self._busy

    def busy_rows(self) -> list[int]:
        return sorted(self._rows[s] for s in self._busy if s in self._rows)

    # -- thumbnails --------------------------------------------------------------------

    def set_thumbnail_size(self, size: QSize) -> None:
        """Device pixels of the card's picture; thumbnails are decoded at exactly this."""
        if size == self._thumb_size:
            return
        self._thumb_size = QSize(size)
        if self._scenes:
            self.dataChanged.emit(self.index(0), self.index(len(self._scenes) - 1), [THUMBNAIL_ROLE])

    def thumbnail_size(self) -> QSize:
        return QSize(self._thumb_size)

    def _thumbnail(self, scene: SceneView) -> tuple[str, QImage | None]:
        if scene.image_version is None:
            return "none", None
        entry = self._urls.get(scene.scene_id)
        if entry is None or entry[0] != scene.image_version:
            self._to_resolve.add(scene.scene_id)
            self._resolve_timer.start()
            return "loading", None
        url, path = entry[1], entry[2]
        if path is None:
            return ("remote" if url else "missing"), None
        key = self.loader.key(path, self._thumb_size, COVER)
        image = self.loader.cached(key)
        if image is not None:
            return "ready", image
        error = self.loader.error(key)
        if error is not None:
            return ("missing" if error == MISSING else "error"), None
        self._by_path.setdefault(key.path, set()).add(scene.scene_id)
        self.loader.request(key, thumbnail=True)
        return "loading", None

    def _resolve_pending(self) -> None:
        """Find the files of the current images of the cards just painted. Batched into
        one event-loop turn so painting never waits for the database."""
        pending, self._to_resolve = self._to_resolve, set()
        if self.project_id is None:
            return
        wanted = [sid for sid in pending if sid in self._rows and self._scenes[self._rows[sid]].image_version is not None]
        if not wanted:
            return
        pid = self.project_id
        self.ctx.ops.read(lambda: self.services.assets.current(pid, wanted),
                          lambda current: self._resolved(pid, wanted, current),
                          failure=lambda _e: self._resolved(pid, wanted, {}))  # the cards say "missing"

    def _resolved(self, project_id: int, wanted: list[str], current: dict) -> None:
        if project_id != self.project_id:
            return
        for scene_id in wanted:
            if scene_id not in self._rows:
                continue
            row = self._rows[scene_id]
            scene = self._scenes[row]
            image = current.get(scene_id, {}).get("image")
            url = image.storage_url if image else None
            self._urls[scene_id] = (scene.image_version, url, local_path(url))
            self.dataChanged.emit(self.index(row), self.index(row), [THUMBNAIL_ROLE, THUMB_STATE_ROLE])

    def _on_image(self, key: ImageKey, *_: object) -> None:
        if (key.width, key.height, key.mode) != (self._thumb_size.width(), self._thumb_size.height(), COVER):
            return
        for scene_id in self._by_path.get(key.path, ()):
            row = self._rows.get(scene_id)
            if row is not None:
                idx = self.index(row)
                self.dataChanged.emit(idx, idx, [THUMBNAIL_ROLE, THUMB_STATE_ROLE])

    # -- Qt model ----------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._scenes)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._scenes) or index.column() != 0:
            return None
        scene = self._scenes[index.row()]
        role = int(role)
        if role in (int(Qt.ItemDataRole.DisplayRole), SCENE_ID_ROLE):
            return scene.scene_id
        if role == STATUS_ROLE:
            return scene.status
        if role == NARRATION_ROLE:
            return first_words(scene.narration)
        if role == int(Qt.ItemDataRole.ToolTipRole):
            why = f"\nRejected: {scene.rejection}" if scene.rejected else ""
            return f"{scene.scene_id} · {status_words(scene.status)}{why}\n{scene.narration}".strip()
        if role == int(Qt.ItemDataRole.AccessibleTextRole):
            state = "rejected" if scene.rejected else status_words(scene.status)
            return f"{scene.scene_id}, {state}: {first_words(scene.narration)}"
        if role == REJECTION_ROLE:
            return scene.rejection
        if role == PK_ROLE:
            return scene.id
        if role == POSITION_ROLE:
            return index.row() + 1
        if role == BUSY_ROLE:
            return scene.scene_id in self._busy
        if role == THUMBNAIL_ROLE:
            return self._thumbnail(scene)[1]
        if role == THUMB_STATE_ROLE:
            return self._thumbnail(scene)[0]
        if role == IMAGE_VERSION_ROLE:
            return scene.image_version
        if role == CLIP_VERSION_ROLE:
            return scene.clip_version
        if role == DURATION_ROLE:
            t = self.timing.scenes.get(scene.scene_id)
            return t.text if t else ""
        if role == DURATION_STALE_ROLE:
            t = self.timing.scenes.get(scene.scene_id)
            return bool(t and t.stale)
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            # Cards are dropped *between* cards, i.e. onto the list itself.
            return Qt.ItemFlag.ItemIsDropEnabled
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsDragEnabled
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [mime.MIME_TYPE]

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData | None:
        rows = sorted({i.row() for i in indexes if i.isValid() and i.model() is self})
        if not rows or self.project_id is None:
            return None
        return mime.encode(self.project_id, [self._scenes[r].scene_id for r in rows])

    def canDropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: _Index
    ) -> bool:
        payload = mime.decode(data)
        if payload is None or action not in (Qt.DropAction.MoveAction, Qt.DropAction.IgnoreAction):
            return False
        pid, ids = payload
        return pid == self.project_id and all(s in self._rows for s in ids)

    def dropMimeData(
        self, data: QMimeData, action: Qt.DropAction, row: int, column: int, parent: _Index
    ) -> bool:
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        if action == Qt.DropAction.IgnoreAction:
            return True
        _, ids = mime.decode(data) or (None, [])
        if row >= 0:
            gap = row
        elif parent.isValid():
            gap = parent.row() + 1  # dropped onto a card: after it
        else:
            gap = len(self._scenes)
        return self.move_to_gap(ids, gap)

    # -- moving ------------------------------------------------------------------------

    def anchor_for_gap(self, scene_ids: list[str], gap: int) -> str | None:
        """The scene the moving ones will follow: the nearest card left of the gap that
        is not itself moving (None: the front)."""
        moving = set(scene_ids)
        for row in range(min(gap, len(self._scenes)) - 1, -1, -1):
            sid = self._scenes[row].scene_id
            if sid not in moving:
                return sid
        return None

    def planned_order(self, scene_ids: list[str], anchor: str | None) -> list[str]:
        moving = set(scene_ids)
        chosen = [s for s in self.scene_ids() if s in moving]
        rest = [s for s in self.scene_ids() if s not in moving]
        at = rest.index(anchor) + 1 if anchor is not None else 0
        return rest[:at] + chosen + rest[at:]

    def move_to_gap(self, scene_ids: list[str], gap: int) -> bool:
        """Move the scenes into the gap before row `gap` (0..rowCount). One undoable
        command; False if nothing would change or the write failed."""
        if self.project_id is None or not scene_ids:
            return False
        if any(s not in self._rows for s in scene_ids):
            return False
        gap = max(0, min(gap, len(self._scenes)))
        anchor = self.anchor_for_gap(scene_ids, gap)
        if self.planned_order(scene_ids, anchor) == self.scene_ids():
            return False  # dropped where they already are: no write, no undo entry
        ordered = sorted(scene_ids, key=self._rows.__getitem__)
        cmd = MoveScenesCommand(self.ctx, self, self.project_id, ordered, anchor, self.pks())
        # One move at a time per project: a second drop before the first landed would
        # be planned against rows that are about to change.
        return self.ctx.push(cmd, initiator=self, busy=("order", self.project_id))

    def apply_move(self, result: MoveResult) -> None:
        """Make the rows follow the order the service wrote, moving contiguous blocks
        with beginMoveRows so views keep selection and scroll position."""
        target = list(result.order)
        current = self.pks()
        if sorted(target) != sorted(current):
            # Scenes were added or deleted elsewhere meanwhile: only a re-read is honest.
            self.refresh()
            self.last_move = result
            self.moved.emit(result)
            return
        by_pk = {s.id: s for s in self._scenes}
        lo, hi = len(current), -1
        i, n = 0, len(current)
        while i < n:
            if current[i] == target[i]:
                i += 1
                continue
            j = current.index(target[i], i + 1)
            k = 1
            while i + k < n and j + k < n and current[j + k] == target[i + k]:
                k += 1
            self.beginMoveRows(QModelIndex(), j, j + k - 1, QModelIndex(), i)
            current[i:i] = current[j : j + k]
            del current[j + k : j + 2 * k]
            self._scenes = [by_pk[pk] for pk in current]
            self._reindex()
            self.endMoveRows()
            lo, hi = min(lo, i), max(hi, j + k - 1)
            i += k
        positions = result.positions
        self._scenes = [
            dataclasses.replace(s, order=positions[s.id]) if s.id in positions else s
            for s in self._scenes
        ]
        if hi >= lo:
            # Cards between the moved ones now show a different position number.
            self.dataChanged.emit(self.index(lo), self.index(hi), [POSITION_ROLE])
        self.last_move = result
        self.moved.emit(result)

    def _reindex(self) -> None:
        self._rows = {s.scene_id: r for r, s in enumerate(self._scenes)}
