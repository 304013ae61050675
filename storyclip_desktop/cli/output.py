"""Printing for the CLI: tables for people, --json for scripts."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime

import click


def _default(o: object) -> object:
    if isinstance(o, datetime):
        return o.isoformat()
    if dataclasses.is_dataclass(o):
        return dataclasses.asdict(o)  # type: ignore[arg-type]
    raise TypeError(type(o).__name__)


def emit_json(value: object) -> None:
    if dataclasses.is_dataclass(value):
        value = dataclasses.asdict(value)  # type: ignore[arg-type]
    elif isinstance(value, list):
        value = [dataclasses.asdict(x) if dataclasses.is_dataclass(x) else x for x in value]  # type: ignore[arg-type]
    click.echo(json.dumps(value, default=_default, ensure_ascii=False, indent=2))


def table(rows: list[list[object]], headers: list[str]) -> None:
    cells = [[str(c) for c in r] for r in rows]
    widths = [max([_width(h)] + [_width(r[i]) for r in cells]) for i, h in enumerate(headers)]
    click.echo("  ".join(_pad(h, w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for r in cells:
        click.echo("  ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip())


def _width(text: str) -> int:
    from ..domain.text import columns

    return columns(text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
