"""Applying an edit that came back from editing software: one undo step for the new order
and every new span together (the service writes them in one transaction)."""

from __future__ import annotations

from ...services.handoff import AppliedEdit, EditReport
from ..commands import CommandContext, ServiceCommand
from ..ops import Changes


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

    def changes(self) -> Changes:
        # the timeline re-reads order and spans; the project page its total
        return Changes(self.report.project_id, scenes=True, order=True, project=True)

    def reveal_target(self) -> tuple[object, object]:
        return self.report.project_id, None
