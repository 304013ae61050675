"""The media an editor relinks: hard links (or copies) of the originals under stable names,
and, for what an editing tool cannot take as it is (a scene with only a still image or a
title card, a clip shorter than its span that the plan holds, loops or slows), the very
segment the finished short uses, without burned subtitles (the SRT travels beside).

The segments are made by the renderer (`media.render.segments`, the bundled ffmpeg), so
V1 shows exactly what the finished short shows; its cache is reused when it has them."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from ...domain.render_plan import PlannedScene
from ..render import segments
from ..render.errors import RenderUnavailable
from ..render.fonts import HangulFont, hangul_font
from ..render.profile import export_profile


def link_or_copy(src: Path, dest: Path) -> str:
    """A hard link where the filesystem allows (no second copy of a large clip), else a
    copy. Returns "linked" or "copied"."""
    try:
        os.link(src, dest)
        return "linked"
    except OSError:
        shutil.copy2(src, dest)
        return "copied"


def scene_video(scene: PlannedScene, width: int, height: int, dest: Path, cache: segments.SegmentCache) -> str:
    """The scene's picture exactly `scene.frames` long at the project's frame size, placed
    at `dest`. Returns "linked" or "copied" (of the segment)."""
    profile = export_profile(width, height)
    font = _font() if scene.source == "card" else None
    sha = cache.source_hash(scene.source_path) if scene.source_path else None
    key = segments.segment_key(scene, profile, source_sha=sha, style=None, font=font, burn=False)
    job = segments.SegmentJob(scene, key, cache.path(key), None)
    if not cache.has(key):
        segments.check_source(scene)
        segments.encode(job, profile, cache, font, cancel=None, threads=1)
    return link_or_copy(job.path, dest)


def _font() -> HangulFont | None:
    try:
        return hangul_font()
    except RenderUnavailable:
        return None  # encode() then says a title card needs a font, naming the scene
