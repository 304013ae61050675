"""The finished-short render, timed against the alternatives in one run.

30 scenes of 5 s (clips 720x1280 at 24 fps with motion, as a provider delivers them), a
150 s narration and two burned subtitle cues a scene, rendered at 1080x1920:

  (a) StoryClip's first render (empty segment cache) vs the same composition in MoviePy 2
      (bench/moviepy_compose.py in bench/.venv-moviepy, created here with pip);
  (b) vs one single ffmpeg pass doing concat + subtitles + encode (+ one-pass loudnorm);
  (c) a re-export after one scene's clip changed vs a plain stream-copy join of the segments;
  (d) peak RSS of each, summed over the process tree (sampled from /proc every 20 ms).

    .venv/bin/python bench/render_bench.py [--scenes 30] [--seconds 5] [--size 1080x1920] [--no-moviepy]
        [--work DIR] [--keep-cache] [--steps ours,copy-join,ours-one-changed,single-pass,moviepy]

--keep-cache keeps the segment cache of an earlier run in --work (then "ours" is a warm
render, reported as such, not a first render); --steps runs only the named contenders, e.g.
`--keep-cache --steps ours,copy-join,ours-one-changed` for (c) alone. The re-export's
changed segment is always removed from the cache first, so every run re-encodes one scene.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import wave
from fractions import Fraction
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from storyclip_desktop.domain.render_plan import (  # noqa: E402
    FPS,
    Cue,
    PlannedNarration,
    PlannedScene,
    RenderPlan,
)
from storyclip_desktop.domain.subtitle_style import DEFAULT_STYLE, metrics  # noqa: E402
from storyclip_desktop.media.render import ffmpeg  # noqa: E402
from storyclip_desktop.media.render.escape import filter_value  # noqa: E402
from storyclip_desktop.media.render.fonts import hangul_font, private_folder  # noqa: E402
from storyclip_desktop.media.render.profile import export_profile  # noqa: E402
from storyclip_desktop.media.subtitle_files import ass_text  # noqa: E402

MOVIEPY_VENV = ROOT / "bench" / ".venv-moviepy"
LINES = [("오늘은 호랑이 이야기를", "들려줄게요."), ("The tiger walked", "into the village."),
         ("할머니는 떡을 들고", "고개를 넘었어요."), ("Nobody expected", "what came next.")]


# ---- inputs ----------------------------------------------------------------------------

def make_inputs(work: Path, scenes: int, seconds: int, size: tuple[int, int]) -> RenderPlan:
    ff = ffmpeg.ffmpeg_exe()
    clips = []
    for i in range(scenes + 1):  # one spare: the changed clip of (c)
        p = work / f"clip{i:02d}.mp4"
        if not p.exists():
            subprocess.run([ff, "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                            f"testsrc2=s=720x1280:r=24:d={seconds}", "-vf", f"hue=h={i * 37 % 360}",
                            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(p)], check=True)
        clips.append(p)
    total_s = scenes * seconds
    narr = work / "narration.wav"
    if not narr.exists():
        rate = 48000
        t = np.arange(total_s * rate) / rate
        # Syllable-rate bursts of a voiced buzz: loud and quiet like speech, not a steady tone.
        env = (0.5 + 0.5 * np.sin(2 * np.pi * 4.3 * t)) * (0.6 + 0.4 * np.sin(2 * np.pi * 0.21 * t))
        y = 0.25 * env * (np.sin(2 * np.pi * 180 * t) + 0.5 * np.sin(2 * np.pi * 360 * t))
        with wave.open(str(narr), "wb") as f:
            f.setnchannels(1)
            f.setsampwidth(2)
            f.setframerate(rate)
            f.writeframes((np.clip(y, -1, 1) * 32767).astype("<i2").tobytes())
    frames = seconds * FPS
    planned = []
    for i in range(scenes):
        start = i * frames
        half = frames // 2
        cues = (Cue(start + 3, start + half - 3, LINES[i % 4]), Cue(start + half, start + frames - 3, LINES[(i + 1) % 4]))
        planned.append(PlannedScene(
            scene_pk=i + 1, scene_id=f"S{i + 1}", index=i, start_frame=start, frames=frames, source="clip",
            source_path=str(clips[i]), source_asset_id=None, source_version=None, source_frames=frames,
            fit="hold", speed=Fraction(1), narration_text="", title="", cues=cues,
            narration_span=(Fraction(start, FPS), Fraction(start + frames, FPS)),
        ))
    w, h = size
    return RenderPlan(project_id=1, title="bench", ratio="9:16", resolution="1080p", width=w, height=h,
                      scenes=tuple(planned), narration=PlannedNarration(str(narr), 1, 1, total_s * FPS),
                      stale=None, total_frames=scenes * frames)


def write_spec(plan: RenderPlan, path: Path) -> Path:
    font = hangul_font()
    m = metrics(DEFAULT_STYLE, plan.width, plan.height)
    spec = {
        "width": plan.width, "height": plan.height, "fps": FPS, "narration": plan.narration.path,
        "font": str(font.path), "font_size": m.font_size, "outline": m.outline, "margin_v": m.margin_v,
        "scenes": [{"path": s.source_path, "duration": float(s.duration),
                    "cues": [{"start": float(c.start - s.start), "end": float(c.end - s.start), "text": c.text}
                             for c in s.cues]} for s in plan.scenes],
    }
    path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    return path


# ---- measuring -------------------------------------------------------------------------

def _tree_rss(pid: int) -> int:
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except (OSError, ValueError):
            continue
    return total


CPU: dict[str, float] = {}


def measure(cmd: list[str], cwd: Path | None = None) -> tuple[float, int]:
    """Wall seconds and peak RSS (the process and all its children) of one command; its
    CPU seconds (user + system, the whole tree) go to CPU under the command's last word."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=cwd)
    peak = [0]

    def sample() -> None:
        while proc.poll() is None:
            peak[0] = max(peak[0], _tree_rss(proc.pid))
            time.sleep(0.02)

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    _, err = proc.communicate()
    seconds = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU[Path(cmd[-1]).name] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    t.join()
    if proc.returncode != 0:
        raise SystemExit(f"{cmd[:3]}... failed:\n{err[-2000:]}")
    return seconds, peak[0]


