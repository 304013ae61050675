"""An image job: one synchronous paid call, then a new image version of the scene."""

from __future__ import annotations

from ..providers.base import ImageRequest, ReferenceImage
from . import media_out
from .context import JobContext


async def run_image(ctx: JobContext) -> dict:
    r = ctx.job.request
    provider = await ctx.provider()
    req = ImageRequest(
        **ctx.picture(),
        title=str(r.get("title") or ""),
        references=await _references(ctx, r.get("references") or []),
    )
    result = await ctx.paid_call("image", provider.generate_image, req)
    await ctx.set(state="downloading", progress=0.9)
    path = await ctx.io(ctx.media.store_bytes, result.png, ".png")
    await ctx.io(media_out.thumbnail, ctx.media, path)
    meta = ctx.metadata(
        width=result.width, height=result.height, duration=None, model=result.model,
        references=[
            {"asset_id": x.get("asset_id"), "version": x.get("version"), "character": x.get("character")}
            for x in r.get("references") or []
        ],
    )
    return await ctx.add_scene_version("image", path, meta)


async def _references(ctx: JobContext, refs: list) -> tuple[ReferenceImage, ...]:
    """The reference images' bytes, read before anything is paid for: a missing file
    fails the job with its name rather than making an image that ignores it."""
    out = []
    for ref in refs:
        who = ref.get("character") or "the style"
        data = await ctx.read_library(
            ref.get("storage_url"), f"the reference image of {who} (v{ref.get('version')})"
        )
        out.append(ReferenceImage(data, str(ref.get("mime") or "image/png"), ref.get("character")))
    return tuple(out)
