"""The sound of the short: the narration, the editor's music ducked under it, mixed at
full level (`amix normalize=0`, then a limiter), and loudness measured for the second
`loudnorm` pass that the join applies while encoding AAC at 48 kHz.

Targets: -14 LUFS integrated, true peak at most -1.5 dBTP. loudnorm aims a little lower
(TARGET_TP) because AAC encoding adds a few tenths of a dB of overshoot."""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from ...domain.render_plan import FPS, VoicePiece
from . import ffmpeg
from .errors import RenderError

TARGET_I = -14.0
TARGET_TP = -2.0
TARGET_LRA = 20.0  # wide: speech over music should stay in loudnorm's linear mode
RATE = 48_000
SAMPLES_PER_FRAME = RATE // FPS  # 1600: every scene boundary falls on a whole sample
PREP = f"aresample={RATE},aformat=sample_fmts=fltp:channel_layouts=stereo"
_JSON = re.compile(r"\{[^{}]*\"input_i\"[^{}]*\}", re.S)


@dataclass(frozen=True)
class Loudness:
    input_i: float
    input_tp: float
    input_lra: float
    input_thresh: float
    target_offset: float

    @property
    def silent(self) -> bool:
        return not math.isfinite(self.input_i) or self.input_i < -70


def mix(narration: Path | None, pieces: Sequence[VoicePiece], music: Path | None, music_db: float,
        total_frames: int, out: Path, *, cancel: ffmpeg.Cancel | None = None) -> Path:
    """Write the mixed track (float WAV, 48 kHz stereo) exactly `total_frames` long: the
    voice laid out piece by piece (each narrated scene's span at its scene's start, silence
    under the rest), the music ducked under it."""
    total = total_frames * SAMPLES_PER_FRAME
    t = f"{total / RATE:.6f}"
    args = ["-i", str(narration)] if narration is not None else []
    graph = voice_graph(pieces if narration is not None else (), total)
    if music is not None:
        m = 1 if narration is not None else 0
        args += ["-stream_loop", "-1", "-i", str(music)]
        graph += (
            ",asplit=2[voice][key];"
            f"[{m}:a]{PREP},atrim=end_sample={total},volume={float(music_db):.2f}dB[bed];"
            # The voice keys a compressor on the music: the bed dips while someone speaks.
            "[bed][key]sidechaincompress=threshold=0.02:ratio=8:attack=15:release=350:makeup=1[ducked];"
            "[voice][ducked]amix=inputs=2:normalize=0:duration=first:dropout_transition=0,"
            "alimiter=limit=0.89:level=disabled[out]"
        )
    else:
        graph += ",alimiter=limit=0.89:level=disabled[out]"
    part, script = out.with_suffix(".part"), out.with_suffix(".graph")
    # Read from a file (`-/filter_complex`): a few hundred scenes' pieces would pass the
    # 32 KB command line Windows allows.
    script.write_text(graph, encoding="utf-8")
    args += ["-/filter_complex", str(script), "-map", "[out]", "-c:a", "pcm_f32le", "-ar", str(RATE),
             "-t", t, "-f", "wav", str(part)]
    try:
        ffmpeg.run(args, what="mixing the sound", cancel=cancel)
        os.replace(part, out)
    finally:
        part.unlink(missing_ok=True)
        script.unlink(missing_ok=True)
    return out


def voice_graph(pieces: Sequence[VoicePiece], total_samples: int) -> str:
    """The filtergraph of the voice track from numbers only (sample counts at 48 kHz):
    the narration (input 0) split once per narrated piece, each piece cut from its span,
    padded to exactly its scene's length, and all pieces joined in timeline order; silent
    pieces come from `anullsrc`. Ends on an open chain (no output label)."""
    narrated = [p for p in pieces if p.span is not None]
    parts: list[str] = []
    if narrated:
        split = f"asplit={len(narrated)}" + "".join(f"[n{i}]" for i in range(len(narrated)))
        parts.append(f"[0:a]{PREP},{split}")
    labels, k = [], 0
    for i, p in enumerate(pieces):
        n = p.frames * SAMPLES_PER_FRAME
        if p.span is None:
            parts.append(f"anullsrc=r={RATE}:cl=stereo,{PREP},atrim=end_sample={n}[p{i}]")
        else:
            a = _sample(p.span[0])
            b = min(max(a, _sample(p.span[1])), a + n)
            parts.append(f"[n{k}]atrim=start_sample={a}:end_sample={b},asetpts=PTS-STARTPTS,"
                         f"apad=whole_len={n},atrim=end_sample={n}[p{i}]")
            k += 1
        labels.append(f"[p{i}]")
    if not labels:
        return f"anullsrc=r={RATE}:cl=stereo,{PREP},atrim=end_sample={total_samples}"
    return ";".join(parts) + ";" + "".join(labels) + f"concat=n={len(labels)}:v=0:a=1,atrim=end_sample={total_samples}"


