"""Writing a timeline in each hand-off format, and reading an edit back, through
OpenTimelineIO's adapters only (otio_json, otioz, fcp_xml, cmx_3600)."""

from __future__ import annotations

import copy
import os
import urllib.parse
from pathlib import Path

import opentimelineio as otio

from ...domain import handoff as rules
from ...domain.handoff import EditedClip, HandoffError
from ...domain.render_plan import FPS
from .timeline import parse_token

ADAPTERS = {"otio": "otio_json", "otioz": "otioz", "fcp7xml": "fcp_xml", "edl": "cmx_3600"}


def write(timeline: otio.schema.Timeline, fmt: str, path: Path) -> None:
    if fmt not in ADAPTERS:
        raise HandoffError(f"unknown timeline format {fmt!r}; use one of {', '.join(rules.FORMATS)}")
    if fmt == "edl":
        timeline = edl_timeline(timeline)
        otio.adapters.write_to_file(timeline, str(path), adapter_name="cmx_3600", rate=FPS, reelname_len=8)
        return
    otio.adapters.write_to_file(timeline, str(path), adapter_name=ADAPTERS[fmt])


def edl_timeline(timeline: otio.schema.Timeline) -> otio.schema.Timeline:
    """CMX 3600 carries one picture track and ASCII names: a copy with V1 only."""
    tl = copy.deepcopy(timeline)
    tl.name = rules.ascii_name(tl.name) or "StoryClip"
    keep = [t for t in tl.tracks if t.kind == otio.schema.TrackKind.Video][:1]
    while len(tl.tracks):
        tl.tracks.pop()
    for t in keep:
        for clip in t.find_clips():
            clip.name = rules.ascii_name(clip.name)
            for m in clip.markers:
                m.name = rules.ascii_name(m.name)
        tl.tracks.append(t)
    return tl


def format_of(path: Path) -> str:
    fmt = rules.READABLE.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(rules.READABLE))
        raise HandoffError(f"{path.name}: not a timeline file StoryClip reads (use {known})")
    return fmt


def read(path: Path) -> otio.schema.Timeline:
    """The edit as a Timeline, or a one-line HandoffError for a file that is not one."""
    path = Path(path)
    fmt = format_of(path)
    if not path.is_file():
        raise HandoffError(f"{path}: no such file")
    try:
        if fmt == "edl":
            result = otio.adapters.read_from_file(str(path), adapter_name="cmx_3600", rate=FPS)
        else:
            result = otio.adapters.read_from_file(str(path), adapter_name=ADAPTERS[fmt])
    except Exception as e:  # noqa: BLE001 - every adapter failure is a bad file to the editor
        raise HandoffError(f"{path.name} is not a readable {fmt} timeline ({_short(e)})") from None
    if isinstance(result, otio.schema.SerializableCollection):
        timelines = [t for t in result.find_children(descended_from_type=otio.schema.Timeline)] or [
            t for t in result if isinstance(t, otio.schema.Timeline)
        ]
        if len(timelines) != 1:
            raise HandoffError(f"{path.name} holds {len(timelines)} sequences; export just the one edit")
        result = timelines[0]
    if not isinstance(result, otio.schema.Timeline):
        raise HandoffError(f"{path.name} holds no timeline")
    return result


def _short(e: BaseException) -> str:
    text = " ".join(str(e).split()) or type(e).__name__
    return text[:160]


def timeline_project(tl: otio.schema.Timeline) -> int | None:
    """The project id the export wrote on the timeline (OTIO metadata or the sequence's
    logging note in FCP7 XML)."""
    meta = tl.metadata.get(rules.META_KEY) or {}
    pid = _int(meta.get("project_id"))
    if pid is None:
        note = ((tl.metadata.get("fcp_xml") or {}).get("logginginfo") or {}).get("lognote")
        pid = _int(parse_token(note).get("project"))
    return pid


def edited_clips(tl: otio.schema.Timeline) -> list[EditedClip]:
    """The clips of the first picture track that has any, in track order, with what they
    say about where they came from."""
    for track in tl.video_tracks():
        clips = [c for c in track if isinstance(c, otio.schema.Clip)]
        if clips:
            return [_edited(c) for c in clips]
    return []


def _edited(c: otio.schema.Clip) -> EditedClip:
    meta = c.metadata.get(rules.META_KEY) or {}
    project, pk, label = _int(meta.get("project_id")), _int(meta.get("scene_pk")), meta.get("scene_id")
    if pk is None:
        fcp = c.metadata.get("fcp_xml") or {}
        token = parse_token((fcp.get("logginginfo") or {}).get("lognote"))
        project, pk, label = _int(token.get("project")), _int(token.get("scene_pk")), token.get("scene")
    return EditedClip(
        name=c.name or "",
        frames=round(c.duration().rescaled_to(FPS).value),
        project_id=project,
        scene_pk=pk,
        scene_id=label if isinstance(label, str) else None,
        media_file=_media_file(c),
    )


def _media_file(c: otio.schema.Clip) -> str | None:
    ref = c.media_reference
    url = getattr(ref, "target_url", None)
    if url:
        path = urllib.parse.unquote(urllib.parse.urlparse(url).path or url)
        return os.path.basename(path.replace("\\", "/")) or None
    if ref is not None and ref.name:
        return ref.name
    return c.name or None


def _int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None
