"""`storyclip`: no arguments opens the window; subcommands call the services."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import __version__
from ..domain.validation import ValidationError
from ..services.errors import USER_ERRORS, one_line
from .output import emit_json, table


class Ctx:
    """Opens the store lazily, so `--help` and `--version` never touch a database."""

    _services = None

    @property
    def services(self):  # noqa: ANN201
        if self._services is None:
            from ..services import Services

            self._services = Services.open()
        return self._services


pass_ctx = click.make_pass_decorator(Ctx, ensure=True)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="storyclip")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """StoryClip Desktop: turn a script into a short video, scene by scene."""
    ctx.ensure_object(Ctx)
    if ctx.invoked_subcommand is None:
        from ..ui.app import run

        sys.exit(run())


# ---- db / demo -------------------------------------------------------------------


@cli.group()
def db() -> None:
    """The local or shared store."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the store to the newest schema."""
    from ..config import database_url
    from ..store.db import current_revision, make_engine, upgrade

    engine = make_engine(database_url())
    upgrade(engine)
    click.echo(f"store at revision {current_revision(engine)}")
    engine.dispose()


@cli.command()
@pass_ctx
def demo(c: Ctx) -> None:
    """Create the sample project (Korean and English script, split) and print its id."""
    from ..services.demo import create_demo

    click.echo(create_demo(c.services))


# ---- projects --------------------------------------------------------------------


@cli.group()
def project() -> None:
    """List, show, create, rename and delete projects."""


@project.command("list")
@json_option
@pass_ctx
def project_list(c: Ctx, as_json: bool) -> None:
    items = c.services.projects.list()
    if as_json:
        return emit_json(items)
    table(
        [[p.id, p.title, p.scene_count, _counts(p.status_counts)] for p in items],
        ["ID", "TITLE", "SCENES", "STATUS"],
    )


@project.command("show")
@click.argument("project_id", type=int)
@json_option
@pass_ctx
def project_show(c: Ctx, project_id: int, as_json: bool) -> None:
    p = c.services.projects.get(project_id)
    scenes = c.services.scenes.list(project_id)
    if as_json:
        return emit_json({"project": p, "scenes": scenes})
    click.echo(f"{p.title}  (id {p.id})")
    if p.description:
        click.echo(p.description)
    pr = p.preferences
    click.echo(
        f"image {pr.image_gen_model} · video {pr.video_gen_model} · voice {pr.voice_gen_model} · "
        f"{pr.resolution} {pr.ratio} · stability {pr.stability}"
    )
    click.echo(f"script: {len(p.script or '')}/2000 characters · {_counts(p.status_counts) or 'no scenes'}")
    if scenes:
        click.echo("")
        table(
            [[s.order, s.scene_id, _status(s), _short(s.narration)] for s in scenes],
            ["#", "SCENE", "STATUS", "NARRATION"],
        )


@project.command("create")
@click.option("--title", required=True)
@click.option("--description")
@click.option("--script-file", type=click.Path(dir_okay=False, path_type=Path))
@pass_ctx
def project_create(c: Ctx, title: str, description: str | None, script_file: Path | None) -> None:
    """Create a project and print its id."""
    script = _read_script(script_file) if script_file else None
    click.echo(c.services.projects.create(title, description=description, script=script))


@project.command("rename")
@click.argument("project_id", type=int)
@click.argument("title")
@pass_ctx
def project_rename(c: Ctx, project_id: int, title: str) -> None:
    c.services.projects.rename(project_id, title)


@project.command("delete")
@click.argument("project_id", type=int)
@click.option("--yes", is_flag=True, help="Do not ask.")
@pass_ctx
def project_delete(c: Ctx, project_id: int, yes: bool) -> None:
    """Delete a project with its scenes, preferences and asset versions."""
    title = c.services.projects.get(project_id).title
    if not yes:
        click.confirm(f"Delete project {title} ({project_id}) and everything in it?", abort=True)
    c.services.projects.delete(project_id)
    click.echo(f"deleted {title}")


@project.command("script")
@click.argument("project_id", type=int)
@click.argument("script_file", type=click.Path(dir_okay=False, path_type=Path))
@pass_ctx
def project_script(c: Ctx, project_id: int, script_file: Path) -> None:
    """Replace the project's script with the text of SCRIPT_FILE."""
    c.services.projects.set_script(project_id, _read_script(script_file))


# ---- scenes ----------------------------------------------------------------------


@cli.group()
def scene() -> None:
    """Split, list, move, confirm and reject scenes."""


@scene.command("split")
@click.argument("project_id", type=int)
@click.option("--replace", is_flag=True, help="Replace the scenes the project already has.")
@json_option
@pass_ctx
def scene_split(c: Ctx, project_id: int, replace: bool, as_json: bool) -> None:
    scenes = c.services.scenes.split(project_id, replace=replace)
    if as_json:
        return emit_json(scenes)
    click.echo(f"{len(scenes)} scenes")
    table([[s.order, s.scene_id, _short(s.narration)] for s in scenes], ["#", "SCENE", "NARRATION"])