# ---- the steps (each run in its own process so RSS is its own) ------------------------

def step(name: str, work: Path) -> None:
    """One measured step; its own time (after imports and input checks) goes to time-NAME.json."""
    _step(name, work)


def _step(name: str, work: Path) -> None:
    from storyclip_desktop.media.render.join import copy_join
    from storyclip_desktop.media.render.pipeline import RenderSettings, render
    from storyclip_desktop.media.render.segments import SegmentCache

    args = json.loads((work / "args.json").read_text())
    plan = make_inputs(work, args["scenes"], args["seconds"], tuple(args["size"]))
    cache = SegmentCache(work / "cache")
    # Once per app session (cached), like the imports: a re-export in the window never pays
    # it again. Timed on its own in the report's notes (bench/README.md).
    ffmpeg.check_capabilities()
    t0 = time.perf_counter()
    if name == "ours":
        r = render(plan, work / "ours.mp4", RenderSettings(subtitles="burn"), cache)
        (work / "ours.json").write_text(json.dumps({"encoded": len(r.encoded), "reused": len(r.reused)}))
    elif name == "ours-one-changed":
        r = render(_one_changed(plan, work), work / "ours2.mp4", RenderSettings(subtitles="burn"), cache)
        (work / "ours2.json").write_text(json.dumps({"encoded": r.encoded, "reused": len(r.reused)}))
    elif name == "copy-join":
        order = json.loads((work / "order.json").read_text())
        copy_join([work / "cache" / n for n in order], work / "copy.mp4", work / "copy.ffconcat")
    elif name == "single-pass":
        single_pass(plan, work)
    else:
        raise SystemExit(f"unknown step {name}")
    (work / f"time-{name}.json").write_text(json.dumps(time.perf_counter() - t0))


