"""An image job: one synchronous paid call, then a new image version of the scene."""

from __future__ import annotations

from ..providers.base import ImageRequest
from ..services.generation_plan import expected_cost
from . import media_out
from .context import JobContext


async def run_image(ctx: JobContext) -> dict:
    r = ctx.job.request
    provider = await ctx.provider()
    req = ImageRequest(
        prompt=str(r.get("prompt") or ""),
        ratio=str(r.get("ratio") or "9:16"),
        resolution=str(r.get("resolution") or "480p"),
        negative_prompt=str(r.get("negative_prompt") or ""),
        seed=r.get("seed"),
        title=str(r.get("title") or ""),
    )
    await ctx.reserve(expected_cost("image", ctx.job.provider, r))
    ctx.phase = "calling"
    result = await ctx.call(provider.generate_image, req)
    ctx.phase = "called"
    await ctx.commit(result.usage_tokens)
    await ctx.set(state="downloading", progress=0.9)
    path = await ctx.io(ctx.media.store_bytes, result.png, ".png")
    await ctx.io(media_out.thumbnail, ctx.media, path)
    meta = ctx.metadata(width=result.width, height=result.height, duration=None, model=result.model)
    return await ctx.add_scene_version("image", path, meta)
