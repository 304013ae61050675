"""A narration job: the whole project's narration as one audio version, with the
character timing (for subtitles) kept beside it in the media library."""

from __future__ import annotations

import json

from ..providers.base import NarrationRequest
from ..services.generation_plan import expected_cost
from . import media_out
from .context import JobContext


async def run_narration(ctx: JobContext) -> dict:
    r = ctx.job.request
    provider = await ctx.provider()
    req = NarrationRequest(
        text=str(r.get("text") or ""),
        voice=str(r.get("voice") or "Bin"),
        stability=float(r.get("stability") if r.get("stability") is not None else 0.5),
        language=str(r.get("language") or "ko"),
    )
    await ctx.reserve(expected_cost("narration", ctx.job.provider, r))
    ctx.phase = "calling"
    result = await ctx.call(provider.narrate, req)
    ctx.phase = "called"
    await ctx.commit(result.usage_chars)
    await ctx.set(state="downloading", progress=0.9)
    audio = await ctx.io(ctx.media.store_bytes, result.audio, media_out.AUDIO_SUFFIX.get(result.mime, ".bin"))
    timing = json.dumps(result.alignment, ensure_ascii=False).encode()
    timing_path = await ctx.io(ctx.media.store_bytes, timing, ".json")
    url = media_out.media_url(ctx.media, audio)
    meta = ctx.metadata(
        prompt=req.text, duration=round(result.duration_s, 3), model=result.model, voice=req.voice,
        mime=result.mime, alignment_url=media_out.media_url(ctx.media, timing_path),
    )
    version = await ctx.db(ctx.services.assets.add_narration_version, ctx.job.project_id, url, meta)
    return {"type": "narration", "version": version.version, "storage_url": url, "made_current": True}
