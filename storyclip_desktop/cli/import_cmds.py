"""`storyclip import timeline`: an edit made in editing software comes back as the scenes'
new order and spans."""

from __future__ import annotations

from pathlib import Path

import click


def register(cli: click.Group) -> None:
    from .main import json_option, pass_ctx

    @cli.group("import")
    def import_() -> None:
        """Bring work done elsewhere back into a project."""

    @import_.command("timeline")
    @click.argument("project_id", type=int)
    @click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
    @click.option("--dry-run", is_flag=True, help="Only say what the edit would change.")
    @json_option
    @pass_ctx
    def import_timeline(c, project_id: int, file: Path, dry_run: bool, as_json: bool) -> None:  # noqa: ANN001
        """Apply a re-ordered and trimmed .otio, .otioz or FCP7 XML edit: the new order as
        one move and the new spans as scene durations."""
        from .output import emit_json

        handoff = c.services.handoff
        report = handoff.read_edit(project_id, file)
        applied = None if dry_run else handoff.apply_edit(report)
        if as_json:
            return emit_json({
                "file": str(file), "applied": applied is not None, "order": report.new_order,
                "moved": report.plan.moved, "spans": {k: float(v) for k, v in report.spans_s.items()},
                "unmatched": list(report.plan.unmatched), "missing": list(report.plan.missing),
                "duplicates": list(report.plan.duplicates),
            })
        for line in report.summary():
            click.echo(line)
        if applied is None:
            click.echo("dry run: nothing changed")
        elif not report.plan.moved and not report.spans_s:
            click.echo(f"project {project_id} already matches {file.name}; nothing changed")
        else:
            click.echo(f"applied {file.name} to project {project_id}")
