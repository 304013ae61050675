"""Quoting for ffmpeg's two text languages, so a path is never read as filtergraph syntax.

A filter option value is escaped first (`\\ ' :`), then the whole filter for the graph
(`\\ ' [ ] , ;`), as ffmpeg-filters(1) "Notes on filtergraph escaping" describes. The
renderer also only ever names files it wrote under hex names; this is the second guard."""

from __future__ import annotations

import re

_VALUE = re.compile(r"([\\':])")
_GRAPH = re.compile(r"([\\'\[\],;])")


def filter_value(text: str) -> str:
    """`text` as one option value inside a filtergraph string."""
    return _GRAPH.sub(r"\\\1", _VALUE.sub(r"\\\1", str(text)))


def concat_path(path: str) -> str:
    """A path as a quoted `file` directive of the concat demuxer."""
    return "'" + str(path).replace("'", "'\\''") + "'"
