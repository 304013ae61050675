"""Subtitle files: SRT, WebVTT and ASS, with the narration text kept literal.

None of the three formats has one proper escape for everything, so each is handled the
way its renderers read it:
- ASS (libass, which ffmpeg burns with): `\\{` and `\\}` are libass' literal braces; a
  backslash gets U+2060 WORD JOINER after it, so `\\N`, `\\h` or `\\an8` in the text are
  never codes (libass' own advice; the joiner is invisible and zero-width). Our own line
  breaks are the only `\\N`.
- SRT: ffmpeg's SRT reader (and players built on libass) turn SRT into ASS, where a
  brace pair hides its contents and `<i>` is markup: braces and backslashes are escaped
  as for ASS and `<` gets a word joiner. (A player that shows SRT as plain text will show
  the backslash of `\\{`; SRT itself has no escape.)
- WebVTT: `&`, `<` and `>` as character references, as the spec asks.
Files are written under a temporary name in the target folder and renamed when complete.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from ..domain import validation as v
from ..domain.render_plan import FPS, Cue, RenderPlan
from ..domain.subtitle_style import DEFAULT_STYLE, SubtitleStyle, metrics

WORD_JOINER = "\u2060"
FORMATS = ("srt", "vtt", "ass")


# ---- escaping -----------------------------------------------------------------------


def _one_line(text: str) -> str:
    return " ".join(str(text).replace("\r", " ").replace("\n", " ").split(" "))


def ass_escape(text: str) -> str:
    """One line of text for an ASS Dialogue, shown literally by libass."""
    out = []
    for ch in _one_line(text):
        if ch == "\\":
            out.append("\\" + WORD_JOINER)
        elif ch in "{}":
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def srt_escape(text: str) -> str:
    """One line of SRT text, shown literally by ffmpeg/libass-based players, which read
    SRT into ASS: braces would hide their contents and a backslash start a code, so they
    are escaped as for ASS; `<` gets a word joiner so `<i>` is not markup."""
    return ass_escape(text).replace("<", "<" + WORD_JOINER)


def vtt_escape(text: str) -> str:
    return _one_line(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _ass_field(text: str) -> str:
    """A style-line field (a font name): no commas or line breaks can get in."""
    return _one_line(text).replace(",", " ").strip() or "Sans"


# ---- times: frame k starts at k/FPS; times are floored so a cue starts on its own frame
# and never shows on the frame after its end.


def _ms(frame: int) -> int:
    return frame * 1000 // FPS


def _clock(frame: int, sep: str) -> str:
    ms = _ms(max(0, frame))
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}{sep}{ms % 1000:03d}"


def _ass_clock(frame: int) -> str:
    cs = max(0, frame) * 100 // FPS
    return f"{cs // 360_000}:{cs // 6000 % 60:02d}:{cs // 100 % 60:02d}.{cs % 100:02d}"


def _shifted(cues: Iterable[Cue], offset_frames: int) -> list[tuple[int, int, tuple[str, ...]]]:
    out = []
    for c in cues:
        start, end = max(0, c.start_frame - offset_frames), c.end_frame - offset_frames
        if end > start:
            out.append((start, end, c.lines))
    return out


# ---- the three formats -------------------------------------------------------------------


def srt_text(cues: Iterable[Cue], *, offset_frames: int = 0) -> str:
    blocks = []
    for n, (start, end, lines) in enumerate(_shifted(cues, offset_frames), start=1):
        body = "\n".join(srt_escape(x) for x in lines)
        blocks.append(f"{n}\n{_clock(start, ',')} --> {_clock(end, ',')}\n{body}\n")
    return "\n".join(blocks)


def vtt_text(cues: Iterable[Cue], *, offset_frames: int = 0) -> str:
    blocks = ["WEBVTT\n"]
    for start, end, lines in _shifted(cues, offset_frames):
        body = "\n".join(vtt_escape(x) for x in lines)
        blocks.append(f"{_clock(start, '.')} --> {_clock(end, '.')}\n{body}\n")
    return "\n".join(blocks)


def ass_text(
    cues: Iterable[Cue],
    style: SubtitleStyle = DEFAULT_STYLE,
    *,
    width: int,
    height: int,
    offset_frames: int = 0,
    font_family: str | None = None,
) -> str:
    """An ASS document for a width x height frame. `offset_frames` moves the cues into a
    segment's own time (cut at 0); `font_family` replaces the style's font with the one
    the renderer found on this machine."""
    m = metrics(style, width, height)
    font = _ass_field(font_family or style.font)
    colour = _ass_colour(style.colour)
    outline = _ass_colour(style.outline_colour)
    back = _ass_colour(style.box_colour, style.box_alpha)
    border_style = 3 if style.box else 1
    lines = [
        "[Script Info]",
        "ScriptType: v4.00+",
        f"PlayResX: {width}",
        f"PlayResY: {height}",
        "WrapStyle: 2",  # no automatic wrapping: the line rules already broke the lines
        "ScaledBorderAndShadow: yes",
        "YCbCr Matrix: TV.709",
        "",
        "[V4+ Styles]",
        "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, "
        "Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, "
        "Shadow, Alignment, MarginL, MarginR, MarginV, Encoding",
        f"Style: Default,{font},{m.font_size},{colour},{colour},{outline},{back},"
        f"{-1 if style.bold else 0},0,0,0,100,100,0,0,{border_style},{m.outline},{m.shadow},"
        f"{m.alignment},{m.margin_l},{m.margin_r},{m.margin_v},1",
        "",
        "[Events]",
        "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text",
    ]
    for start, end, text_lines in _shifted(cues, offset_frames):
        text = "\\N".join(ass_escape(x) for x in text_lines)
        lines.append(f"Dialogue: 0,{_ass_clock(start)},{_ass_clock(end)},Default,,0,0,0,,{text}")
    return "\n".join(lines) + "\n"


def _ass_colour(rgb: str, alpha: int = 0) -> str:
    r, g, b = rgb[0:2], rgb[2:4], rgb[4:6]
    return f"&H{alpha:02X}{b}{g}{r}".upper()


def subtitles_text(plan: RenderPlan, fmt: str, style: SubtitleStyle = DEFAULT_STYLE) -> str:
    if fmt == "srt":
        return srt_text(plan.cues)
    if fmt == "vtt":
        return vtt_text(plan.cues)
    if fmt == "ass":
        return ass_text(plan.cues, style, width=plan.width, height=plan.height)
    raise v.ValidationError("format", f"must be one of {', '.join(FORMATS)} (got {fmt!r})")


def write_subtitles(plan: RenderPlan, out: Path, fmt: str, style: SubtitleStyle = DEFAULT_STYLE) -> Path:
    """Write the plan's cues to `out` in `fmt`; the file appears whole or not at all."""
    text = subtitles_text(plan, fmt, style)
    return write_text_atomically(Path(out), text)


def write_text_atomically(out: Path, text: str) -> Path:
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise v.ValidationError("out", f"the folder {folder} does not exist")
    if out.is_dir():
        raise v.ValidationError("out", f"{out} is a folder, not a file name")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=folder)
    except OSError as e:
        raise v.ValidationError("out", f"cannot write in {folder}: {e.strerror}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, out)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise v.ValidationError("out", f"cannot write {out}: {e.strerror}") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out