_CHANGED = 6  # S7 in the 30-scene run


def _one_changed(plan: RenderPlan, work: Path) -> RenderPlan:
    """The plan with S7's clip replaced by the spare clip (same length, other hue)."""
    scenes = list(plan.scenes)
    k = min(_CHANGED, len(scenes) - 1)
    scenes[k] = PlannedScene(**{**scenes[k].__dict__, "source_path": str(work / f"clip{len(scenes):02d}.mp4")})
    return RenderPlan(**{**plan.__dict__, "scenes": tuple(scenes)})


def single_pass(plan: RenderPlan, work: Path) -> None:
    """One ffmpeg: every clip in, fit and scale per input, concat filter, subtitles, encode."""
    font = hangul_font()
    profile = export_profile(plan.width, plan.height)
    ass = work / "all.ass"
    ass.write_text(ass_text(plan.cues, DEFAULT_STYLE, width=plan.width, height=plan.height,
                            font_family=font.family), encoding="utf-8")
    w, h = plan.width, plan.height
    inputs, parts = [], []
    for i, s in enumerate(plan.scenes):
        inputs += ["-i", s.source_path]
        parts.append(f"[{i}:v]setpts=PTS-STARTPTS,fps={FPS},scale={w}:{h}:force_original_aspect_ratio=increase"
                     f":out_color_matrix=bt709:out_range=tv,crop={w}:{h},setsar=1,tpad=stop_mode=clone:stop=-1,"
                     f"trim=end_frame={s.frames}[v{i}]")
    n = len(plan.scenes)
    graph = ";".join(parts) + ";" + "".join(f"[v{i}]" for i in range(n)) + (
        f"concat=n={n}:v=1:a=0,subtitles=filename={filter_value(ass.name)}:fontsdir={filter_value(str(private_folder(font, work)))},"
        f"format=yuv420p[v];[{n}:a]aresample=48000,apad,atrim=end={float(plan.total)},"
        "loudnorm=I=-14:TP=-2:LRA=20,aresample=48000[a]"
    )
    subprocess.run([ffmpeg.ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *inputs,
                    "-i", plan.narration.path, "-filter_complex", graph, "-map", "[v]", "-map", "[a]",
                    *profile.video_args(), "-c:a", "aac", "-b:a", "192k", "-ar", "48000",
                    "-frames:v", str(plan.total_frames), "-movflags", "+faststart", str(work / "single.mp4")],
                   check=True, cwd=work)