def _sample(seconds: Fraction) -> int:
    return int(Fraction(seconds) * RATE + Fraction(1, 2))


def measure(track: Path, *, cancel: ffmpeg.Cancel | None = None) -> Loudness:
    """loudnorm's first pass over the mixed track."""
    run = ffmpeg.run(
        ["-i", str(track), "-af", f"loudnorm=I={TARGET_I}:TP={TARGET_TP}:LRA={TARGET_LRA}:print_format=json",
         "-f", "null", "-"],
        what="measuring loudness", cancel=cancel,
    )
    m = _JSON.search(run.stderr)
    if m is None:
        raise RenderError("measuring loudness: ffmpeg gave no measurement")
    d = json.loads(m.group(0))
    return Loudness(*(float(d[k]) for k in ("input_i", "input_tp", "input_lra", "input_thresh", "target_offset")))


def normalise_filter(level: Loudness | None) -> str:
    """The second pass, for the join's audio encode (just a resample for silence or a proxy)."""
    if level is None or level.silent:
        return f"aresample={RATE}"
    return (
        f"loudnorm=I={TARGET_I}:TP={TARGET_TP}:LRA={TARGET_LRA}"
        f":measured_I={level.input_i:.2f}:measured_TP={level.input_tp:.2f}"
        f":measured_LRA={level.input_lra:.2f}:measured_thresh={level.input_thresh:.2f}"
        f":offset={level.target_offset:.2f}:linear=true,aresample={RATE}"
    )


def encode(track: Path, level: Loudness | None, out: Path, *, cancel: ffmpeg.Cancel | None = None) -> Path:
    """The second loudnorm pass and the AAC encode (48 kHz stereo), into `out` when whole."""
    part = out.with_name(out.name + f".{os.getpid()}.part")
    try:
        ffmpeg.run(["-i", str(track), "-af", normalise_filter(level), "-c:a", "aac", "-b:a", "192k",
                    "-ar", str(RATE), "-ac", "2", "-f", "mp4", str(part)], what="encoding the sound", cancel=cancel)
        os.replace(part, out)
    finally:
        part.unlink(missing_ok=True)
    return out


def track_key(narration: Path | None, pieces: Sequence[VoicePiece], music: Path | None, music_db: float,
              total_frames: int, loudnorm: bool, source_hash: object) -> str:
    """Everything that shapes the finished sound: the files, where each piece of the voice
    sits (spans, order, durations) and the level. A picture-only change (another clip of
    the same length) reuses it; a reorder or a new span makes it again."""
    import hashlib

    placement = [[p.start_frame, p.frames, [str(x) for x in p.span] if p.span else None]
                 for p in pieces] if narration else None
    shape = [3, source_hash(str(narration)) if narration else None, placement,
             source_hash(str(music)) if music else None, round(float(music_db), 2) if music else None,
             total_frames, loudnorm, TARGET_I, TARGET_TP]
    return hashlib.sha256(json.dumps(shape).encode()).hexdigest()[:40]


def check_audio(path: Path, what: str) -> None:
    """A narration or music file is there, readable and has sound, or RenderError saying which."""
    from ..probe import probe

    p = Path(path)
    if not p.is_file():
        raise RenderError(f"the {what} file is missing ({p.name})")
    if not os.access(p, os.R_OK):
        raise RenderError(f"the {what} file cannot be read ({p.name})")
    try:
        info = probe(p)
    except (OSError, ValueError):
        raise RenderError(f"the {what} file is damaged or not audio ({p.name})") from None
    if info.duration_s <= 0:
        raise RenderError(f"the {what} file has no sound ({p.name})")
