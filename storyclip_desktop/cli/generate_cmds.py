"""`storyclip generate ...`, `storyclip jobs ...`: queue generation jobs, and run, list,
cancel or retry them. Without --wait a job waits for the window (or `jobs run`)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

import click

ACTIONS = {
    "prompts": ("prompt", "Write image and motion prompts for scenes from their narration."),
    "images": ("image", "Make an image version for scenes with a confirmed prompt."),
    "clips": ("clip", "Make a clip version for scenes with a confirmed image."),
    "narration": ("narration", "Make the project's narration audio."),
    "split": ("text", "Split the script into scenes with prompts, using the text provider."),
}


def register(cli: click.Group) -> None:
    """Attach this module's commands to the `storyclip` group."""
    from .main import json_option, pass_ctx

    @cli.group()
    def generate() -> None:
        """Generate prompts, images, clips or narration (paid providers when their key is
        set in Settings, otherwise the free Local preview)."""

    for name, (kind, help_text) in ACTIONS.items():
        generate.add_command(_action(name, kind, help_text, pass_ctx, json_option))

    @cli.group()
    def jobs() -> None:
        """Generation jobs: list, cancel, retry, or run the unfinished ones here."""

    @jobs.command("list")
    @click.option("--project", "project_id", type=int, help="Only this project's jobs.")
    @click.option("--active", is_flag=True, help="Only jobs that have not finished.")
    @json_option
    @pass_ctx
    def jobs_list(c, project_id: int | None, active: bool, as_json: bool) -> None:  # noqa: ANN001
        from .output import emit_json, table

        items = c.services.generation.jobs(project_id, active_only=active)
        if as_json:
            return emit_json([_job_json(j) for j in items])
        table(
            [
                [j.id, j.kind, j.scene_id or "-", j.state, f"{round(j.progress * 100)}%",
                 j.provider_label, _short(j.error or "")]
                for j in items
            ],
            ["ID", "KIND", "SCENE", "STATE", "PROGRESS", "PROVIDER", "ERROR"],
        )

    @jobs.command("cancel")
    @click.argument("job_id", type=int)
    @pass_ctx
    def jobs_cancel(c, job_id: int) -> None:  # noqa: ANN001
        """Cancel a job (and its remote task where the provider allows it)."""
        view = asyncio.run(_with_engine(c.services, lambda e: e.cancel(job_id)))
        click.echo(f"job {job_id}: {view.state}" + (f" ({view.error})" if view.error else ""))

    @jobs.command("retry")
    @click.argument("job_id", type=int)
    @click.option("--wait", is_flag=True, help="Run it here until it finishes.")
    @pass_ctx
    def jobs_retry(c, job_id: int, wait: bool) -> None:  # noqa: ANN001
        """Run a failed or cancelled job again; a clip that was made but not downloaded is
        fetched again without paying twice."""
        new_id = c.services.generation.retry(job_id)
        click.echo(f"job {new_id} queued" + (" (same job, fetching its result again)" if new_id == job_id else ""))
        if wait:
            _wait_for(c.services, [new_id])

    @jobs.command("run")
    @pass_ctx
    def jobs_run(c) -> None:  # noqa: ANN001
        """Run every unfinished job nobody else runs (after a crash, or jobs queued without
        --wait) until they finish. Remote tasks are polled, never created twice."""

        async def go(engine):  # noqa: ANN001, ANN202
            ids = await engine.resume()
            click.echo(f"running {len(ids)} job(s)")
            return await engine.wait(ids)

        views = asyncio.run(_with_engine(c.services, go, progress=True))
        _summarise(views)


