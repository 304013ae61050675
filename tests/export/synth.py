"""Synthetic inputs that make render mistakes visible: each scene's clip one solid colour,
the narration silent but for a beep at every scene start, and probes that read frames and
sound back from the rendered file with the same ffmpeg."""

from __future__ import annotations

import json
import re
import subprocess
from fractions import Fraction
from pathlib import Path

import imageio_ffmpeg
import numpy as np

from storyclip_desktop.domain.render_plan import (
    FPS,
    Cue,
    PlannedNarration,
    PlannedScene,
    RenderPlan,
)

FF = imageio_ffmpeg.get_ffmpeg_exe()
COLOURS = [(220, 40, 40), (40, 200, 60), (40, 70, 230), (230, 200, 30), (200, 40, 200), (30, 200, 210)]
SIZES = {"480p": (480, 854), "720p": (720, 1280), "1080p": (1080, 1920)}


def ff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([FF, "-hide_banner", "-nostdin", "-y", *args], capture_output=True, text=True, check=True)


def solid_clip(path: Path, rgb: tuple[int, int, int], seconds: float, size: str = "480x854", rate: int = 24) -> Path:
    """A clip at another rate and size than the export, so fps and scale are exercised."""
    colour = "0x{:02x}{:02x}{:02x}".format(*rgb)
    ff("-f", "lavfi", "-i", f"color=c={colour}:s={size}:r={rate}:d={seconds}",
       "-c:v", "libx264", "-pix_fmt", "yuv420p", "-preset", "ultrafast", str(path))
    return path


def solid_image(path: Path, rgb: tuple[int, int, int], size: tuple[int, int] = (600, 1000)) -> Path:
    from PIL import Image

    Image.new("RGB", size, rgb).save(path)
    return path


BEEP_HZ = [1000, 1500, 2000, 2500, 3000, 3500]  # scene i's beep, so a beep says whose voice it is


def beep_narration(path: Path, starts_s: list[float], total_s: float, *, beep_s: float = 0.08,
                   rate: int = 48000, freqs: list[int] | None = None) -> Path:
    """A quiet hum with a loud beep at each start (1 kHz, or freqs[k] for the k-th), so
    loudnorm has real work to do."""
    import wave

    t = np.arange(int(round(total_s * rate))) / rate
    y = 0.02 * np.sin(2 * np.pi * 220 * t)
    for k, s in enumerate(starts_s):
        on = (t >= s) & (t < s + beep_s)
        y[on] += 0.5 * np.sin(2 * np.pi * (freqs[k] if freqs else 1000) * t[on])
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes((np.clip(y, -1, 1) * 32767).astype("<i2").tobytes())
    return path


