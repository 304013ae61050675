from __future__ import annotations

import asyncio
import hashlib
import os

import pytest

from storyclip_desktop.media.library import MediaLibrary, default_media_root


def _no_temp_left(lib: MediaLibrary) -> bool:
    return not any(lib.tmp_dir.iterdir())


def test_store_bytes_is_content_addressed_and_deduped(tmp_path):
    lib = MediaLibrary(tmp_path / "media")
    data = b"hello clip" * 1000
    sha = hashlib.sha256(data).hexdigest()
    first = lib.store_bytes(data, ".mp4")
    assert first == tmp_path / "media" / sha[:2] / sha[2:4] / f"{sha}.mp4"
    assert first.read_bytes() == data
    assert lib.store_bytes(data, "mp4") == first
    files = [p for p in lib.root.rglob("*") if p.is_file()]
    assert files == [first]
    assert _no_temp_left(lib)


def test_store_file_moves_a_temp_file_in(tmp_path):
    lib = MediaLibrary(tmp_path / "media")
    tmp = lib.temp_path(".png")
    assert tmp.parent == lib.tmp_dir
    tmp.write_bytes(b"png bytes")
    stored = lib.store_file(tmp, ".png")
    assert not tmp.exists()
    assert stored.read_bytes() == b"png bytes"
    # the same content again: the second temp file is dropped, the path is the same
    tmp2 = lib.temp_path(".png")
    tmp2.write_bytes(b"png bytes")
    assert lib.store_file(tmp2, ".png") == stored
    assert _no_temp_left(lib)


def test_store_file_from_outside_the_library(tmp_path):
    lib = MediaLibrary(tmp_path / "media")
    outside = tmp_path / "download.wav"
    outside.write_bytes(b"RIFF....")
    stored = lib.store_file(outside, ".wav")
    assert stored.read_bytes() == b"RIFF...."
    assert not outside.exists()
    assert _no_temp_left(lib)


def test_store_stream(tmp_path):
    lib = MediaLibrary(tmp_path / "media")

    async def chunks():
        for i in range(5):
            yield bytes([i]) * 10_000

    stored = asyncio.run(lib.store_stream(chunks(), ".mp4"))
    expected = b"".join(bytes([i]) * 10_000 for i in range(5))
    assert stored.read_bytes() == expected
    assert stored.stem == hashlib.sha256(expected).hexdigest()
    assert _no_temp_left(lib)


def test_failed_stream_leaves_nothing(tmp_path):
    lib = MediaLibrary(tmp_path / "media")

    async def broken():
        yield b"partial"
        raise ConnectionError("network dropped")

    with pytest.raises(ConnectionError):
        asyncio.run(lib.store_stream(broken(), ".mp4"))
    assert _no_temp_left(lib)
    assert [p for p in lib.root.rglob("*") if p.is_file()] == []


def test_truncated_copy_is_replaced(tmp_path):
    lib = MediaLibrary(tmp_path / "media")
    data = b"x" * 5000
    dest = lib.store_bytes(data, ".bin")
    dest.write_bytes(data[:100])  # as if a crash cut it short
    assert lib.store_bytes(data, ".bin") == dest
    assert dest.read_bytes() == data


def test_suffix_cannot_escape(tmp_path):
    lib = MediaLibrary(tmp_path / "media")
    with pytest.raises(ValueError):
        lib.store_bytes(b"x", "/../../evil")


def test_sweep_removes_stale_temp_files(tmp_path):
    lib = MediaLibrary(tmp_path / "media")
    stale = lib.temp_path(".mp4")
    os.utime(stale, (1, 1))
    fresh = lib.temp_path(".mp4")
    assert lib.sweep_temp() == 1
    assert not stale.exists() and fresh.exists()


def test_default_root_env_override(monkeypatch, tmp_path):
    monkeypatch.setenv("STORYCLIP_MEDIA_DIR", str(tmp_path / "elsewhere"))
    assert default_media_root() == tmp_path / "elsewhere"
    monkeypatch.delenv("STORYCLIP_MEDIA_DIR")
    root = default_media_root()
    assert root.name == "media" and root.parent.name == "StoryClip"
