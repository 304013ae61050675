"""`storyclip export timeline`: the short as a timeline for editing software, with its
media folder, subtitles and provenance manifest."""

from __future__ import annotations

from pathlib import Path

import click

from ..domain.handoff import FORMATS


def register(export: click.Group) -> None:
    from .main import json_option, pass_ctx

    @export.command("timeline")
    @click.argument("project_id", type=int)
    @click.option("--format", "fmt", type=click.Choice(FORMATS), required=True,
                  help="otio (Resolve 18.5+), otioz (media inside), fcp7xml (Premiere, FCP7), edl (CMX 3600).")
    @click.option("--out", "out", type=click.Path(path_type=Path), required=True,
                  help="A new (or empty) folder for the timeline, media/, subtitles and manifest.json.")
    @click.option("--resolution", type=click.Choice(["480p", "720p", "1080p"]))
    @click.option("--music", type=click.Path(path_type=Path, dir_okay=False),
                  help="A music bed for track A2 (looped to the length of the short, as in the video).")
    @json_option
    @pass_ctx
    def export_timeline(  # noqa: ANN202
        c, project_id: int, fmt: str, out: Path, resolution: str | None, music: Path | None, as_json: bool,  # noqa: ANN001
    ):
        """Write the timeline, one clip per scene with its provenance, for an editing program."""
        from .output import emit_json

        r = c.services.handoff.export(project_id, fmt, out, resolution=resolution, music=music)
        if as_json:
            return emit_json({
                "folder": str(r.folder), "timeline": str(r.timeline),
                "subtitles": str(r.subtitles) if r.subtitles else None, "manifest": str(r.manifest),
                "media": [str(p) for p in r.media], "linked": r.linked, "copied": r.copied,
                "rendered": r.rendered, "warnings": list(r.warnings),
            })
        click.echo(f"timeline: {r.timeline}")
        if r.subtitles:
            click.echo(f"subtitles: {r.subtitles}")
        click.echo(f"manifest: {r.manifest}")
        if r.media:
            click.echo(
                f"media: {r.folder / 'media'} ({len(r.media)} files: {r.linked} linked, {r.copied} copied, "
                f"{r.rendered} rendered)"
            )
        else:
            click.echo(f"media: inside {r.timeline.name} ({r.rendered} rendered)")
        for w in r.warnings:
            click.echo(f"warning: {w}", err=True)