def ensure_moviepy() -> Path:
    py = MOVIEPY_VENV / "bin" / "python"
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", str(MOVIEPY_VENV)], check=True)
    if subprocess.run([str(py), "-c", "import moviepy"], capture_output=True).returncode != 0:
        subprocess.run([str(py), "-m", "pip", "install", "-q", "moviepy==2.2.1"], check=True)
    return py


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenes", type=int, default=30)
    ap.add_argument("--seconds", type=int, default=5)
    ap.add_argument("--size", default="1080x1920")
    ap.add_argument("--no-moviepy", action="store_true")
    ap.add_argument("--work", type=Path)
    ap.add_argument("--step")
    ap.add_argument("--keep-cache", action="store_true")
    ap.add_argument("--steps", default="ours,copy-join,ours-one-changed,single-pass,moviepy")
    a = ap.parse_args()
    if a.step:
        return step(a.step, a.work)
    work = a.work or Path(tempfile.mkdtemp(prefix="storyclip-render-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    size = [int(x) for x in a.size.split("x")]
    (work / "args.json").write_text(json.dumps({"scenes": a.scenes, "seconds": a.seconds, "size": size}))
    plan = make_inputs(work, a.scenes, a.seconds, tuple(size))
    import shutil

    steps = set(a.steps.split(",")) - ({"moviepy"} if a.no_moviepy else set())
    if not a.keep_cache:
        shutil.rmtree(work / "cache", ignore_errors=True)  # the first render starts from nothing
    me = [sys.executable, str(Path(__file__).resolve()), "--work", str(work), "--step"]
    rows = {}
    print(f"inputs in {work}: {a.scenes} scenes x {a.seconds} s at {a.size}, cores={os.cpu_count()}", flush=True)
    if "ours" in steps:
        rows[OURS_WARM if a.keep_cache else OURS] = measure([*me, "ours"])
        print("ours", rows, flush=True)
    (work / "order.json").write_text(json.dumps(_segment_order(plan)))
    if "copy-join" in steps:
        rows[COPY] = measure([*me, "copy-join"])
    if "ours-one-changed" in steps:
        (work / "cache" / _segment_order(_one_changed(plan, work))[_CHANGED]).unlink(missing_ok=True)
        rows[AGAIN] = measure([*me, "ours-one-changed"])
    if "single-pass" in steps:
        rows[SINGLE] = measure([*me, "single-pass"])
    print(rows, flush=True)
    if "moviepy" in steps:
        py = ensure_moviepy()
        spec = write_spec(plan, work / "spec.json")
        rows[MOVIEPY] = measure(
            [str(py), str(ROOT / "bench" / "moviepy_compose.py"), str(spec), str(work / "moviepy.mp4")],
            cwd=work,  # MoviePy writes its temporary sound file into the current folder
        )
    report(rows, work)


def _segment_order(plan: RenderPlan) -> list[str]:
    from storyclip_desktop.media.render.segments import segment_key, source_hash
    from storyclip_desktop.media.render.subtitle_track import style_or_default

    profile, font, style = export_profile(plan.width, plan.height), hangul_font(), style_or_default(None)
    return [f"seg-{segment_key(s, profile, source_sha=source_hash(s.source_path), style=style, font=font, burn=True)}.mp4"
            for s in plan.scenes]


OURS = "StoryClip first render (empty cache)"
OURS_WARM = "StoryClip render again (kept cache, nothing changed)"
COPY = "plain stream-copy join of the 30 segments"
AGAIN = "StoryClip re-export, one scene's clip changed"
SINGLE = "single ffmpeg pass (concat + subtitles + encode)"
MOVIEPY = "MoviePy 2.2.1 (same composition)"
STEPS = {OURS: "ours", OURS_WARM: "ours", COPY: "copy-join", AGAIN: "ours-one-changed", SINGLE: "single-pass"}


def report(rows: dict[str, tuple[float, int]], work: Path) -> None:
    """Ratios use each step's own time (process start-up and imports excluded; MoviePy's
    is its whole process, which starts faster than it renders by far)."""
    inner = {k: json.loads((work / f"time-{v}.json").read_text()) for k, v in STEPS.items() if k in rows}
    print("\n| render | render s | process wall s | CPU s (tree) | peak RSS MB (tree) |\n|---|---:|---:|---:|---:|")
    keys = {**STEPS, MOVIEPY: "moviepy.mp4"}
    for name, (s, rss) in rows.items():
        own = inner.get(name, s)
        rows[name] = (own, rss)
        cpu = CPU.get(keys[name], float("nan"))
        print(f"| {name} | {own:.2f} | {s:.2f} | {cpu:.1f} | {rss / 1e6:.0f} |")
    t = {k: v[0] for k, v in rows.items()}
    if OURS in t and SINGLE in t:
        print(f"\n(b) single pass / ours = {t[SINGLE] / t[OURS]:.2f}x")
    if AGAIN in t and COPY in t:
        print(f"(c) re-export / copy join = {t[AGAIN] / t[COPY]:.2f}x")
        print(f"re-export encoded: {json.loads((work / 'ours2.json').read_text())['encoded']}")
    if OURS in t and MOVIEPY in t:
        print(f"(a) MoviePy / ours = {t[MOVIEPY] / t[OURS]:.2f}x")
    print(f"outputs in {work}")


if __name__ == "__main__":
    main()
