"""`storyclip character ...`, `storyclip reference ...`, `storyclip scene characters` and
`storyclip generate same-seed`: characters and the style, their reference images, which
characters each scene shows, and generating again with a version's seed."""

from __future__ import annotations

from pathlib import Path

import click


def register(cli: click.Group) -> None:
    """Attach this module's commands to the `storyclip` group."""
    from .main import json_option, pass_ctx

    @cli.group()
    def character() -> None:
        """The project's named characters (their reference images keep them alike)."""

    @character.command("add")
    @click.argument("project_id", type=int)
    @click.argument("name")
    @pass_ctx
    def character_add(c, project_id: int, name: str) -> None:  # noqa: ANN001
        ch = c.services.references.add_character(project_id, name)
        click.echo(f"{ch.name} ({ch.label})")

    @character.command("list")
    @click.argument("project_id", type=int)
    @json_option
    @pass_ctx
    def character_list(c, project_id: int, as_json: bool) -> None:  # noqa: ANN001
        from .output import emit_json, table

        refs = c.services.references.get(project_id)
        if as_json:
            return emit_json(refs)
        rows = [["style", "-", _versions(refs.style)]]
        rows += [[ch.name, ch.label, _versions(ch.references)] for ch in refs.characters]
        table(rows, ["CHARACTER", "LABEL", "REFERENCES"])

    @character.command("remove")
    @click.argument("project_id", type=int)
    @click.argument("name")
    @pass_ctx
    def character_remove(c, project_id: int, name: str) -> None:  # noqa: ANN001
        """Remove a character; its reference images stay as versions."""
        c.services.references.remove_character(project_id, name)
        click.echo(f"removed {name}")

    @cli.group()
    def reference() -> None:
        """Reference images for a character or the project's style."""

    @reference.command("add")
    @click.argument("project_id", type=int)
    @click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
    @click.option("--character", "name", help="The character the image shows.")
    @click.option("--style", is_flag=True, help="The image shows the project's style.")
    @pass_ctx
    def reference_add(c, project_id: int, file: Path, name: str | None, style: bool) -> None:  # noqa: ANN001
        """Add FILE (PNG, JPEG or WebP) as a reference image."""
        _one_target(name, style)
        from ..jobs.reference_import import add_reference_file

        ref = add_reference_file(c.services, project_id, file, character=name, style=style)
        click.echo(f"{name or 'style'}: reference v{ref.version} ({ref.id})")

    @reference.command("use")
    @click.argument("project_id", type=int)
    @click.argument("scene_id")
    @click.option("--version", type=int, help="The image version (default: the scene's current image).")
    @click.option("--character", "name", help="The character the image shows.")
    @click.option("--style", is_flag=True, help="The image shows the project's style.")
    @pass_ctx
    def reference_use(c, project_id: int, scene_id: str, version: int | None, name: str | None, style: bool) -> None:  # noqa: ANN001
        """Use a generated image of SCENE_ID as a reference image."""
        from ..services.errors import NotFound

        _one_target(name, style)
        sv = c.services
        version = version or sv.scenes.get(project_id, scene_id).image_version
        image = next((a for a in sv.assets.versions(project_id, scene_id, "image") if a.version == version), None)
        if image is None:
            raise NotFound(f"scene {scene_id} has no image v{version}" if version else f"scene {scene_id} has no image")
        ref = sv.references.add_from_asset(project_id, image.id, character=name, style=style)
        click.echo(f"{name or 'style'}: reference v{ref.version} from {scene_id} image v{version}")

    scene = cli.commands["scene"]
    assert isinstance(scene, click.Group)

    @scene.command("characters")
    @click.argument("project_id", type=int)
    @click.argument("scene_id")
    @click.argument("names", nargs=-1)
    @click.option("--clear", is_flag=True, help="The scene shows none of the characters.")
    @click.option("--suggested", is_flag=True, help="Set the characters its text names.")
    @pass_ctx
    def scene_characters(c, project_id: int, scene_id: str, names: tuple[str, ...], clear: bool, suggested: bool) -> None:  # noqa: ANN001
        """Show or set the characters SCENE_ID shows (their references go with its image
        requests). Without names: the current list and the suggestion from its text."""
        from ..domain.validation import ValidationError

        refs = c.services.references
        if sum(map(bool, (names, clear, suggested))) > 1:
            raise ValidationError("characters", "give names, --clear or --suggested, not several")
        if clear or names or suggested:
            wanted = refs.suggest(project_id, scene_id) if suggested else list(names)
            s = refs.link(project_id, scene_id, wanted)
        else:
            s = c.services.scenes.get(project_id, scene_id)
        shown = s.scene_json.get("characters") or []
        click.echo(f"{s.scene_id}: {', '.join(shown) or 'no characters'}")
        if not (clear or names or suggested):
            hint = refs.suggest(project_id, scene_id)
            if hint and hint != shown:
                click.echo(f"its text names: {', '.join(hint)} (set them with --suggested)")

    generate = cli.commands["generate"]
    assert isinstance(generate, click.Group)

    @generate.command("same-seed")
    @click.argument("project_id", type=int)
    @click.argument("scene_id")
    @click.option("--image", "image_version", type=int, help="Generate the image again with this version's seed.")
    @click.option("--clip", "clip_version", type=int, help="Generate the clip again with this version's seed.")
    @click.option("--wait", is_flag=True, help="Run the job here until it finishes.")
    @pass_ctx
    def same_seed(c, project_id: int, scene_id: str, image_version: int | None, clip_version: int | None, wait: bool) -> None:  # noqa: ANN001
        """Generate again with the seed of an image or clip version."""
        from ..domain.validation import ValidationError
        from .generate_cmds import _wait_for

        if (image_version is None) == (clip_version is None):
            raise ValidationError("version", "give --image N or --clip N")
        type_, version = ("image", image_version) if image_version is not None else ("clip", clip_version)
        result = c.services.generation.again_with_seed(project_id, scene_id, type_, int(version))
        for s in result.skipped:
            click.echo(f"skipped {s.scene_id}: {s.reason}", err=True)
        job = c.services.generation.job(result.job_ids[0])
        click.echo(f"queued {type_} job {job.id} on {result.provider_label} with seed {job.request.get('seed')}")
        if wait:
            _wait_for(c.services, result.job_ids)


def _one_target(name: str | None, style: bool) -> None:
    from ..domain.validation import ValidationError

    if (name is None) == (not style):
        raise ValidationError("reference", "give --character NAME or --style")


def _versions(refs) -> str:  # noqa: ANN001
    return ", ".join(f"v{a.version}" for a in refs) or "-"