def _action(name: str, kind: str, help_text: str, pass_ctx, json_option) -> click.Command:  # noqa: ANN001
    @click.command(name, help=help_text)
    @click.argument("project_id", type=int)
    @click.option("--scenes", "scene_ids", multiple=True, help="Scene ids (S1 S2 ...); default: every scene that needs it.")
    @click.option("--wait", is_flag=True, help="Run the jobs here until they finish, printing progress.")
    @click.option("--replace", is_flag=True, hidden=kind != "text", help="Replace existing scenes (split only).")
    @click.option(
        "--replace-edited", is_flag=True, hidden=kind != "prompt",
        help="Also replace prompts typed by hand (they are kept in the scene and can be brought back).",
    )
    @json_option
    @click.argument("more_scenes", nargs=-1)
    @pass_ctx
    def command(c, project_id: int, scene_ids: tuple[str, ...], wait: bool, replace: bool, replace_edited: bool, as_json: bool, more_scenes: tuple[str, ...]) -> None:  # noqa: ANN001
        from ..domain.validation import ValidationError
        from .output import emit_json

        # `--scenes S1 S2 S3` reads naturally; click gives the extra labels separately,
        # and a quoted "S1 S2" or "S1,S2" is the same list.
        labels = [label for given in (*scene_ids, *more_scenes) for label in given.replace(",", " ").split()]
        if more_scenes and not scene_ids:
            raise ValidationError("scenes", f"unexpected {' '.join(more_scenes)}; name scenes with --scenes")
        gen = c.services.generation
        if kind == "text":
            result = gen.split(project_id, replace=replace)
        else:
            # Run here (--wait): a job of these scenes that a StoryClip which died left
            # unfinished is taken up again instead of refused, and never created twice.
            orphaned = _orphaned if wait else None
            result = gen.enqueue(kind, project_id, labels or None, replace_edited=replace_edited, resume_orphans=orphaned)
        for s in result.skipped:
            click.echo(f"skipped {s.scene_id}: {s.reason}", err=True)
        for j in result.resumed:
            how = "polling its remote task, not creating another" if j.remote_task_id else "starting it again"
            click.echo(f"resuming job {j.id} for {j.scene_id}: the StoryClip that ran it stopped; {how}")
        if as_json and not wait:
            return emit_json({
                "kind": kind, "provider": result.provider, "job_ids": result.job_ids,
                "skipped": [{"scene_id": s.scene_id, "reason": s.reason} for s in result.skipped],
            })
        note = f" ({result.model})" if result.provider != "local" and result.model else ""
        if result.provider == "local" and result.preferred != "local":
            from ..domain.providers import label

            note = f" (no {label(result.preferred)} key set)"
        if result.job_ids or not result.resumed:
            click.echo(f"queued {len(result.job_ids)} {kind} job(s) on {result.provider_label}{note}")
        for jid in result.job_ids:
            click.echo(str(jid))
        if wait:
            _wait_for(c.services, result.job_ids, [j.id for j in result.resumed])

    return command


def _orphaned(job) -> bool:  # noqa: ANN001
    from ..jobs.owner import owner_alive

    return not owner_alive(job.owner, job.lease_until)


def _wait_for(services, job_ids: list[int], resumed: list[int] = ()) -> None:  # noqa: ANN001
    async def go(engine):  # noqa: ANN001, ANN202
        await engine.submit(job_ids)
        await engine.adopt(resumed)
        return await engine.wait([*resumed, *job_ids])

    _summarise(asyncio.run(_with_engine(services, go, progress=True)))


async def _with_engine(services, body, *, progress: bool = False):  # noqa: ANN001, ANN202
    from ..jobs import JobEngine

    engine = JobEngine(services)
    if progress:
        last: dict[int, str] = {}

        def show(event) -> None:  # noqa: ANN001
            j = event.job
            if j is None or last.get(j.id) == j.state:
                return
            last[j.id] = j.state
            line = f"job {j.id} {j.scene_id or '-'} {j.kind} {j.state} {round(j.progress * 100)}% [{j.provider_label}]"
            if j.state == "failed" and j.error:
                line += f": {j.error}"
            click.echo(line)

        engine.subscribe(show)
    try:
        return await body(engine)
    finally:
        await engine.aclose()


def _summarise(views: Iterable) -> None:  # noqa: ANN001
    from ..services.errors import ServiceError

    views = list(views)
    failed = [v for v in views if v.state == "failed"]
    unfinished = [v for v in views if v.state not in ("succeeded", "failed", "cancelled")]
    done = sum(1 for v in views if v.state == "succeeded")
    click.echo(f"{done} of {len(views)} job(s) succeeded")
    if failed:
        first = failed[0]
        raise ServiceError(f"{len(failed)} job(s) failed; job {first.id}: {first.error}")
    if unfinished:
        raise ServiceError(f"{len(unfinished)} job(s) did not finish here; `storyclip jobs run` picks them up")


def _job_json(j) -> dict:  # noqa: ANN001
    return {
        "id": j.id, "project_id": j.project_id, "scene_id": j.scene_id, "kind": j.kind,
        "provider": j.provider, "provider_label": j.provider_label, "model": j.model,
        "state": j.state, "progress": j.progress, "attempts": j.attempts,
        "remote_task_id": j.remote_task_id, "error": j.error, "result": j.result,
        "created_at": j.created_at.isoformat() if j.created_at else None,
        "updated_at": j.updated_at.isoformat() if j.updated_at else None,
    }


def _short(text: str, n: int = 60) -> str:
    from ..domain.text import shorten

    return shorten(text, n)