def make_plan(tmp: Path, spans: list[int], *, resolution: str = "480p", clip_frames: list[int] | None = None,
              fits: list[str] | None = None, sources: list[str] | None = None,
              cues: list[list[tuple[int, int, tuple[str, ...]]]] | None = None, narration: bool = True,
              clip_paths: list[Path | None] | None = None, narrated: list[bool] | None = None,
              order: list[int] | None = None) -> RenderPlan:
    """Scenes of `spans` frames; scene i (S{i+1}) has clip COLOURS[i] lasting clip_frames[i]
    frames (its span by default). The narration was made from the narrated scenes in index
    order (each one's span follows the last, a BEEP_HZ[i] beep at its start); `order` is
    the timeline order of the scene indices now (a reorder after the narration was made)."""
    w, h = SIZES[resolution]
    narrated = narrated or [True] * len(spans)
    file_spans: dict[int, tuple[Fraction, Fraction]] = {}
    cursor = Fraction(0)
    for i, frames in enumerate(spans):
        if narration and narrated[i]:
            file_spans[i] = (cursor, cursor + Fraction(frames, FPS))
            cursor += Fraction(frames, FPS)
    scenes = []
    start = 0
    for pos, i in enumerate(order or range(len(spans))):
        frames = spans[i]
        src = (sources or ["clip"] * len(spans))[i]
        cf = (clip_frames or spans)[i]
        fit = (fits or [None] * len(spans))[i] or ("trim" if cf > frames else "hold")
        path: Path | None = None
        if clip_paths and clip_paths[i] is not None:
            path = clip_paths[i]
        elif src == "clip":
            path = solid_clip(tmp / f"clip{i}.mp4", COLOURS[i % len(COLOURS)], cf / FPS, rate=FPS)
        elif src == "image":
            path = solid_image(tmp / f"img{i}.png", COLOURS[i % len(COLOURS)])
        scene_cues = tuple(Cue(start + a, start + b, lines) for a, b, lines in (cues[i] if cues else []))
        scenes.append(PlannedScene(
            scene_pk=i + 1, scene_id=f"S{i + 1}", index=pos, start_frame=start, frames=frames, source=src,
            source_path=str(path) if path else None, source_asset_id=None, source_version=None,
            source_frames=cf if src == "clip" else None, fit=fit if src == "clip" else "still",
            speed=Fraction(4, 5) if fit == "slow" else Fraction(1), narration_text="",
            title=f"장면 {i + 1} Title", cues=scene_cues, narration_span=file_spans.get(i),
        ))
        start += frames
    narr = None
    if file_spans:
        beeps = sorted(file_spans)
        p = beep_narration(tmp / "narration.wav", [float(file_spans[i][0]) for i in beeps], float(cursor),
                           freqs=[BEEP_HZ[i % len(BEEP_HZ)] for i in beeps])
        narr = PlannedNarration(path=str(p), version=1, asset_id=1, frames=int(-(-cursor * FPS // 1)))
    return RenderPlan(project_id=1, title="t", ratio="9:16", resolution=resolution, width=w, height=h,
                      scenes=tuple(scenes), narration=narr, stale=None, total_frames=start)


# ---- reading the result back ---------------------------------------------------------

def video_frames(path: Path) -> int:
    """Frames in the video stream, counted by decoding (not the container's duration)."""
    err = subprocess.run([FF, "-hide_banner", "-nostdin", "-i", str(path), "-map", "0:v:0", "-c", "copy",
                          "-f", "null", "-"], capture_output=True, text=True).stderr
    return int(re.findall(r"frame=\s*(\d+)", err)[-1])


def frame_colours(path: Path, width: int = 16, height: int = 28) -> np.ndarray:
    """Every frame, tiny, as RGB: shape (frames, height, width, 3)."""
    raw = subprocess.run([FF, "-hide_banner", "-nostdin", "-i", str(path), "-map", "0:v:0",
                          "-vf", f"scale={width}:{height}", "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
                         capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.uint8).reshape(-1, height, width, 3)


def scene_of(rgb: np.ndarray) -> int:
    """Which scene's colour this is (the index into COLOURS)."""
    d = [np.abs(rgb.astype(int) - np.array(c)).sum() for c in COLOURS]
    return int(np.argmin(d))


def colour_changes(path: Path) -> tuple[list[int], list[int]]:
    """(the scene shown in every frame, the frames where it changes)."""
    frames = frame_colours(path)
    # The centre of each frame (subtitles sit low, so the middle is the clip's own colour).
    ids = [scene_of(f[10:14, 6:10].reshape(-1, 3).mean(0)) for f in frames]
    changes = [i for i in range(1, len(ids)) if ids[i] != ids[i - 1]]
    return ids, changes


def beep_onsets(path: Path, rate: int = 48000) -> list[float]:
    """Seconds where a beep starts (louder than half the loudest sample, 0.3 s apart)."""
    y = np.abs(audio_samples(path, rate))
    loud = y > 0.5 * y.max()
    onsets, last = [], -1.0
    for i in np.flatnonzero(loud):
        t = i / rate
        if t - last > 0.3:
            onsets.append(t)
        last = t
    return onsets


def beep_hz(path: Path, at_s: float, rate: int = 48000, length_s: float = 0.06) -> float:
    """The loudest frequency just after `at_s`: which scene's beep it is."""
    y = audio_samples(path, rate)
    seg = y[int(at_s * rate): int((at_s + length_s) * rate)]
    spectrum = np.abs(np.fft.rfft(seg * np.hanning(len(seg))))
    return float(np.fft.rfftfreq(len(seg), 1 / rate)[int(np.argmax(spectrum))])


def frame_png(path: Path, t: float, dest: Path) -> Path:
    ff("-ss", f"{t:.4f}", "-i", str(path), "-frames:v", "1", str(dest))
    return dest


def frame_rgb(path: Path, t: float) -> np.ndarray:
    raw = subprocess.run([FF, "-hide_banner", "-nostdin", "-ss", f"{t:.4f}", "-i", str(path), "-frames:v", "1",
                          "-f", "rawvideo", "-pix_fmt", "rgb24", "-"], capture_output=True, check=True).stdout
    return raw


def audio_samples(path: Path, rate: int = 48000) -> np.ndarray:
    raw = subprocess.run([FF, "-hide_banner", "-nostdin", "-i", str(path), "-map", "0:a:0", "-ac", "1",
                          "-ar", str(rate), "-f", "f32le", "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, np.float32)


def ebur128(path: Path) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) as ffmpeg's ebur128 filter measures the output."""
    err = subprocess.run([FF, "-hide_banner", "-nostdin", "-i", str(path), "-map", "0:a:0",
                          "-af", "ebur128=peak=true", "-f", "null", "-"], capture_output=True, text=True).stderr
    summary = err[err.rfind("Summary:"):]
    i = float(re.search(r"I:\s*(-?[\d.]+|-inf) LUFS", summary).group(1))
    tp = float(re.search(r"Peak:\s*(-?[\d.]+|-inf) dBFS", summary).group(1))
    return i, tp


def stream_info(path: Path) -> str:
    return subprocess.run([FF, "-hide_banner", "-nostdin", "-i", str(path)], capture_output=True, text=True).stderr


def dumps(plan: RenderPlan) -> str:
    return json.dumps(plan.to_json())
