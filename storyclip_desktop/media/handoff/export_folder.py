"""One export folder: the timeline, its media under stable names, the subtitles and a
manifest, written into a staging folder and published by one rename.

    OUT/
      <title>.otio | .otioz | .xml | .edl
      <title>.srt            (when the plan has cues)
      manifest.json
      media/S01_clip_v2.mp4, S02_image_v1.mp4, S03_card.mp4, narration_v1.wav, ...
"""

from __future__ import annotations

import json
import shutil
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

import opentimelineio as otio

from ...domain import handoff as rules
from ...domain.render_plan import PlannedScene, RenderPlan, voice_pieces
from ..render.errors import RenderError
from ..render.segments import SegmentCache
from . import formats, media_folder
from .package import check_target, staging
from .timeline import AudioMedia, ClipMedia, build_timeline

__all__ = ["ExportResult", "Music", "check_target", "renderer_cache", "write"]


@dataclass(frozen=True)
class Music:
    """The music bed for A2: the file, its audio stream's length at 30 fps, its level."""

    path: Path
    frames: int
    level_db: float | None = None


@dataclass(frozen=True)
class ExportResult:
    folder: Path
    timeline: Path
    subtitles: Path | None
    manifest: Path
    media: tuple[Path, ...]
    linked: int
    copied: int
    rendered: int
    warnings: tuple[str, ...] = ()


