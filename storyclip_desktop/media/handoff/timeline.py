"""The render plan as an OpenTimelineIO timeline: V1 one clip per scene, A1 the narration
(one clip per narrated scene, placed as the video places it), A2 the music, a marker at each scene start, provenance on every clip.

Every time is a `RationalTime` at the plan's 30 fps, so spans come back frame-exact. Every
media reference carries an `available_range` (the FCP7 XML adapter fails without one), and
the sequence's `<format>` is filled through the `fcp_xml` metadata the adapter writes out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import opentimelineio as otio

from ...domain import handoff as rules
from ...domain.render_plan import RenderPlan, voice_pieces

RT = otio.opentime.RationalTime
TR = otio.opentime.TimeRange


@dataclass(frozen=True)
class ClipMedia:
    """One scene's picture as the editor gets it."""

    scene_pk: int
    scene_id: str
    start_frame: int
    frames: int  # the span on V1
    file: str  # relative to the timeline: "media/S03_clip_v2.mp4"
    available_frames: int  # how long the file is (>= frames)
    name: str  # "S03 · v2 · first words of the prompt"
    provenance: dict
    version: int | None = None  # of the clip or image shown (None: a title card)


@dataclass(frozen=True)
class AudioMedia:
    file: str
    frames: int
    name: str
    provenance: dict


def rt(frames: int, fps: int) -> otio.opentime.RationalTime:
    return RT(frames, fps)


def build_timeline(
    plan: RenderPlan,
    clips: list[ClipMedia],
    narration: AudioMedia | None,
    music: AudioMedia | None,
    *,
    url: Callable[[str], str],
    header: dict,
) -> otio.schema.Timeline:
    """`url` turns a relative media path into the target_url the format needs (relative
    for .otio and XML, absolute for the bundler of .otioz)."""
    fps = plan.fps
    tl = otio.schema.Timeline(name=plan.title or f"project {plan.project_id}")
    tl.global_start_time = rt(0, fps)
    tl.metadata[rules.META_KEY] = dict(header)
    tl.metadata["fcp_xml"] = _sequence_format(plan, header)

    video = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    for c in clips:
        video.append(_picture_clip(c, fps, url))
    tl.tracks.append(video)
    if narration is not None:
        tl.tracks.append(_narration_track(plan, narration, url))
    if music is not None and music.frames > 0:
        # As the video mixes it: looped to the length of the short, the last pass cut.
        track = otio.schema.Track(name="A2 music", kind=otio.schema.TrackKind.Audio)
        left = plan.total_frames
        while left > 0:
            track.append(_audio_clip(music, min(music.frames, left), fps, url))
            left -= music.frames
        tl.tracks.append(track)
    return tl


def _picture_clip(c: ClipMedia, fps: int, url: Callable[[str], str]) -> otio.schema.Clip:
    ref = otio.schema.ExternalReference(
        target_url=url(c.file), available_range=TR(rt(0, fps), rt(c.available_frames, fps))
    )
    ref.name = c.file.rsplit("/", 1)[-1]
    clip = otio.schema.Clip(name=c.name, media_reference=ref, source_range=TR(rt(0, fps), rt(c.frames, fps)))
    clip.metadata[rules.META_KEY] = dict(c.provenance)
    note = rules.marker_note(c.provenance)
    # Premiere and FCP7 keep these logging fields per clip; the token lets an edit that lost
    # OTIO's metadata still be matched by its provenance.
    clip.metadata["fcp_xml"] = {
        "logginginfo": {
            "description": note.split("\n", 1)[0],
            "scene": rules.padded_label(c.scene_id),
            "shottake": f"v{c.version}" if c.version is not None else "card",
            "lognote": provenance_token(c.provenance),
        },
        "comments": {"mastercomment1": note},
    }
    clip.metadata["cmx_3600"] = {"reel": rules.reel_name(c.scene_id, c.version)}
    clip.markers.append(
        otio.schema.Marker(
            name=rules.padded_label(c.scene_id),
            marked_range=TR(rt(0, fps), rt(0, fps)),
            color=otio.schema.MarkerColor.GREEN,
            comment=note,
            metadata={rules.META_KEY: {"scene_id": c.scene_id, "scene_pk": c.scene_pk}, "fcp_xml": {"comment": note}},
        )
    )
    return clip


def _narration_track(plan: RenderPlan, a: AudioMedia, url: Callable[[str], str]) -> otio.schema.Track:
    """A1 as the video mixes it: one clip per narrated scene (its span in the narration
    file, at the scene's start, as long as the scene) and a gap under every scene without
    narration, so the voice stays under its picture after a reorder or a silent scene."""
    fps = plan.fps
    track = otio.schema.Track(name="A1 narration", kind=otio.schema.TrackKind.Audio)
    pieces = voice_pieces(plan)
    # The file's own length, or the furthest frame a span reaches if rounding passes it.
    available = max([a.frames, *(p.source_frame + p.frames for p in pieces if p.span is not None)])
    pks = {s.scene_id: s.scene_pk for s in plan.scenes}
    for p in pieces:
        if p.span is None:
            track.append(otio.schema.Gap(source_range=TR(rt(0, fps), rt(p.frames, fps))))
            continue
        clip = _audio_clip(a, p.frames, fps, url, start=p.source_frame, available=available,
                           name=f"{a.name} · {p.scene_id}")
        clip.metadata[rules.META_KEY].update(scene_id=p.scene_id, scene_pk=pks.get(p.scene_id))
        track.append(clip)
    return track


def _audio_clip(a: AudioMedia, frames: int, fps: int, url: Callable[[str], str], *, start: int = 0,
                available: int | None = None, name: str | None = None) -> otio.schema.Clip:
    ref = otio.schema.ExternalReference(
        target_url=url(a.file), available_range=TR(rt(0, fps), rt(available or a.frames, fps))
    )
    ref.name = a.file.rsplit("/", 1)[-1]
    clip = otio.schema.Clip(name=name or a.name, media_reference=ref, source_range=TR(rt(start, fps), rt(frames, fps)))
    clip.metadata[rules.META_KEY] = dict(a.provenance)
    return clip


def _sequence_format(plan: RenderPlan, header: dict) -> dict:
    """What the adapter turns into `<media><video><format><samplecharacteristics>`: Resolve
    needs the frame size and rate there to open the sequence at the project's shape."""
    return {
        "media": {
            "video": {
                "format": {
                    "samplecharacteristics": {
                        "rate": {"timebase": str(plan.fps), "ntsc": "FALSE"},
                        "width": str(plan.width),
                        "height": str(plan.height),
                        "anamorphic": "FALSE",
                        "pixelaspectratio": "square",
                        "fielddominance": "none",
                        "colordepth": "24",
                    }
                }
            }
        },
        "logginginfo": {"lognote": provenance_token({"project_id": header.get("project_id")})},
    }


TOKEN = "storyclip:"


def provenance_token(p: dict) -> str:
    """`storyclip:project=12;scene_pk=34;scene=S3`: survives any tool that keeps a text field."""
    keys = (("project", "project_id"), ("scene_pk", "scene_pk"), ("scene", "scene_id"))
    return TOKEN + ";".join(f"{k}={p[src]}" for k, src in keys if p.get(src) is not None)


def parse_token(text: object) -> dict[str, str]:
    if not isinstance(text, str) or not text.startswith(TOKEN):
        return {}
    out = {}
    for part in text[len(TOKEN):].split(";"):
        k, sep, v = part.partition("=")
        if sep:
            out[k.strip()] = v.strip()
    return out
