"""`storyclip sync`, `storyclip admin ...`, `storyclip project share ...` (filled in by the
sync and shared-mode work)."""

from __future__ import annotations

import click


def register(cli: click.Group) -> None:
    """Attach this module's commands to the `storyclip` group."""