def write(plan: RenderPlan, provenance: dict[int, dict], fmt: str, out: Path, *, header: dict,
          segment_cache: SegmentCache | None = None, music: Music | None = None) -> ExportResult:
    """`segment_cache`: the renderer's cache, so scenes already rendered for the finished
    short are linked instead of encoded again (default: a throwaway one)."""
    stem = rules.safe_stem(plan.title, plan.project_id)
    counts = {"linked": 0, "copied": 0, "rendered": 0}
    with staging(out) as tmp:
        media_dir = tmp / rules.MEDIA_DIR
        media_dir.mkdir()
        cache = segment_cache or SegmentCache(tmp / ".segments")
        clips = [_picture(sc, plan, provenance.get(sc.scene_pk, {}), media_dir, counts, cache) for sc in plan.scenes]
        shutil.rmtree(tmp / ".segments", ignore_errors=True)
        narration = _narration(plan, media_dir, counts)
        bed = _music(plan, media_dir, counts, music)

        def url(rel: str) -> str:
            if fmt == "otioz":  # the bundler reads the files and relinks them inside the zip
                return otio.url_utils.url_from_filepath(str(tmp / rel))
            return urllib.parse.quote(rel)

        tl = build_timeline(plan, clips, narration, bed, url=url, header=header)
        timeline = tmp / f"{stem}{rules.SUFFIX[fmt]}"
        try:
            formats.write(tl, fmt, timeline)
        except rules.HandoffError:
            raise
        except Exception as e:  # noqa: BLE001 - an adapter's refusal, in one line
            raise rules.HandoffError(f"the {fmt} adapter could not write this timeline ({_short(e)})") from None
        subtitles = _subtitles(plan, tmp / f"{stem}.srt")
        media = sorted(p.name for p in media_dir.iterdir())
        manifest = _manifest(plan, header, timeline, subtitles, clips, narration, bed, provenance, fmt)
        (tmp / rules.MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
        if fmt == "otioz":
            for p in media_dir.iterdir():  # the media travel inside the .otioz
                p.unlink()
            media_dir.rmdir()
            media = []
    folder = out
    return ExportResult(
        folder=folder,
        timeline=folder / timeline.name,
        subtitles=folder / subtitles.name if subtitles else None,
        manifest=folder / rules.MANIFEST,
        media=tuple(folder / rules.MEDIA_DIR / n for n in media),
        linked=counts["linked"],
        copied=counts["copied"],
        rendered=counts["rendered"],
        warnings=(plan.stale.reason,) if plan.stale else (),
    )


def renderer_cache(media_root: Path) -> SegmentCache:
    """The finished short's segment cache (the folder `jobs/run_export.segment_cache`
    uses): a scene already rendered for the video is linked, not encoded again."""
    return SegmentCache(Path(media_root) / ".render" / "segments")


def _picture(sc: PlannedScene, plan: RenderPlan, prov: dict, media_dir: Path, counts: dict,
             cache: SegmentCache) -> ClipMedia:
    available = sc.frames
    try:
        if sc.source == "clip" and (sc.source_frames or 0) >= sc.frames and sc.speed == 1:
            # The original as it is, trimmed by the source range: the editor keeps the handle.
            src = Path(sc.source_path or "")
            name = rules.media_name(sc.scene_id, "clip", sc.source_version, src.suffix)
            counts[media_folder.link_or_copy(src, media_dir / name)] += 1
            available = sc.source_frames or sc.frames
        else:
            kind = sc.source
            fit = sc.fit if kind == "clip" else None
            version = sc.source_version if kind != "card" else None
            name = rules.media_name(sc.scene_id, kind, version, ".mp4", fit=fit)
            media_folder.scene_video(sc, plan.width, plan.height, media_dir / name, cache)
            counts["rendered"] += 1
    except RenderError as e:
        msg = e.message if e.message.startswith(sc.scene_id) else f"{sc.scene_id}: {e.message}"
        raise rules.HandoffError(msg) from None
    rel = f"{rules.MEDIA_DIR}/{name}"
    prov = {**prov, "media_file": rel}
    prompt = prov.get("image_prompt") or prov.get("narration") or sc.narration_text
    version = sc.source_version if sc.source != "card" else None
    return ClipMedia(
        scene_pk=sc.scene_pk, scene_id=sc.scene_id, start_frame=sc.start_frame, frames=sc.frames,
        file=rel, available_frames=available, name=rules.clip_name(sc.scene_id, version, prompt or ""),
        provenance=prov, version=version,
    )


def _narration(plan: RenderPlan, media_dir: Path, counts: dict) -> AudioMedia | None:
    n = plan.narration
    if n is None:
        return None
    src = Path(n.path)
    name = rules.narration_name(n.version, src.suffix)
    counts[media_folder.link_or_copy(src, media_dir / name)] += 1
    prov = {"project_id": plan.project_id, "kind": "narration", "version": n.version, "asset_id": n.asset_id,
            "media_file": f"{rules.MEDIA_DIR}/{name}"}
    return AudioMedia(file=f"{rules.MEDIA_DIR}/{name}", frames=n.frames, name=f"narration v{n.version}", provenance=prov)


def _music(plan: RenderPlan, media_dir: Path, counts: dict, music: Music | None) -> AudioMedia | None:
    """A2: the music bed the editor chose for the export (as for the video)."""
    if music is None:
        return None
    name = f"music{music.path.suffix.lower()}"
    counts[media_folder.link_or_copy(music.path, media_dir / name)] += 1
    prov = {"project_id": plan.project_id, "kind": "music", "original_file": music.path.name,
            "level_db": music.level_db, "media_file": f"{rules.MEDIA_DIR}/{name}"}
    return AudioMedia(file=f"{rules.MEDIA_DIR}/{name}", frames=music.frames, name="music", provenance=prov)


def _subtitles(plan: RenderPlan, path: Path) -> Path | None:
    if not plan.cues:
        return None
    from ..subtitle_files import write_subtitles

    write_subtitles(plan, path, "srt")
    return path


def _manifest(plan, header, timeline, subtitles, clips, narration, music, provenance, fmt) -> dict:  # noqa: ANN001
    return {
        **header,
        "timeline": timeline.name,
        "subtitles": subtitles.name if subtitles else None,
        "media_folder": None if fmt == "otioz" else rules.MEDIA_DIR,
        "total_frames": plan.total_frames,
        "stale_narration": plan.stale.reason if plan.stale else None,
        "scenes": [
            {"media_file": c.file, "clip_name": c.name, "available_frames": c.available_frames,
             **provenance.get(c.scene_pk, {}), "frames": c.frames, "start_frame": c.start_frame}
            for c in clips
        ],
        "narration": narration.provenance | {"frames": narration.frames, "placed": _placed(plan)} if narration else None,
        "music": music.provenance | {"frames": music.frames} if music else None,
    }


def _placed(plan: RenderPlan) -> list[dict]:
    """Where A1 puts each narrated scene's part of the file (as the video mixes it)."""
    return [{"scene_id": p.scene_id, "start_frame": p.start_frame, "frames": p.frames,
             "source_start_frame": p.source_frame} for p in voice_pieces(plan) if p.span is not None]


def _short(e: BaseException) -> str:
    return (" ".join(str(e).split()) or type(e).__name__)[:160]
