"""Applying an edit that came back from editing software: one undo step for the new order
and every new span together (the service writes them in one transaction)."""

from __future__ import annotations

from ...services.handoff import AppliedEdit, EditReport
from ..commands import CommandContext, ServiceCommand


class ImportEdit(ServiceCommand):
    def __init__(self, ctx: CommandContext, report: EditReport) -> None:
        super().__init__(ctx, f"Import edit {report.file.name}")
        self.report = report
        self.applied: AppliedEdit | None = None

    def apply(self) -> None:
        self.applied = self.ctx.services.handoff.apply_edit(self.report)

    def revert(self) -> None:
        if self.applied is not None:
            self.ctx.services.handoff.revert_edit(self.applied)

    def notify(self, *, reveal: bool) -> None:
        pid = self.report.project_id
        self.ctx.events.scenesChanged.emit(pid)  # the timeline re-reads order and spans
        if reveal:
            self.ctx.events.reveal.emit(pid, None)
