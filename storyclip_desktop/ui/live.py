"""The window follows changes made outside it (the CLI, another process, a sync pull,
another person on the shared store) within a second.

A GUI-thread timer asks, on the watcher's own lane of the operations layer,
`services.changes.ChangeFeed` what changed since its last token (the next look is asked
a few hundred milliseconds after the last one came back, so a slow store never piles
looks up, and they never wait behind the window's edits). What it finds is published as
an `ops.Changes` with the watcher as initiator, so the views refresh exactly that,
keeping selection and scroll. The window's own writes are absorbed: after the window
published a change, the next look only moves the token on.
"""

from __future__ import annotations

import logging
import os

from PySide6.QtCore import QObject, QTimer

from ..services.changes import ChangeFeed, StoreChange, Token
from .commands import Events
from .ops import Changes, Ops

log = logging.getLogger(__name__)

INTERVAL_S = float(os.environ.get("STORYCLIP_WATCH_MS", "400")) / 1000
KEY = "watch"


class StoreWatcher(QObject):
    def __init__(self, services: object, events: Events, parent: QObject | None = None, *,
                 interval: float = INTERVAL_S) -> None:
        super().__init__(parent)
        self.services, self.events, self.interval = services, events, interval
        self._project: int | None = None
        self._absorb = False
        self._token: Token | None = None
        self._feed: ChangeFeed | None = None  # used on the lane's worker only
        self._lane: Ops | None = None
        self._timer = QTimer(self, singleShot=True, interval=round(interval * 1000), timeout=self._look)
        events.changed.connect(self._on_window_change)

    def watch(self, project_id: int | None) -> None:
        self._project = project_id

    def start(self) -> None:
        if self._lane is None:
            self._lane = Ops(lambda _e: None, self)
            self._feed = ChangeFeed(self.services)  # type: ignore[arg-type]
            self._look()  # the first look, at once, is the token later changes are told against

    def stop(self) -> None:
        self._timer.stop()
        if self._lane is not None:
            feed = self._feed
            # The feed's connection is closed where it was opened, after the look under way.
            self._lane.write(feed.close, changes=Changes())  # type: ignore[union-attr]
            self._lane.close(timeout=2)
            self._lane = self._feed = None

    # ---- the GUI thread -----------------------------------------------------------------

    def _look(self) -> None:
        if self._lane is None or self._feed is None:
            return
        absorb, self._absorb = self._absorb, False
        feed, token, project = self._feed, self._token, self._project
        asked = self._lane.read(lambda: feed.since(token, project), lambda found: self._looked(found, absorb),
                                failure=self._failed, key=KEY)
        if not asked:
            self._absorb = self._absorb or absorb

    def _looked(self, found: tuple[StoreChange, Token], absorb: bool) -> None:
        change, self._token = found
        if not change.empty and not absorb:
            self._publish(change)
        self._timer.start()

    def _failed(self, _exc: BaseException) -> None:
        # The store may be busy or away: look again, with the same token.
        log.debug("looking for outside changes failed", exc_info=_exc)
        self._timer.start()

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
