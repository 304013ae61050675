"""Shared set-up for the job and generation tests: projects with scenes in a given
status, an image version on disk, a fast retry policy and an engine factory."""

from __future__ import annotations

import asyncio
import io
import time

from PIL import Image

from storyclip_desktop.jobs import JobEngine, ProviderFactory
from storyclip_desktop.jobs.media_out import media_url
from storyclip_desktop.media.library import MediaLibrary
from storyclip_desktop.providers.http import RetryPolicy

FAST_RETRY = RetryPolicy(max_attempts=4, initial=0.01, jitter=0.01, max_wait=0.05)


def png(width: int = 480, height: int = 854, color=(30, 120, 200)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buf, format="PNG")
    return buf.getvalue()


def make_project(sv, n: int = 3, status: str = "prompt_confirmed", title: str = "테스트") -> int:
    """A project with n scenes S1..Sn moved to `status` through the real services."""
    pid = sv.projects.create(title)
    sv.scenes.split(pid, chunks=[f"장면 {i} 이야기. Scene {i} narration." for i in range(1, n + 1)])
    for s in sv.scenes.list(pid):
        move_scene(sv, pid, s.scene_id, status)
    return pid


def move_scene(sv, pid: int, sid: str, status: str) -> None:
    """Forward from the scene's current status to `status`, one real step at a time."""
    order = ["init", "prompt", "prompt_confirmed", "image", "image_confirmed", "clip"]
    steps = {
        "prompt": lambda: sv.scenes.edit(pid, sid, {"image_prompt": f"a picture for {sid}", "motion_prompt": "slow pan"}),
        "prompt_confirmed": lambda: sv.reviews.confirm(pid, sid),
        "image": lambda: add_image(sv, pid, sid),
        "image_confirmed": lambda: sv.reviews.confirm(pid, sid),
        "clip": lambda: sv.assets.add_scene_version(pid, sid, "clip", "media:00/00/clip.mp4", {}),
    }
    current = order.index(sv.scenes.get(pid, sid).status)
    for step in order[current + 1 : order.index(status) + 1]:
        steps[step]()


def add_image(sv, pid: int, sid: str, media: MediaLibrary | None = None) -> None:
    media = media or MediaLibrary()
    path = media.store_bytes(png(), ".png")
    sv.assets.add_scene_version(pid, sid, "image", media_url(media, path), {"provider": "test"})


def engine(sv, *, overrides=None, limits=None, poll=0.05, **kw) -> JobEngine:
    factory = ProviderFactory(retry=FAST_RETRY, overrides=overrides, clip_cache=MediaLibrary().root / ".local-clips")
    return JobEngine(sv, factory=factory, limits=limits, poll_interval=poll, **kw)


def keys(*providers: str):
    allowed = set(providers)
    return lambda p: p in allowed


async def until(predicate, timeout: float = 10.0, every: float = 0.01):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(every)


def run_jobs(sv, ids, **kw):
    """Run the jobs to their end in a fresh engine; their final views."""

    async def main():
        eng = engine(sv, **kw)
        try:
            await eng.submit(ids)
            return await eng.wait(ids)
        finally:
            await eng.aclose()

    return asyncio.run(main())


def usage(sv, token_type: str) -> int:
    """The tokens of this type spent so far, as the token list shows them."""
    return next(t.usage for t in sv.tokens.usage() if t.type == token_type)
