"""How subtitles look: font, size, outline, position, and the platform safe areas.

Sizes are shares of the frame so one style serves 480p to 1080p. Shorts, TikTok and
Reels draw their own buttons and captions over the bottom quarter to third of the frame
and down the right edge: subtitles stay above and left of them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

DEFAULT_FONT = "Noto Sans CJK KR"  # has Hangul; the renderer checks it (or another) exists


@dataclass(frozen=True)
class SafeArea:
    name: str
    label: str
    top: float  # share of the height kept clear at the top
    bottom: float  # ... at the bottom
    left: float  # share of the width kept clear at the left
    right: float  # ... at the right (the like/comment/share buttons)


SAFE_AREAS: dict[str, SafeArea] = {
    "shorts": SafeArea("shorts", "YouTube Shorts", top=0.10, bottom=0.25, left=0.06, right=0.12),
    "tiktok": SafeArea("tiktok", "TikTok", top=0.12, bottom=0.30, left=0.06, right=0.14),
    "reels": SafeArea("reels", "Instagram Reels", top=0.12, bottom=0.33, left=0.06, right=0.12),
    "plain": SafeArea("plain", "No platform (video file)", top=0.05, bottom=0.08, left=0.05, right=0.05),
}
POSITIONS = ("bottom", "middle", "top")
_ALIGNMENT = {"bottom": 2, "middle": 5, "top": 8}  # ASS numpad alignment, centred


@dataclass(frozen=True)
class SubtitleStyle:
    """Hashable and asdict-able: the renderer keys its segment cache on it."""

    name: str = "clean"
    font: str = DEFAULT_FONT
    size: float = 0.045  # font size, share of the frame height
    bold: bool = True
    colour: str = "FFFFFF"  # text, RRGGBB
    outline_colour: str = "000000"
    outline: float = 0.004  # outline width, share of the height
    shadow: float = 0.0
    box: bool = False  # an opaque box behind the text instead of an outline
    box_colour: str = "000000"
    box_alpha: int = 0x60  # 0 opaque .. 255 transparent
    position: str = "bottom"
    safe_area: str = "shorts"

    def __post_init__(self) -> None:
        if self.position not in POSITIONS:
            raise ValueError(f"subtitle position must be one of {', '.join(POSITIONS)}")
        if self.safe_area not in SAFE_AREAS:
            raise ValueError(f"safe area must be one of {', '.join(SAFE_AREAS)}")
        for c in (self.colour, self.outline_colour, self.box_colour):
            if len(c) != 6 or any(ch not in "0123456789abcdefABCDEF" for ch in c):
                raise ValueError(f"not an RRGGBB colour: {c!r}")

    def with_safe_area(self, name: str) -> SubtitleStyle:
        return replace(self, safe_area=name)


PRESETS: dict[str, SubtitleStyle] = {
    "clean": SubtitleStyle(),
    "bold": SubtitleStyle(name="bold", size=0.055, outline=0.006, shadow=0.002),
    "boxed": SubtitleStyle(name="boxed", size=0.045, outline=0.008, box=True),
    "yellow": SubtitleStyle(name="yellow", colour="FFE14D", outline=0.005),
}
DEFAULT_STYLE = PRESETS["clean"]


@dataclass(frozen=True)
class StyleMetrics:
    """A style in pixels for one frame size (what an ASS style line needs)."""

    font_size: int
    outline: int
    shadow: int
    alignment: int  # ASS numpad position
    margin_l: int
    margin_r: int
    margin_v: int


def metrics(style: SubtitleStyle, width: int, height: int) -> StyleMetrics:
    area = SAFE_AREAS[style.safe_area]
    margin_v = area.bottom if style.position == "bottom" else area.top if style.position == "top" else 0.0
    return StyleMetrics(
        font_size=max(8, round(height * style.size)),
        outline=max(1, round(height * style.outline)) if (style.outline or style.box) else 0,
        shadow=round(height * style.shadow),
        alignment=_ALIGNMENT[style.position],
        margin_l=round(width * area.left),
        margin_r=round(width * area.right),
        margin_v=round(height * margin_v),
    )
