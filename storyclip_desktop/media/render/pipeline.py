"""A render plan -> an MP4: check, encode what the cache lacks (one ffmpeg per core), mix
and measure the sound meanwhile, join, and only then give the file its real name.

Whatever stops a render (an error, cancel, a full disk, the process killed) leaves no
file at the output path: the video is written as a hidden temporary beside it."""

from __future__ import annotations

import contextlib
import os
import secrets
import threading
import time
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from ...domain.render_plan import RenderPlan, VoicePiece, voice_pieces
from . import audio, ffmpeg, segments, subtitle_track
from .errors import RenderError
from .fonts import HangulFont, hangul_font
from .join import join
from .profile import Profile, export_profile

SUBTITLE_MODES = ("burn", "sidecar", "none")
PART_MARK = ".storyclip-part"


@dataclass(frozen=True)
class RenderSettings:
    subtitles: str = "burn"
    style: object | None = None  # the subtitle style (domain/subtitles); None: the default preset
    music: Path | None = None
    music_db: float = -16.0  # the music bed's level before ducking


@dataclass
class RenderResult:
    path: Path
    duration_s: float
    size_bytes: int
    encoded: list[str] = field(default_factory=list)  # scene ids whose segment was (re)made
    reused: list[str] = field(default_factory=list)
    sidecars: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    sound_reused: bool = False  # the mixed, normalised track came from the cache


def temp_output(out: Path, token: str | None = None) -> Path:
    """The hidden name a render writes to, in the output's own folder (so the rename is atomic)."""
    out = Path(out)
    return out.with_name(f".{out.name}{PART_MARK}-{token or secrets.token_hex(4)}")


def leftovers(out: Path) -> list[Path]:
    """Temporaries an interrupted render of `out` left behind."""
    out = Path(out)
    if not out.parent.is_dir():
        return []
    return sorted(out.parent.glob(f".{_glob_safe(out.name)}{PART_MARK}-*"))


