"""The window follows changes made outside it (the CLI, another process, a sync pull,
another person on the shared store) within a second.

A thread asks `services.changes.ChangeFeed` every few hundred milliseconds what changed
since its last token; what it finds is published as an `ops.Changes` with the watcher
as initiator, so the views refresh exactly that, keeping selection and scroll. The
window's own writes are absorbed: after the window published a change, the next look
only moves the token on.
"""

from __future__ import annotations

import logging
import os
import threading

from PySide6.QtCore import QObject, Signal

from ..services.changes import ChangeFeed, StoreChange, Token
from .commands import Events
from .ops import Changes

log = logging.getLogger(__name__)

INTERVAL_S = float(os.environ.get("STORYCLIP_WATCH_MS", "400")) / 1000


class StoreWatcher(QObject):
    _found = Signal(object)  # StoreChange, from the watcher thread (Qt queues it to ours)

    def __init__(self, services: object, events: Events, parent: QObject | None = None, *,
                 interval: float = INTERVAL_S) -> None:
        super().__init__(parent)
        self.services, self.events, self.interval = services, events, interval
        self._project: int | None = None
        self._absorb = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._found.connect(self._publish)
        events.changed.connect(self._on_window_change)

    def watch(self, project_id: int | None) -> None:
        self._project = project_id

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="storyclip-watch", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None

    # ---- the thread -------------------------------------------------------------------

    def _run(self) -> None:
        feed = ChangeFeed(self.services)  # type: ignore[arg-type]
        token: Token | None = None
        try:
            while not self._stop.wait(self.interval):
                absorb, self._absorb = self._absorb, False
                try:
                    change, token = feed.since(token, self._project)
                except Exception:  # noqa: BLE001 - the store may be busy or away; look again
                    log.debug("looking for outside changes failed", exc_info=True)
                    continue
                if not change.empty and not absorb:
                    try:
                        self._found.emit(change)
                    except RuntimeError:  # the window went
                        return
        finally:
            feed.close()

    # ---- the GUI thread -----------------------------------------------------------------

    def _on_window_change(self, _changes: Changes, initiator: object) -> None:
        if initiator is not self:
            self._absorb = True  # the window already shows what it just did

    def _publish(self, change: StoreChange) -> None:
        watched = change.project_id if change.project_id == self._project else None
        self.events.publish(Changes(
            watched,
            projects=bool(change.projects),
            project=change.project,
            # A new version not made current names no scene: re-read the cards.
            scenes=change.scenes or (change.versions and not change.scene_ids),
            scene_ids=frozenset(change.scene_ids),
            versions=change.versions,
            reviews=change.reviews,
        ), self)
