"""Text jobs: write one scene's prompts ("prompt"), or split the whole script into scenes
with prompts ("text"). Both go through the text provider and write via the scene service."""

from __future__ import annotations

from ..domain.status import SceneStatus, status_words
from ..providers.base import SceneDraft, TextRequest
from .context import JobContext, JobFailed

_WRITABLE = (SceneStatus.INIT.value, SceneStatus.PROMPT.value)


def merge_prompts(drafts: list[SceneDraft]) -> dict:
    """One scene's narration may come back as several drafts: keep each distinct phrase
    once (the style suffix repeats in every draft), in order."""
    phrases: list[str] = []
    for d in drafts:
        for p in d.image_prompt.split(". "):
            p = p.strip().rstrip(".")
            if p and p not in phrases:
                phrases.append(p)
    first = drafts[0]
    return {
        "image_prompt": ". ".join(phrases),
        "motion_prompt": first.motion_prompt,
        "negative_prompt": first.negative_prompt,
    }


async def _scene_still_writable(ctx: JobContext) -> None:
    scene = await ctx.db(ctx.services.scenes.get, ctx.job.project_id, ctx.job.scene_id)
    if scene.status not in _WRITABLE:
        # Writing now would rewind a prompt or image the editor confirmed meanwhile.
        raise JobFailed(f"{scene.scene_id} moved on to “{status_words(scene.status)}” meanwhile; its prompt was left as it is")


async def run_prompt(ctx: JobContext) -> dict:
    r = ctx.job.request
    await _scene_still_writable(ctx)
    provider = await ctx.provider()
    req = TextRequest(
        script=str(r.get("narration") or ""),
        split_rule=r.get("split_rule"),
        custom_style=r.get("custom_style"),
        no_subject=bool(r.get("no_subject")),
        language=str(r.get("language") or "ko"),
    )
    result = await ctx.paid_call("prompt", provider.split_script, req)
    if not result.scenes:
        raise JobFailed("the text provider wrote no prompt")
    fields = merge_prompts(result.scenes)
    await ctx.set(state="downloading", progress=0.9)
    await _scene_still_writable(ctx)
    # Never over a prompt typed by hand meanwhile (unless asked); what is replaced is kept.
    scene, kept = await ctx.db(
        ctx.services.scenes.write_generated, ctx.job.project_id, ctx.job.scene_id, fields,
        replace_edited=bool(r.get("replace_edited")),
    )
    return {"type": "prompt", "scene_status": scene.status, **fields, "kept_edited": kept, "cost": ctx.charged}


async def run_split(ctx: JobContext) -> dict:
    r = ctx.job.request
    provider = await ctx.provider()
    req = TextRequest(
        script=str(r.get("script") or ""),
        split_rule=r.get("split_rule"),
        custom_style=r.get("custom_style"),
        language=str(r.get("language") or "ko"),
    )
    result = await ctx.paid_call("text", provider.split_script, req)
    await ctx.set(state="downloading", progress=0.9)
    pid = ctx.job.project_id
    scenes = await ctx.db(
        ctx.services.scenes.split, pid, replace=bool(r.get("replace")), chunks=[d.narration for d in result.scenes]
    )
    for view, draft in zip(scenes, result.scenes, strict=True):
        fields = {
            "image_prompt": draft.image_prompt, "motion_prompt": draft.motion_prompt,
            "negative_prompt": draft.negative_prompt,
        }
        if 2 <= draft.duration <= 12:
            fields["duration"] = draft.duration
        await ctx.db(ctx.services.scenes.write_generated, pid, view.scene_id, fields)
    return {"type": "text", "scenes": len(scenes), "cost": ctx.charged}
