"""The Local preview speaks scene by scene, so its scene boundaries are exact."""

from __future__ import annotations

import asyncio
import io
import shutil
import wave

import pytest

from storyclip_desktop.domain.timing import Alignment, map_scenes
from storyclip_desktop.providers.base import NarrationRequest
from storyclip_desktop.providers.local import LocalNarrationProvider, estimate_seconds, join_wavs


def wav(seconds: float, rate: int) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\x10\x00" * round(seconds * rate))
    return buf.getvalue()


def test_join_wavs_keeps_each_pieces_length_across_rates():
    audio, seconds = join_wavs([wav(1.0, 22050), wav(0.5, 44100), wav(0.25, 22050)])
    assert seconds == pytest.approx([1.0, 0.5, 0.25], abs=1 / 22050)
    with wave.open(io.BytesIO(audio)) as w:
        assert w.getframerate() == 22050
        assert w.getnframes() / 22050 == pytest.approx(1.75, abs=2 / 22050)


def test_scene_by_scene_without_espeak_uses_each_estimate(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda *a, **k: None)
    scenes = ("첫 장면입니다.", "Second scene, a little longer than the first.", "끝")
    req = NarrationRequest(text=" ".join(scenes), voice="Bin", stability=0.5, segments=scenes)
    result = asyncio.run(LocalNarrationProvider().narrate(req))
    expected = [estimate_seconds(t) for t in scenes]
    assert result.duration_s == pytest.approx(sum(expected), abs=1e-3)
    assert "".join(result.alignment["characters"]) == req.text
    spans = map_scenes(list(scenes), Alignment.from_json(result.alignment), result.duration_s)
    assert [s.start for s in spans] == pytest.approx([0, expected[0], expected[0] + expected[1]], abs=1e-4)
