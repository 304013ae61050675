from __future__ import annotations

import asyncio
import io
import shutil
import wave

import pytest

from storyclip_desktop.providers import local
from storyclip_desktop.providers.base import NarrationRequest
from storyclip_desktop.providers.local import LocalNarrationProvider, estimate_seconds

KO = "안녕하세요. 오늘은 바닷가 마을의 아침을 보여드리겠습니다."
EN = "Good morning. Today we walk through a small harbour town at dawn."


def _narrate(text: str, voice: str = "Bin", language: str = "ko"):
    req = NarrationRequest(text=text, voice=voice, stability=0.5, language=language)
    return asyncio.run(LocalNarrationProvider().narrate(req))


def _wav_seconds(data: bytes) -> float:
    with wave.open(io.BytesIO(data), "rb") as w:
        return w.getnframes() / w.getframerate()


def _check_alignment(result, text: str) -> None:
    a = result.alignment
    assert a["characters"] == list(text)
    starts, ends = a["character_start_times_seconds"], a["character_end_times_seconds"]
    assert len(starts) == len(ends) == len(text)
    assert starts[0] == 0
    assert ends[-1] == pytest.approx(result.duration_s, abs=1e-3)
    assert all(s < e for s, e in zip(starts, ends, strict=True))


@pytest.mark.parametrize(("text", "rate"), [(KO, 7.0), (EN, 15.0), ("네", 7.0)])
def test_silent_wav_matches_estimate_without_espeak(monkeypatch, text, rate):
    monkeypatch.setattr(shutil, "which", lambda *a, **k: None)
    result = _narrate(text)
    expected = max(1.0, len(text) / rate)
    assert estimate_seconds(text) == pytest.approx(expected)
    assert result.mime == "audio/wav"
    assert result.model == "local-preview"
    assert result.usage_chars == len(text)
    assert _wav_seconds(result.audio) == pytest.approx(expected, abs=0.01)
    assert result.duration_s == pytest.approx(expected, abs=0.01)
    _check_alignment(result, text)


needs_espeak = pytest.mark.skipif(
    shutil.which("espeak-ng") is None, reason="espeak-ng not installed"
)


@needs_espeak
@pytest.mark.parametrize("text", [KO, EN])
def test_espeak_speaks(text):
    result = _narrate(text)
    assert result.mime == "audio/wav"
    seconds = _wav_seconds(result.audio)
    assert seconds > 1.0
    assert result.duration_s == pytest.approx(seconds)
    with wave.open(io.BytesIO(result.audio), "rb") as w:
        frames = w.readframes(w.getnframes())
    assert frames.strip(b"\0"), "espeak produced only silence"
    _check_alignment(result, text)


@needs_espeak
def test_bin_and_otani_sound_different():
    assert _narrate(KO, "Bin").audio != _narrate(KO, "Otani").audio


def test_language_follows_the_text():
    assert local.speech_language(KO, "en") == "ko"
    assert local.speech_language(EN, "ko") == "en"
    assert local.speech_language("123", "ko") == "ko"


def test_espeak_failure_falls_back_to_silence(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda *a, **k: "/bin/false")
    result = _narrate(EN)
    assert result.duration_s == pytest.approx(estimate_seconds(EN), abs=0.01)