@scene.command("list")
@click.argument("project_id", type=int)
@json_option
@pass_ctx
def scene_list(c: Ctx, project_id: int, as_json: bool) -> None:
    """Scenes in order; --json gives every scene's full texts, status and chosen versions."""
    scenes = c.services.scenes.list(project_id)
    if as_json:
        return emit_json([_scene_json(s) for s in scenes])
    table(
        [[s.order, s.scene_id, _status(s), s.image_version or "-", s.clip_version or "-", _short(s.narration)] for s in scenes],
        ["#", "SCENE", "STATUS", "IMAGE", "CLIP", "NARRATION"],
    )


@scene.command("edit")
@click.argument("project_id", type=int)
@click.argument("scene_id")
@click.option("--narration")
@click.option("--image-prompt")
@click.option("--motion-prompt")
@click.option("--negative-prompt")
@json_option
@pass_ctx
def scene_edit(c: Ctx, project_id: int, scene_id: str, as_json: bool, **texts: str | None) -> None:
    """Change a scene's texts, as in the inspector. A prompt typed here is kept when
    prompts are generated again (unless --replace-edited)."""
    fields = {k: v for k, v in texts.items() if v is not None}
    if not fields:
        raise ValidationError("scene", "nothing to change: give --narration, --image-prompt, --motion-prompt or --negative-prompt")
    s = c.services.scenes.edit(project_id, scene_id, fields)
    if as_json:
        return emit_json(_scene_json(s))
    click.echo(f"{s.scene_id}: {_status(s)}")


@scene.command("add")
@click.argument("project_id", type=int)
@click.option("--narration", required=True)
@click.option("--after", "after", help="The scene it follows (default: at the end).")
@json_option
@pass_ctx
def scene_add(c: Ctx, project_id: int, narration: str, after: str | None, as_json: bool) -> None:
    """Add a scene and print its id."""
    s = c.services.scenes.add(project_id, narration, after=after)
    if as_json:
        return emit_json(_scene_json(s))
    click.echo(s.scene_id)


@scene.command("delete")
@click.argument("project_id", type=int)
@click.argument("scene_id")
@click.option("--yes", is_flag=True, help="Do not ask.")
@pass_ctx
def scene_delete(c: Ctx, project_id: int, scene_id: str, yes: bool) -> None:
    """Delete a scene (its media versions stay in the library under its id)."""
    s = c.services.scenes.get(project_id, scene_id)
    if not yes:
        click.confirm(f"Delete scene {s.scene_id} “{_short(s.narration, 30)}”?", abort=True)
    c.services.scenes.delete(project_id, scene_id)
    click.echo(f"deleted {s.scene_id}")


@scene.command("move")
@click.argument("project_id", type=int)
@click.argument("scene_ids", nargs=-1, required=True)
@click.option("--to", "to", type=int, required=True, help="New position, counting from 1.")
@json_option
@pass_ctx
def scene_move(c: Ctx, project_id: int, scene_ids: tuple[str, ...], to: int, as_json: bool) -> None:
    """Move one or more scenes so the first lands at position --to."""
    result = c.services.ordering.move(project_id, list(scene_ids), to)
    if as_json:
        return emit_json({"written": result.written})
    click.echo(f"moved; {result.written} scene positions changed")


@scene.command("confirm")
@click.argument("project_id", type=int)
@click.argument("scene_id")
@click.option("--comment")
@pass_ctx
def scene_confirm(c: Ctx, project_id: int, scene_id: str, comment: str | None) -> None:
    """Confirm the scene's prompt or image (one step forward)."""
    s = c.services.reviews.confirm(project_id, scene_id, comment)
    click.echo(f"{s.scene_id}: {_status(s)}")


@scene.command("reject")
@click.argument("project_id", type=int)
@click.argument("scene_id")
@click.option("--comment", help="What needs to change (required).")
@pass_ctx
def scene_reject(c: Ctx, project_id: int, scene_id: str, comment: str | None) -> None:
    """Send the scene's current step back for rework; --comment says what needs to change."""
    s = c.services.reviews.reject(project_id, scene_id, comment)
    click.echo(f"{s.scene_id}: {_status(s)}")


@scene.command("timing")
@click.argument("project_id", type=int)
@click.argument("scene_id")
@click.option("--duration", help="Seconds for a scene without narration (0.5-60), or 'auto'.")
@click.option("--fit", type=click.Choice(["hold", "loop", "slow"]), help="What a clip shorter than the scene does.")
@pass_ctx
def scene_timing(c: Ctx, project_id: int, scene_id: str, duration: str | None, fit: str | None) -> None:
    """Set how long a scene lasts and how its clip fills it; prints the scene's span."""
    from fractions import Fraction

    changes: dict = {}
    if duration is not None:
        if duration == "auto":
            changes["duration"] = None
        else:
            try:
                changes["duration"] = Fraction(duration)
            except (ValueError, ZeroDivisionError):
                raise ValidationError("duration", f"must be a number of seconds or 'auto' (got {duration!r})") from None
    if fit is not None:
        changes["fit"] = fit
    if changes:
        c.services.scenes.set_timing(project_id, scene_id, **changes)
    plan = c.services.render_plan.plan(project_id, strict=False, measure_files=False)
    s = next(x for x in plan.scenes if x.scene_id == scene_id)
    click.echo(f"{s.scene_id}: {float(s.duration):.3f}s, {s.source}, {s.fit}")