def _glob_safe(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[]" else c for c in name)


def check_output(out: Path) -> None:
    out = Path(out)
    folder = out.parent
    if not folder.is_dir():
        raise RenderError(f"the output folder does not exist ({folder})")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise RenderError(f"the output folder is not writable ({folder})")
    if out.is_dir():
        raise RenderError(f"the output path is a folder ({out})")


def check_plan(plan: RenderPlan, settings: RenderSettings) -> None:
    if not plan.scenes:
        raise RenderError(f"project {plan.project_id} has no scenes to export")
    if settings.subtitles not in SUBTITLE_MODES:
        raise RenderError(f"subtitles must be one of {', '.join(SUBTITLE_MODES)}")
    for scene in plan.scenes:
        segments.check_source(scene)
    if plan.narration is not None:
        audio.check_audio(Path(plan.narration.path), "narration")
    if settings.music is not None:
        audio.check_audio(Path(settings.music), "music")


class Progress:
    """Folds the steps into one fraction: encoding by frames, then sound, then the join."""

    def __init__(self, report: Callable[[float], None] | None, encode_frames: int, total_s: float) -> None:
        self.report = report
        self.encode_frames = encode_frames
        self.total_s = max(total_s, 0.001)
        self.w_encode = 0.85 if encode_frames else 0.0
        self.w_join = 1.0 - self.w_encode
        self._done: dict[str, int] = {}
        self._lock = threading.Lock()
        self._last = 0.0

    def frames(self, key: str, n: int) -> None:
        with self._lock:
            self._done[key] = n
            self._emit(self.w_encode * sum(self._done.values()) / max(1, self.encode_frames))

    def joined(self, seconds: float) -> None:
        self._emit(self.w_encode + self.w_join * min(1.0, seconds / self.total_s))

    def _emit(self, f: float) -> None:
        f = max(self._last, min(1.0, f))
        self._last = f
        if self.report is not None:
            self.report(f)


def render(
    plan: RenderPlan,
    out: Path,
    settings: RenderSettings,
    cache: segments.SegmentCache,
    *,
    profile: Profile | None = None,
    cancel: ffmpeg.Cancel | None = None,
    progress: Callable[[float], None] | None = None,
    temp: Path | None = None,
    workers: int | None = None,
) -> RenderResult:
    began = time.monotonic()
    out = Path(out)
    ffmpeg.check_capabilities()
    check_output(out)
    check_plan(plan, settings)
    burn = settings.subtitles == "burn" and bool(plan.cues)
    needs_font = burn or any(s.source == "card" for s in plan.scenes)
    font: HangulFont | None = hangul_font() if needs_font else None
    profile = profile or export_profile(plan.width, plan.height)
    cancel = cancel or ffmpeg.Cancel()
    cache.sweep()
    style = subtitle_track.style_or_default(settings.style)

    jobs = []
    for scene in plan.scenes:
        sha = cache.source_hash(scene.source_path) if scene.source_path else None
        key = segments.segment_key(scene, profile, source_sha=sha, style=style, font=font, burn=burn)
        ass = subtitle_track.segment_ass(scene, style, profile, font) if burn and scene.cues else None
        jobs.append(segments.SegmentJob(scene, key, cache.path(key), ass))
    todo = [j for j in jobs if not cache.has(j.key)]
    todo_keys = {j.key for j in todo}
    meter = Progress(progress, sum(j.scene.frames for j in todo), float(plan.total))

    temp = Path(temp) if temp is not None else temp_output(out)
    work = cache.work_dir()
    track = work / f"mix-{secrets.token_hex(6)}.wav"
    list_file = work / f"join-{secrets.token_hex(6)}.ffconcat"
    narration = Path(plan.narration.path) if plan.narration else None
    music = Path(settings.music) if settings.music else None
    pieces = voice_pieces(plan)
    sound = cache.root / "audio-{}.m4a".format(audio.track_key(
        narration, pieces, music, settings.music_db, plan.total_frames, profile.loudnorm, cache.source_hash))
    sound_reused = sound.is_file()
    try:
        _encode_and_mix(plan, pieces, settings, profile, cache, font, todo, track, sound, cancel, meter, workers)
        join([j.path for j in jobs], sound, plan.total, temp, list_file, cancel=cancel, on_seconds=meter.joined)
        sidecars = subtitle_track.write_sidecars(plan, out, style) if settings.subtitles == "sidecar" else []
        os.replace(temp, out)
    except OSError as e:
        raise ffmpeg.oserror_text(e, "writing the video") from None
    finally:
        temp.unlink(missing_ok=True)
        track.unlink(missing_ok=True)
        list_file.unlink(missing_ok=True)
    _fsync_dir(out.parent)
    meter.joined(float(plan.total))
    done = {j.key for j in todo}
    return RenderResult(
        path=out,
        duration_s=float(plan.total),
        size_bytes=out.stat().st_size,
        encoded=[j.scene.scene_id for j in jobs if j.key in todo_keys and j.key in done],
        reused=[j.scene.scene_id for j in jobs if j.key not in todo_keys],
        sidecars=sidecars,
        seconds=time.monotonic() - began,
        sound_reused=sound_reused,
    )


def preview_frame(plan: RenderPlan, settings: RenderSettings, cache: segments.SegmentCache, out_png: Path,
                  *, profile: Profile | None = None, scene_index: int | None = None) -> Path:
    """One frame as the export will look: the first scene with subtitles, at its first cue."""
    ffmpeg.check_capabilities()
    if not plan.scenes:
        raise RenderError(f"project {plan.project_id} has no scenes to export")
    burn = settings.subtitles == "burn"
    if scene_index is None:
        scene_index = next((i for i, s in enumerate(plan.scenes) if s.cues), 0) if burn else 0
    scene = plan.scenes[scene_index]
    segments.check_source(scene)
    font = hangul_font() if (burn and scene.cues) or scene.source == "card" else None
    profile = profile or export_profile(plan.width, plan.height)
    style = subtitle_track.style_or_default(settings.style)
    ass = subtitle_track.segment_ass(scene, style, profile, font) if burn and scene.cues else None
    job = segments.SegmentJob(scene, "preview", cache.path("preview"), ass)
    cues = segments.local_cues(scene) if ass else []
    at = min(scene.frames - 1, cues[0].start_frame + 3) if cues else scene.frames // 2
    return segments.still(job, profile, cache.work_dir(), font, at, Path(out_png))


def _encode_and_mix(plan: RenderPlan, pieces: tuple[VoicePiece, ...], settings: RenderSettings, profile: Profile, cache: segments.SegmentCache,
                    font: HangulFont | None, todo: list[segments.SegmentJob], track: Path, sound: Path,
                    cancel: ffmpeg.Cancel, meter: Progress, workers: int | None) -> None:
    cores = os.cpu_count() or 1
    n = max(1, min(workers or cores, max(1, len(todo))))
    # One ffmpeg per core; a lone re-encoded scene gets every core's x264 threads instead.
    threads = 1 if len(todo) >= cores else max(1, cores // max(1, len(todo)))
    narration = Path(plan.narration.path) if plan.narration else None
    music = Path(settings.music) if settings.music else None

    def make_sound() -> None:
        if sound.is_file():
            return  # the same voice, music and length as a render before: picture-only change
        audio.mix(narration, pieces, music, settings.music_db, plan.total_frames, track, cancel=cancel)
        level = audio.measure(track, cancel=cancel) if profile.loudnorm else None
        audio.encode(track, level, sound, cancel=cancel)

    with ThreadPoolExecutor(n + 1, thread_name_prefix="storyclip-render") as pool:
        futures: list[Future] = [pool.submit(make_sound)]
        for job in todo:
            futures.append(pool.submit(
                segments.encode, job, profile, cache, font, cancel=cancel,
                on_frames=lambda f, k=job.key: meter.frames(k, f), threads=threads,
            ))
        finished, _ = wait(futures, return_when=FIRST_EXCEPTION)
        failed = next((f for f in futures if f.done() and f.exception() is not None), None)
        if failed is not None:
            exc = failed.exception()
            if not cancel.is_set:
                cancel.set()  # stop the other encodes: one failure fails the export
            wait(futures)
            assert exc is not None
            raise exc


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
