"""Where the renderer meets the subtitle writer (media/subtitle_files.py): an ASS document
per segment, its cues in the segment's own time, drawn in the Hangul font the renderer
verified; and the sidecar files written beside an export."""

from __future__ import annotations

from pathlib import Path

from ...domain.render_plan import PlannedScene, RenderPlan
from ...domain.subtitle_style import DEFAULT_STYLE, SubtitleStyle
from ..subtitle_files import ass_text, write_subtitles
from .fonts import HangulFont
from .profile import Profile

SIDECAR_FORMATS = ("srt", "vtt")


def style_or_default(style: object | None) -> SubtitleStyle:
    return style if isinstance(style, SubtitleStyle) else DEFAULT_STYLE


def segment_ass(scene: PlannedScene, style: SubtitleStyle, profile: Profile, font: HangulFont | None) -> str:
    return ass_text(
        scene.cues, style, width=profile.width, height=profile.height,
        offset_frames=scene.start_frame, font_family=font.family if font else None,
    )


def write_sidecars(plan: RenderPlan, video: Path, style: SubtitleStyle) -> list[Path]:
    """`short.srt` and `short.vtt` beside `short.mp4` (each written whole or not at all)."""
    return [write_subtitles(plan, video.with_suffix(f".{fmt}"), fmt, style) for fmt in SIDECAR_FORMATS]
