"""Local preview narration: espeak-ng when installed, else silence of the estimated
length, with evenly spread timing for subtitles."""

from __future__ import annotations

import array
import asyncio
import contextlib
import io
import logging
import re
import shutil
import tempfile
import wave
from pathlib import Path

from ...domain.timing import Alignment
from ..base import NarrationRequest, NarrationResult
from .common import MODEL, NAME

log = logging.getLogger(__name__)


KO_CHARS_PER_S = 7.0
EN_CHARS_PER_S = 15.0
SAMPLE_RATE = 22050  # espeak-ng's own rate, so both paths sound and size alike
_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
_LATIN = re.compile(r"[A-Za-z]")
# voice -> (espeak variant, pitch 0-99, words per minute): two clearly different speakers
_VOICES = {"Bin": ("m3", 38, 160), "Otani": ("m1", 62, 175)}
_DEFAULT_VOICE = ("", 50, 170)


def speech_language(text: str, language: str = "ko") -> str:
    """Espeak language, ko or en: the text's script decides; the project language breaks ties."""
    if _HANGUL.search(text):
        return "ko"
    if _LATIN.search(text):
        return "en"
    return "ko" if language.startswith("ko") else "en"


def estimate_seconds(text: str, language: str = "ko") -> float:
    """Reading time at a calm narration pace, at least one second."""
    rate = KO_CHARS_PER_S if speech_language(text, language) == "ko" else EN_CHARS_PER_S
    return max(1.0, len(text.strip()) / rate)


def silent_wav(seconds: float) -> bytes:
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(SAMPLE_RATE)
        w.writeframes(b"\0\0" * round(seconds * SAMPLE_RATE))
    return buf.getvalue()


def wav_seconds(data: bytes) -> float:
    with wave.open(io.BytesIO(data), "rb") as w:
        return w.getnframes() / w.getframerate()


def even_alignment(text: str, duration: float) -> dict:
    """ElevenLabs-shaped timing with every character given the same share of the clip."""
    chars = list(text)
    step = duration / len(chars) if chars else 0.0
    return {
        "characters": chars,
        "character_start_times_seconds": [round(i * step, 4) for i in range(len(chars))],
        "character_end_times_seconds": [round((i + 1) * step, 4) for i in range(len(chars))],
    }


def join_wavs(pieces: list[bytes]) -> tuple[bytes, list[float]]:
    """One WAV of the pieces back to back (converted to the first one's format when an
    espeak voice and the silence fallback differ), and each piece's exact seconds."""
    frames: list[bytes] = []
    seconds: list[float] = []
    params = None
    for data in pieces:
        with wave.open(io.BytesIO(data), "rb") as w:
            p = (w.getnchannels(), w.getsampwidth(), w.getframerate())
            raw = w.readframes(w.getnframes())
        if params is None:
            params = p
        elif p != params:
            raw = _convert_pcm(raw, p, params)
        frames.append(raw)
        seconds.append(len(raw) / (params[0] * params[1]) / params[2])
    params = params or (1, 2, SAMPLE_RATE)
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(params[0])
        w.setsampwidth(params[1])
        w.setframerate(params[2])
        w.writeframes(b"".join(frames))
    return buf.getvalue(), seconds


def _convert_pcm(raw: bytes, src: tuple[int, int, int], dst: tuple[int, int, int]) -> bytes:
    if src[1] != 2 or dst[1] != 2 or src[0] != 1 or dst[0] != 1:
        # Only mono 16-bit is ever made here; anything else becomes silence of its length.
        n = len(raw) // (src[0] * src[1])
        return b"\0" * (round(n * dst[2] / src[2]) * dst[0] * dst[1])
    samples = array.array("h", raw)
    n_out = round(len(samples) * dst[2] / src[2])
    out = array.array("h", (samples[min(len(samples) - 1, i * src[2] // dst[2])] for i in range(n_out)))
    return out.tobytes()


def joined_alignment(pieces: list[tuple[str, float]]) -> dict:
    """ElevenLabs-shaped timing of texts spoken one after another."""
    return Alignment.joined(pieces).to_json()


class LocalNarrationProvider:
    """espeak-ng when installed, else silence of the estimated length; stability is unused."""

    name = NAME
    model = MODEL

    def __init__(self, timeout_s: float = 120.0) -> None:
        self.timeout_s = timeout_s

    async def narrate(self, req: NarrationRequest) -> NarrationResult:
        if req.segments:
            return await self._narrate_scenes(req)
        text = req.text.strip()
        lang = speech_language(text, req.language)
        audio = None
        exe = shutil.which("espeak-ng")
        if exe and text:
            audio = await self._espeak(exe, text, lang, req.voice)
        if audio is None:
            audio = await asyncio.to_thread(silent_wav, estimate_seconds(text, req.language))
        duration = wav_seconds(audio)
        return NarrationResult(
            audio=audio,
            mime="audio/wav",
            alignment=even_alignment(text, duration),
            usage_chars=len(text),
            model=MODEL,
            duration_s=duration,
        )

    async def _speak(self, text: str, language: str, voice: str) -> bytes:
        """One text as a WAV: espeak-ng, else silence of the estimated length."""
        audio = None
        exe = shutil.which("espeak-ng")
        if exe and text:
            audio = await self._espeak(exe, text, speech_language(text, language), voice)
        if audio is None:
            audio = await asyncio.to_thread(silent_wav, estimate_seconds(text, language))
        return audio

    async def _narrate_scenes(self, req: NarrationRequest) -> NarrationResult:
        """Each scene spoken on its own and the WAVs joined, so every scene boundary in
        the timing is the real end of the previous scene's audio (exact spans)."""
        texts = [" ".join(t.split()) for t in req.segments]
        texts = [t for t in texts if t]
        pieces = [await self._speak(t, req.language, req.voice) for t in texts]
        audio, seconds = await asyncio.to_thread(join_wavs, pieces)
        text = " ".join(texts)
        return NarrationResult(
            audio=audio,
            mime="audio/wav",
            alignment=joined_alignment(list(zip(texts, seconds, strict=True))),
            usage_chars=len(text),
            model=MODEL,
            duration_s=sum(seconds),
        )

    async def _espeak(self, exe: str, text: str, lang: str, voice: str) -> bytes | None:
        variant, pitch, speed = _VOICES.get(voice, _DEFAULT_VOICE)
        with tempfile.TemporaryDirectory(prefix="storyclip-tts-") as tmp:
            out = Path(tmp) / "speech.wav"
            args = [
                exe, "-b", "1", "-v", f"{lang}+{variant}" if variant else lang,
                "-p", str(pitch), "-s", str(speed), "-w", str(out), "--stdin",
            ]  # fmt: skip
            proc = await asyncio.create_subprocess_exec(
                *args,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
            )
            try:
                await asyncio.wait_for(proc.communicate(text.encode()), self.timeout_s)
            except (TimeoutError, asyncio.CancelledError) as exc:
                with contextlib.suppress(ProcessLookupError):
                    proc.kill()
                await proc.wait()
                if isinstance(exc, asyncio.CancelledError):
                    raise
                log.warning("espeak-ng took longer than %.0f s; using silence", self.timeout_s)
                return None
            data = await asyncio.to_thread(out.read_bytes) if out.is_file() else b""
        if proc.returncode != 0 or len(data) <= 44:
            # A preview must not stop the pipeline: fall back to silence of the right length.
            log.warning("espeak-ng failed (exit %s); using silence", proc.returncode)
            return None
        try:
            wav_seconds(data)
        except (wave.Error, EOFError):
            log.warning("espeak-ng wrote an unreadable WAV; using silence")
            return None
        return data