# ---- preferences and tokens --------------------------------------------------------


@cli.command()
@click.argument("project_id", type=int)
@click.option("--image-model", "image_gen_model")
@click.option("--video-model", "video_gen_model")
@click.option("--voice", "voice_gen_model")
@click.option("--stability", type=float)
@click.option("--resolution")
@click.option("--ratio")
@click.option("--style", "custom_style")
@click.option("--split-rule", "split_rule")
@json_option
@pass_ctx
def prefs(c: Ctx, project_id: int, as_json: bool, **changes: object) -> None:
    """Show a project's video preferences, or change the ones given."""
    changes = {k: v for k, v in changes.items() if v is not None}
    p = c.services.preferences.update(project_id, **changes) if changes else c.services.preferences.get(project_id)
    if as_json:
        return emit_json(p)
    for k, v in vars(p).items():
        if k != "project_id":
            click.echo(f"{k:16} {v if v is not None else '-'}")


@cli.group()
def tokens() -> None:
    """Token usage and limits per model type."""


@tokens.command("list")
@json_option
@pass_ctx
def tokens_list(c: Ctx, as_json: bool) -> None:
    items = c.services.tokens.usage()
    if as_json:
        return emit_json([{"type": t.type, "usage": t.usage, "limit": t.limit} for t in items])
    table([[t.type, f"{t.usage:,}", f"{t.limit:,}", f"{t.remaining:,}"] for t in items], ["TYPE", "USAGE", "LIMIT", "LEFT"])


@tokens.command("set-limit")
@click.argument("token_type")
@click.argument("limit", type=int)
@click.option("--user", "email")
@pass_ctx
def tokens_set_limit(c: Ctx, token_type: str, limit: int, email: str | None) -> None:
    t = c.services.tokens.set_limit(token_type, limit, email=email)
    click.echo(f"{t.type}: {t.usage:,} / {t.limit:,}")


# ---- helpers ---------------------------------------------------------------------


def _read_script(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValidationError("script-file", f"{path} does not exist") from None
    except UnicodeDecodeError:
        raise ValidationError("script-file", f"{path} is not UTF-8 text") from None
    except OSError as e:
        raise ValidationError("script-file", f"cannot read {path}: {e.strerror}") from None


def _counts(counts: dict[str, int]) -> str:
    from ..domain.status import PIPELINE

    return ", ".join(f"{counts[s]} {s}" for s in PIPELINE if counts.get(s))


def _short(text: str, n: int = 40) -> str:
    from ..domain.text import shorten

    return shorten(text, n)


def _status(s) -> str:  # noqa: ANN001
    from ..domain.status import REJECTED_WORDS, status_words

    return f"{REJECTED_WORDS} ({status_words(s.status)})" if s.rejected else status_words(s.status)


def _scene_json(s) -> dict:  # noqa: ANN001
    j = s.scene_json
    return {
        "id": s.id, "scene_id": s.scene_id, "order": s.order, "status": s.status, "status_label": _status(s),
        "narration": s.narration, "image_prompt": j.get("image_prompt"), "motion_prompt": j.get("motion_prompt"),
        "negative_prompt": j.get("negative_prompt"), "duration": j.get("duration"),
        "image_version": s.image_version, "clip_version": s.clip_version, "no_subject": s.no_subject,
        "edited_by_hand": list(s.edited_fields), "rejected": s.rejected, "rejection_comment": s.rejection,
        "scene_json": j, "updated_at": s.updated_at,
    }


def _register_extensions() -> None:
    from . import export_cmds, generate_cmds, import_cmds, model_cmds, reference_cmds, sync_cmds

    for module in (generate_cmds, sync_cmds, export_cmds, import_cmds, reference_cmds, model_cmds):
        module.register(cli)


_register_extensions()


def main(argv: list[str] | None = None) -> int:
    """Entry point: user errors end with one line on stderr and a non-zero exit."""
    try:
        cli.main(args=argv, prog_name="storyclip", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("storyclip: aborted, nothing changed", err=True)
        return 1
    except click.UsageError as e:
        click.echo(f"storyclip: {e.format_message()}", err=True)
        return 2
    except click.ClickException as e:
        click.echo(f"storyclip: {e.format_message()}", err=True)
        return e.exit_code
    except USER_ERRORS as e:
        click.echo(f"storyclip: {one_line(e)}", err=True)
        return 1
    except SystemExit as e:
        return int(e.code or 0) if not isinstance(e.code, str) else 1
    return 0
