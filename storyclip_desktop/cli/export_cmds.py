"""`storyclip export ...`: the finished short and what it is made of (plan, subtitles; the
video and timeline hand-off register their commands on the same group)."""

from __future__ import annotations

import importlib

import click

# Sibling modules that add commands to `storyclip export`: each has `register(export)`.
EXTENSIONS: tuple[str, ...] = ("export_timeline_cmds", "export_video_cmds")


@click.group()
def export() -> None:
    """Export the finished short: its plan, subtitles, video or timeline."""


def register(cli: click.Group) -> None:
    """Attach `storyclip export` and its sub-commands to the `storyclip` group."""
    from . import export_plan_cmds

    export_plan_cmds.register(export)
    for name in EXTENSIONS:
        importlib.import_module(f"{__package__}.{name}").register(export)
    cli.add_command(export)
