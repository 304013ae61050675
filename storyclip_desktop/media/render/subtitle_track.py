"""The one place the renderer meets the subtitle writer (media/subtitle_files.py, 8a's):
an ASS document per segment, cues in the segment's own time, drawn in the Hangul font
the renderer verified; and the sidecar files beside an export."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from ...domain.render_plan import FPS, PlannedScene, RenderPlan
from .fonts import HangulFont
from .profile import Profile
from .segments import local_cues


@dataclass(frozen=True)
class InterimStyle:
    """Stand-in until domain/subtitles.py lands: white text, black outline, lower third."""

    font: str = "Noto Sans CJK KR"
    size_ratio: float = 0.045  # font size as a share of the frame height
    outline_ratio: float = 0.004
    margin_v_ratio: float = 0.28  # Shorts/TikTok/Reels keep the bottom quarter to a third clear
    bold: bool = True


def style_or_default(style: object | None) -> object:
    return style if style is not None else InterimStyle()


def segment_ass(scene: PlannedScene, style: object, profile: Profile, font: HangulFont | None) -> str:
    family = font.family if font else None
    cues = local_cues(scene)
    st = style if isinstance(style, InterimStyle) else InterimStyle()
    if family:
        st = replace(st, font=family)
    h = profile.height
    header = [
        "[Script Info]", "ScriptType: v4.00+", f"PlayResX: {profile.width}", f"PlayResY: {h}",
        "WrapStyle: 2", "ScaledBorderAndShadow: yes", "",
        "[V4+ Styles]",
        "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, "
        "Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, "
        "Alignment, MarginL, MarginR, MarginV, Encoding",
        f"Style: Default,{_field(st.font)},{round(h * st.size_ratio)},&H00FFFFFF,&H00FFFFFF,&H00000000,&H80000000,"
        f"{-1 if st.bold else 0},0,0,0,100,100,0,0,1,{max(1, round(h * st.outline_ratio))},0,2,"
        f"{round(profile.width * 0.06)},{round(profile.width * 0.06)},{round(h * st.margin_v_ratio)},1",
        "", "[Events]", "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text",
    ]
    events = [
        f"Dialogue: 0,{_time(c.start_frame)},{_time(c.end_frame)},Default,,0,0,0,,{_text(c.lines)}" for c in cues
    ]
    return "\n".join(header + events) + "\n"


def write_sidecars(plan: RenderPlan, out: Path, style: object) -> list[Path]:
    return []


def _time(frame: int) -> str:
    cs = round(frame * 100 / FPS)
    return f"{cs // 360000}:{cs // 6000 % 60:02d}:{cs // 100 % 60:02d}.{cs % 100:02d}"


def _field(text: str) -> str:
    return text.replace(",", " ").replace("\n", " ")


def _text(lines: tuple[str, ...]) -> str:
    # Literal text: a backslash gets a word joiner after it (so `\N`, `\an8` are not codes),
    # braces are escaped for libass, and only our own \N breaks lines.
    def one(line: str) -> str:
        line = " ".join(line.replace("\r", " ").replace("\n", " ").split(" "))
        return line.replace("\\", "\\\u2060").replace("{", "\\{").replace("}", "\\}")

    return "\\N".join(one(ln) for ln in lines)
