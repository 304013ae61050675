"""`storyclip export video`: render the finished short through the job engine and wait,
with progress on stderr. An export a crashed run left behind for the same file is
finished instead of started again."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click


def register(export: click.Group) -> None:
    from .main import json_option, pass_ctx

    @export.command("video")
    @click.argument("project_id", type=int)
    @click.option("--out", "out", type=click.Path(dir_okay=False, path_type=Path), required=True,
                  help="The MP4 to write.")
    @click.option("--resolution", type=click.Choice(["480p", "720p", "1080p"]),
                  help="Default: the project's resolution.")
    @click.option("--subtitles", type=click.Choice(["burn", "sidecar", "none"]), default="burn", show_default=True)
    @click.option("--style", default="clean", show_default=True, help="Subtitle style preset.")
    @click.option("--safe-area", type=click.Choice(["shorts", "tiktok", "reels", "plain"]),
                  help="Keep the platform's buttons clear (default: the style's).")
    @click.option("--music", type=click.Path(dir_okay=False, path_type=Path), help="Background music file.")
    @click.option("--music-level", "music_db", type=float, default=-16.0, show_default=True,
                  help="Music level in dB before it ducks under the voice.")
    @click.option("--overwrite", is_flag=True, help="Replace FILE if it exists.")
    @json_option
    @pass_ctx
    def export_video(c, project_id: int, out: Path, resolution: str | None, subtitles: str, style: str,  # noqa: ANN001
                     safe_area: str | None, music: Path | None, music_db: float, overwrite: bool,
                     as_json: bool) -> None:
        """Render PROJECT_ID to an MP4 (H.264, AAC, 30 fps) and wait for it."""
        from ..services.errors import ServiceError
        from ..services.export import ExportRequest
        from .output import emit_json

        sv = c.services
        req = ExportRequest(project_id, out.expanduser().absolute(), resolution, subtitles, style, safe_area,
                            music.expanduser().absolute() if music else None, music_db, overwrite)
        view = asyncio.run(_run(sv, req))
        if view.state != "succeeded":
            raise ServiceError(view.error or f"the export {view.state}")
        r = view.result or {}
        if as_json:
            return emit_json({"job_id": view.id, **r})
        placeholders = r.get("placeholders") or []
        click.echo(f"{r['path']}  {r['duration']:.3f}s  {r['size_bytes'] / 1e6:.1f} MB  in {r['seconds']:.1f}s "
                   f"({len(r['encoded'])} scene(s) encoded, {len(r['reused'])} from the cache)")
        if placeholders:
            click.echo(f"placeholders (no clip): {', '.join(placeholders)}", err=True)


async def _run(sv, req):  # noqa: ANN001, ANN202
    from ..jobs import JobEngine
    from ..jobs.run_export import adopt_orphans

    engine = JobEngine(sv)
    shown = [-1]

    def show(event) -> None:  # noqa: ANN001
        j = event.job
        if j is None or j.kind != "export":
            return
        pct = int(j.progress * 100)
        if pct // 5 != shown[0] // 5 or j.terminal:
            shown[0] = pct
            click.echo(f"export job {j.id}: {j.state} {pct}%", err=True)

    engine.subscribe(show)
    try:
        taken = await adopt_orphans(engine, req.project_id, req.out)
        if taken:
            click.echo(f"finishing export job {taken[0]}, which an earlier run left unfinished", err=True)
            job_id = taken[0]
        else:
            started = await engine.run_db(sv.exports.start, req)
            if started.plan.stale:
                click.echo(f"warning: {started.plan.stale.reason}", err=True)
            job_id = started.job_id
            await engine.submit([job_id])
        (view,) = await engine.wait([job_id])
        return view
    finally:
        await engine.aclose()
