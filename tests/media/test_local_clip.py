from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from storyclip_desktop.media.probe import probe
from storyclip_desktop.providers.base import ClipRequest, ProviderError
from storyclip_desktop.providers.local import LocalClipProvider, clips


def _req(png: bytes, external_id: str = "job-1", duration: int = 2, **kw) -> ClipRequest:
    fields = {"ratio": "9:16", "resolution": "480p", "prompt": "slow push-in"} | kw
    return ClipRequest(image_png=png, duration=duration, external_id=external_id, **fields)


async def _wait(provider: LocalClipProvider, remote_id: str, timeout: float = 30.0):
    async with asyncio.timeout(timeout):
        while True:
            status = await provider.poll_clip(remote_id)
            if status.state not in ("queued", "running"):
                return status
            await asyncio.sleep(0.05)


def test_renders_a_playable_mp4_of_the_requested_duration(tmp_path, png_bytes):
    provider = LocalClipProvider(cache_dir=tmp_path / "cache")
    dest = tmp_path / "out.mp4"

    async def run():
        remote_id = await provider.create_clip(_req(png_bytes, duration=3))
        status = await _wait(provider, remote_id)
        assert status.state == "succeeded", status.error
        assert status.video_url.startswith("file://")
        return await provider.download(status.video_url, dest)

    size = asyncio.run(run())
    assert size == dest.stat().st_size > 1000
    info = probe(dest)
    assert info.video_codec == "h264"
    assert info.pix_fmt == "yuv420p"
    assert (info.width, info.height) == (480, 854)
    assert info.fps == 24
    assert info.duration_s == pytest.approx(3.0, abs=0.1)


def test_same_external_id_renders_once(tmp_path, png_bytes, monkeypatch):
    provider = LocalClipProvider(cache_dir=tmp_path / "cache")
    spawned = []
    real_exec = asyncio.create_subprocess_exec

    async def counting_exec(*args, **kw):
        spawned.append(args)
        return await real_exec(*args, **kw)

    monkeypatch.setattr(clips.asyncio, "create_subprocess_exec", counting_exec)

    async def run():
        # two creates before the first render finishes, then one after
        first = await provider.create_clip(_req(png_bytes, "job-7"))
        second = await provider.create_clip(_req(png_bytes, "job-7"))
        assert first == second
        status = await _wait(provider, first)
        assert status.state == "succeeded"
        clip = Path(status.video_url.removeprefix("file://"))
        mtime = clip.stat().st_mtime_ns
        third = await provider.create_clip(_req(png_bytes, "job-7"))
        assert third == first
        assert (await provider.poll_clip(third)).state == "succeeded"
        # a fresh provider (the app restarted) also reuses the finished file
        again = LocalClipProvider(cache_dir=tmp_path / "cache")
        assert await again.create_clip(_req(png_bytes, "job-7")) == first
        assert (await again.poll_clip(first)).state == "succeeded"
        return clip, mtime

    clip, mtime = asyncio.run(run())
    assert len(spawned) == 1
    assert clip.stat().st_mtime_ns == mtime


def test_cancel_kills_the_render(tmp_path, png_bytes):
    provider = LocalClipProvider(cache_dir=tmp_path / "cache")

    async def run():
        remote_id = await provider.create_clip(
            _req(png_bytes, "job-long", duration=30, resolution="1080p")
        )
        await asyncio.sleep(0.2)
        assert (await provider.poll_clip(remote_id)).state == "running"
        assert await provider.cancel_clip(remote_id) is True
        assert (await provider.poll_clip(remote_id)).state == "cancelled"
        assert await provider.cancel_clip(remote_id) is False
        return remote_id

    remote_id = asyncio.run(run())
    assert not (tmp_path / "cache" / remote_id.removeprefix("local-")).exists()


def test_unknown_id_and_foreign_urls(tmp_path, png_bytes):
    provider = LocalClipProvider(cache_dir=tmp_path / "cache")
    outside = tmp_path / "secret.txt"
    outside.write_text("not a clip")

    async def run():
        status = await provider.poll_clip("local-" + "0" * 32)
        assert status.state == "failed"
        assert status.error.kind == "not_found"
        with pytest.raises(ProviderError):
            await provider.poll_clip("../../etc")
        with pytest.raises(ProviderError):
            await provider.download(outside.as_uri(), tmp_path / "copy")
        with pytest.raises(ProviderError):
            await provider.download("https://example.com/a.mp4", tmp_path / "copy")

    asyncio.run(run())


def test_unreadable_image_fails_cleanly(tmp_path):
    provider = LocalClipProvider(cache_dir=tmp_path / "cache")

    async def run():
        remote_id = await provider.create_clip(_req(b"not a png", "job-bad"))
        return await _wait(provider, remote_id)

    status = asyncio.run(run())
    assert status.state == "failed"
    assert status.error.kind == "bad_request"
    assert not list((tmp_path / "cache").rglob("*.part.mp4"))
