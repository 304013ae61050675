"""One drop or keyboard move = one undoable command.

Redo says what the editor meant ("these scenes after S4"), so a redo after someone
else's move still lands next to S4; undo puts back the order the store held before.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from PySide6.QtGui import QUndoCommand

if TYPE_CHECKING:
    from ...services import Services
    from ...services.views import MoveResult


class OrderTarget(Protocol):
    """What the command updates after a write: the timeline model."""

    def apply_move(self, result: MoveResult) -> None: ...

    def report_error(self, message: str) -> None: ...


def describe(scene_ids: list[str], anchor: str | None) -> str:
    what = scene_ids[0] if len(scene_ids) == 1 else f"{len(scene_ids)} scenes"
    where = f"after {anchor}" if anchor else "to the front"
    return f"Move {what} {where}"


def error_message(exc: BaseException) -> str:
    return getattr(exc, "message", None) or str(exc) or type(exc).__name__


class MoveScenesCommand(QUndoCommand):
    def __init__(
        self,
        services: Services,
        target: OrderTarget,
        project_id: int,
        scene_ids: list[str],
        anchor: str | None,
        previous_order: list[int],
        parent: QUndoCommand | None = None,
    ) -> None:
        super().__init__(describe(scene_ids, anchor), parent)
        self.services = services
        self.target = target
        self.project_id = project_id
        self.scene_ids = list(scene_ids)
        self.anchor = anchor
        self.previous_order = list(previous_order)
        self.result: MoveResult | None = None
        self.error: str | None = None

    def redo(self) -> None:
        self._run(lambda: self.services.ordering.move_after(self.project_id, self.scene_ids, self.anchor))
        if self.result is not None and self.result.written == 0:
            self.setObsolete(True)  # nothing changed: keep it off the undo stack
        elif self.result is not None:
            # Undo restores what the store held just before this move, which differs
            # from what the view showed if another workstation moved scenes meanwhile.
            self.previous_order = list(self.result.previous)

    def undo(self) -> None:
        self._run(lambda: self.services.ordering.restore(self.project_id, self.previous_order))

    def _run(self, write) -> None:  # noqa: ANN001 - a zero-argument service call
        self.error = None
        try:
            result = write()
        except Exception as e:  # noqa: BLE001 - every failure is shown, none is fatal
            # The model was not touched, so the cards stay where they were; an obsolete
            # command is dropped by QUndoStack instead of lying in its history.
            self.result = None
            self.error = error_message(e)
            self.setObsolete(True)
            self.target.report_error(self.error)
            return
        self.result = result
        self.target.apply_move(result)
