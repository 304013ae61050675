"""A narration job: the whole project's narration as one audio version, with the
character timing (for subtitles) kept beside it in the media library, and each scene's
span in it kept in the version's metadata (with the texts it was made from, so a later
change to the scenes shows the narration as out of date)."""

from __future__ import annotations

import json

from ..domain import timing
from ..providers.base import NarrationRequest
from . import media_out
from .context import JobContext


async def run_narration(ctx: JobContext) -> dict:
    r = ctx.job.request
    provider = await ctx.provider()
    scenes = _scenes(r.get("scenes"))
    req = NarrationRequest(
        text=str(r.get("text") or ""),
        voice=str(r.get("voice") or "Bin"),
        stability=float(r.get("stability") if r.get("stability") is not None else 0.5),
        language=str(r.get("language") or "ko"),
        segments=tuple(s.text for s in scenes),
    )
    result = await ctx.paid_call("narration", provider.narrate, req, usage=lambda r: r.usage_chars)
    await ctx.set(state="downloading", progress=0.9)
    audio = await ctx.io(ctx.media.store_bytes, result.audio, media_out.AUDIO_SUFFIX.get(result.mime, ".bin"))
    kept = dict(result.alignment)
    if result.normalized_alignment:
        kept["normalized_alignment"] = result.normalized_alignment
    timing_path = await ctx.io(ctx.media.store_bytes, json.dumps(kept, ensure_ascii=False).encode(), ".json")
    url = media_out.media_url(ctx.media, audio)
    spans: dict = {}
    if scenes:
        alignment = timing.Alignment.from_json(result.alignment)
        spans = {
            "scene_spans": timing.span_records(scenes, alignment, result.duration_s),
            "scenes_fingerprint": timing.fingerprint(scenes),
        }
    meta = ctx.metadata(
        prompt=req.text, duration=round(result.duration_s, 3), model=result.model, voice=req.voice,
        mime=result.mime, alignment_url=media_out.media_url(ctx.media, timing_path), **spans,
    )
    version = await ctx.db(ctx.services.assets.add_narration_version, ctx.job.project_id, url, meta)
    return {"type": "narration", "version": version.version, "storage_url": url, "made_current": True}


def _scenes(raw: object) -> list[timing.NarratedScene]:
    """The request's scenes (jobs queued before spans were kept have none)."""
    if not isinstance(raw, list):
        return []
    items = [x for x in raw if isinstance(x, dict) and isinstance(x.get("pk"), int)]
    return timing.narrated([(x["pk"], str(x.get("scene_id") or "?"), str(x.get("text") or "")) for x in items])
