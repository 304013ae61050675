"""`storyclip models ...`: which exact model each family uses (Settings › Models), per
project or for every project, and which models a key may use."""

from __future__ import annotations

import click


def register(cli: click.Group) -> None:
    from .main import json_option, pass_ctx

    @cli.group()
    def models() -> None:
        """The exact model per provider kind: list, choose, clear, check a key's list."""

    @models.command("list")
    @click.option("--project", "project_id", type=int, help="With this project's own choices.")
    @json_option
    @pass_ctx
    def models_list(c, project_id: int | None, as_json: bool) -> None:  # noqa: ANN001
        from .output import emit_json, table

        families = c.services.models.families(project_id)
        if as_json:
            return emit_json([
                {"provider": f.provider, "kind": f.kind, "label": f.label,
                 "options": [o.__dict__ for o in f.options]} for f in families
            ])
        rows = []
        for f in families:
            for o in f.options:
                avail = {True: "yes", False: "no", None: "?"}[o.available]
                marks = ", ".join(x for x in (o.note, "default" if o.default else "") if x)
                rows.append(["*" if o.chosen else "", f.label, o.id, avail, marks])
        table(rows, ["", "FAMILY", "MODEL", "KEY CAN USE", "NOTE"])

    @models.command("choose")
    @click.argument("provider")
    @click.argument("kind", type=click.Choice(["text", "image", "clip", "narration"]))
    @click.argument("model")
    @click.option("--project", "project_id", type=int, help="Only for this project.")
    @pass_ctx
    def models_choose(c, provider: str, kind: str, model: str, project_id: int | None) -> None:  # noqa: ANN001
        """Use MODEL for PROVIDER's KIND jobs (e.g. `openai image gpt-image-2.5-flare`)."""
        chosen = c.services.models.choose(provider, kind, model, project_id)
        where = f"project {project_id}" if project_id is not None else "every project"
        click.echo(f"{provider} {kind}: {chosen} for {where}")

    @models.command("clear")
    @click.argument("provider")
    @click.argument("kind", type=click.Choice(["text", "image", "clip", "narration"]))
    @click.option("--project", "project_id", type=int, help="Only this project's choice.")
    @pass_ctx
    def models_clear(c, provider: str, kind: str, project_id: int | None) -> None:  # noqa: ANN001
        c.services.models.clear(provider, kind, project_id)
        click.echo(f"{provider} {kind}: {c.services.models.chosen(provider, kind, project_id)}")

    @models.command("check")
    @click.argument("provider")
    @pass_ctx
    def models_check(c, provider: str) -> None:  # noqa: ANN001
        """Test PROVIDER's saved key and fetch the models it may use."""
        from ..jobs.keys import KeyService
        from ..services.errors import ServiceError

        result = KeyService(c.services.models).check(provider)
        click.echo(result.message)
        if not result.ok:
            raise ServiceError(result.message)
