"""The render plan: what the finished short is made of, scene by scene, at one exact frame rate.

The one contract between timing/subtitles (who fill it), the ffmpeg render and the timeline
hand-off (who read it). Frames are integers at FPS so every consumer agrees to the frame;
seconds are exact Fractions derived from them. Pure: no Qt, no SQL, no ffmpeg.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from .validation import SCENE_FITS as SCENE_FITS  # what an editor may choose for a short clip

FPS = 30  # the one timeline rate (exact; never 29.97 floats)

SOURCES = ("clip", "image", "card")
FITS = ("hold", "loop", "slow", "trim", "still")
MIN_SLOW_SPEED = Fraction(4, 5)  # slowing a clip further than 0.8x looks broken


def frames_to_seconds(frames: int) -> Fraction:
    return Fraction(frames, FPS)


def seconds_to_frames(seconds: float | Fraction) -> int:
    """The nearest whole frame; halves round up so a boundary never moves earlier."""
    value = Fraction(seconds) * FPS
    return int(value + Fraction(1, 2)) if value >= 0 else -int(-value + Fraction(1, 2))


def _seconds(frames: int) -> float:
    return round(float(frames_to_seconds(frames)), 3)


@dataclass(frozen=True)
class Cue:
    """One subtitle cue, in project-absolute frames."""

    start_frame: int
    end_frame: int
    lines: tuple[str, ...]  # 1 or 2 lines, already broken by the line rules

    @property
    def start(self) -> Fraction:
        return frames_to_seconds(self.start_frame)

    @property
    def end(self) -> Fraction:
        return frames_to_seconds(self.end_frame)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    def to_json(self) -> dict:
        return {"start": _seconds(self.start_frame), "end": _seconds(self.end_frame), "text": self.text}


@dataclass(frozen=True)
class PlannedScene:
    scene_pk: int
    scene_id: str  # "S3"
    index: int  # 0-based position in timeline order
    start_frame: int  # project-absolute, at FPS
    frames: int  # the scene's span (from the narration alignment, or clip / set duration)
    source: str  # "clip" | "image" | "card"
    source_path: str | None  # absolute local path of the chosen clip or image; None for "card"
    source_asset_id: int | None
    source_version: int | None
    source_frames: int | None  # the clip's VIDEO STREAM duration in frames (clip only)
    fit: str  # "trim" | "hold" | "loop" | "slow" for clips; "still" for image/card sources
    speed: Fraction  # playback speed applied to the source (1; <1 for "slow", at least 0.8)
    narration_text: str
    title: str  # text for a title card (the narration's first words or the scene_id)
    cues: tuple[Cue, ...]  # the cues that fall in this scene (project-absolute)
    # Seconds [start, end) of the narration audio spoken in this scene, placed at
    # start_frame; None for a scene without narration (silence under it). When every
    # scene is narrated and in the narration's order these tile the whole file.
    narration_span: tuple[Fraction, Fraction] | None = None

    @property
    def start(self) -> Fraction:
        return frames_to_seconds(self.start_frame)

    @property
    def duration(self) -> Fraction:
        return frames_to_seconds(self.frames)

    @property
    def end_frame(self) -> int:
        return self.start_frame + self.frames

    def to_json(self) -> dict:
        return {
            "scene_id": self.scene_id,
            "start": _seconds(self.start_frame),
            "duration": _seconds(self.frames),
            "source": self.source,
            "fit": self.fit,
            "speed": round(float(self.speed), 3),
            "cues": [cue.to_json() for cue in self.cues],
            "narration_span": (
                [round(float(x), 3) for x in self.narration_span] if self.narration_span else None
            ),
        }


@dataclass(frozen=True)
class PlannedNarration:
    path: str  # absolute local path of the chosen narration audio
    version: int
    asset_id: int
    frames: int  # audio STREAM duration in frames


@dataclass(frozen=True)
class StaleNarration:
    """The narration no longer matches the scenes."""

    changed_scene_ids: tuple[str, ...]
    reason: str  # one line in UI words

    removed_scene_ids: tuple[str, ...] = ()  # narrated then, gone (or silent) now

    def to_json(self) -> dict:
        return {
            "changed_scene_ids": list(self.changed_scene_ids),
            "removed_scene_ids": list(self.removed_scene_ids),
            "reason": self.reason,
        }


@dataclass(frozen=True)
class VoicePiece:
    """One stretch of the voice track: a scene's part of the narration placed at the
    scene's start, or silence (scenes without a span, merged when adjacent)."""

    start_frame: int  # project-absolute
    frames: int  # exactly the scene's (or the silent run's) length
    span: tuple[Fraction, Fraction] | None  # seconds [start, end) in the narration file; None: silence
    scene_id: str | None = None  # the narrated scene; None for silence

    @property
    def source_frame(self) -> int:
        """Where the piece starts in the narration file, to the nearest frame (the hand-off)."""
        return seconds_to_frames(self.span[0]) if self.span else 0


def voice_pieces(plan: RenderPlan) -> tuple[VoicePiece, ...]:
    """The voice track as the renderer mixes it and the hand-off lays out A1: each narrated
    scene's span starts at that scene's start and lasts exactly the scene (cut or padded
    with silence, by under a frame); so moving a scene moves its voice with it, and a scene
    without a span (a card, a set duration, a scene added after the narration) is silent.
    The pieces tile [0, total_frames)."""
    pieces: list[VoicePiece] = []
    for scene in plan.scenes:
        span = scene.narration_span if plan.narration is not None else None
        if span is not None:
            pieces.append(VoicePiece(scene.start_frame, scene.frames, span, scene.scene_id))
        elif pieces and pieces[-1].span is None:
            last = pieces[-1]
            pieces[-1] = VoicePiece(last.start_frame, last.frames + scene.frames, None)
        elif scene.frames > 0:
            pieces.append(VoicePiece(scene.start_frame, scene.frames, None))
    return tuple(pieces)


@dataclass(frozen=True)
class RenderPlan:
    project_id: int
    title: str
    ratio: str  # "9:16"
    resolution: str  # "480p" | "720p" | "1080p"
    width: int  # from ratio + resolution; 1080p 9:16 = 1080x1920
    height: int
    scenes: tuple[PlannedScene, ...]
    narration: PlannedNarration | None
    stale: StaleNarration | None
    total_frames: int
    fps: int = field(default=FPS)

    @property
    def total(self) -> Fraction:
        return frames_to_seconds(self.total_frames)

    @property
    def cues(self) -> tuple[Cue, ...]:
        return tuple(cue for scene in self.scenes for cue in scene.cues)

    @property
    def placeholders(self) -> tuple[PlannedScene, ...]:
        """Scenes rendered without a clip (a still image or a title card)."""
        return tuple(scene for scene in self.scenes if scene.source != "clip")

    def to_json(self) -> dict:
        return {
            "project_id": self.project_id,
            "title": self.title,
            "fps": self.fps,
            "ratio": self.ratio,
            "resolution": self.resolution,
            "width": self.width,
            "height": self.height,
            "total": _seconds(self.total_frames),
            "stale": self.stale.to_json() if self.stale else None,
            "narration": (
                {"version": self.narration.version, "duration": _seconds(self.narration.frames)}
                if self.narration
                else None
            ),
            "scenes": [scene.to_json() for scene in self.scenes],
        }
