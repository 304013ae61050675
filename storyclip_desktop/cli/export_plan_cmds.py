"""`storyclip export plan` and `storyclip export subtitles`: the timing of the short and its
subtitle sidecar files."""

from __future__ import annotations

from pathlib import Path

import click


def register(export: click.Group) -> None:
    from .main import json_option, pass_ctx

    @export.command("plan")
    @click.argument("project_id", type=int)
    @click.option("--resolution", type=click.Choice(["480p", "720p", "1080p"]))
    @json_option
    @pass_ctx
    def export_plan(c, project_id: int, resolution: str | None, as_json: bool) -> None:  # noqa: ANN001
        """Each scene's start, duration, source, fit and subtitle cues, and the total."""
        from .output import emit_json, table

        plan = c.services.render_plan.plan(project_id, resolution=resolution)
        if plan.stale:
            click.echo(f"warning: {plan.stale.reason}", err=True)
        if as_json:
            return emit_json(plan.to_json())
        click.echo(f"{plan.title}  {plan.width}x{plan.height} {plan.fps} fps  total {_clock(plan.total)}")
        table(
            [
                [s.scene_id, _clock(s.start), _clock(s.duration), s.source, _fit(s), len(s.cues)]
                for s in plan.scenes
            ],
            ["SCENE", "START", "DURATION", "SOURCE", "FIT", "CUES"],
        )

    @export.command("subtitles")
    @click.argument("project_id", type=int)
    @click.option("--format", "fmt", type=click.Choice(["srt", "vtt", "ass"]), required=True)
    @click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True)
    @pass_ctx
    def export_subtitles(c, project_id: int, fmt: str, out: Path) -> None:  # noqa: ANN001
        """Write the narration's subtitles as an SRT, WebVTT or ASS file."""
        from ..media.subtitle_files import write_subtitles
        from ..services.render_plan import PlanError

        plan = c.services.render_plan.plan(project_id)
        if plan.narration is None:
            raise PlanError(f"project {project_id} has no narration yet, so no subtitles; generate the narration first")
        write_subtitles(plan, out, fmt)
        click.echo(f"{len(plan.cues)} cues written to {out}")
        if plan.stale:
            click.echo(f"warning: {plan.stale.reason}", err=True)


def _clock(seconds: object) -> str:
    return f"{float(seconds):.3f}s"  # type: ignore[arg-type]


def _fit(scene: object) -> str:
    speed = scene.speed  # type: ignore[attr-defined]
    return scene.fit if speed == 1 else f"{scene.fit} {float(speed):.2f}x"  # type: ignore[attr-defined]
