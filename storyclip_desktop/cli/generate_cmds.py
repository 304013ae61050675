"""`storyclip generate ...`, `storyclip jobs ...` (filled in by the generation work)."""

from __future__ import annotations

import click


def register(cli: click.Group) -> None:
    """Attach this module's commands to the `storyclip` group."""
