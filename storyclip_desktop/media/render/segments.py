"""One scene -> one cached H.264 segment, exactly `scene.frames` frames at 30 fps.

The cache key is a hash of everything that shapes the picture (the source file's bytes,
fit, speed, span, the scene's cues in local time and their style, the font, the profile),
so a re-export re-encodes only the scenes that changed, and moving a scene in the
timeline re-encodes nothing. A segment is written under `.part` and renamed when whole.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, is_dataclass
from pathlib import Path

from ...domain.render_plan import Cue, PlannedScene
from ..library import sha256_file
from . import ffmpeg
from .card import write_card
from .errors import RenderCancelled, RenderError
from .escape import filter_value
from .fonts import HangulFont, private_folder
from .profile import FPS, Profile

RECIPE = 3  # bump when the encoding recipe changes: every old segment is then stale
_SHA = re.compile(r"^[0-9a-f]{64}$")
HASHES = "source-hashes.json"
MAX_HASHES = 2000
MOVE = 1.08  # a still image is scaled this much larger and panned slowly across


@dataclass(frozen=True)
class SegmentJob:
    scene: PlannedScene
    key: str
    path: Path       # where the finished segment lives in the cache
    ass: str | None  # the scene's subtitles (local time), or None when nothing is burned


def source_hash(path: str) -> str:
    """Library files are named by their sha256 already; anything else is hashed."""
    p = Path(path)
    return p.stem if _SHA.match(p.stem) else sha256_file(p)


def local_cues(scene: PlannedScene) -> list[Cue]:
    """The scene's cues moved to the segment's own clock, clipped to its span."""
    out = []
    for c in scene.cues:
        start = max(0, c.start_frame - scene.start_frame)
        end = min(scene.frames, c.end_frame - scene.start_frame)
        if end > start:
            out.append(Cue(start, end, tuple(c.lines)))
    return out


def segment_key(scene: PlannedScene, profile: Profile, *, source_sha: str | None, style: object,
                font: HangulFont | None, burn: bool) -> str:
    cues = [[c.start_frame, c.end_frame, list(c.lines)] for c in local_cues(scene)] if burn else []
    shape = {
        "recipe": RECIPE,
        "source": scene.source, "sha": source_sha, "fit": scene.fit, "speed": str(scene.speed),
        "frames": scene.frames, "source_frames": scene.source_frames,
        "title": scene.title if scene.source == "card" else None,
        "cues": cues,
        "style": _plain(style) if cues else None,
        "font": [str(font.path), font.family] if font and (cues or scene.source == "card") else None,
        "profile": asdict(profile) | {"loudnorm": None},
    }
    blob = json.dumps(shape, sort_keys=True, ensure_ascii=False, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:40]


def _plain(style: object) -> object:
    return asdict(style) if is_dataclass(style) and not isinstance(style, type) else repr(style)


class SegmentCache:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._hashes: dict[str, str] | None = None

    def source_hash(self, path: str) -> str:
        """source_hash(), remembered across exports for a file outside the library (the
        music, a test's clip): reading a 30-clip short's files again costs a few tenths of
        a second on every re-export. Remembered by the file's exact state (size, change
        and modification times to the nanosecond, inode), so any rewrite is hashed anew."""
        p = Path(path)
        if _SHA.match(p.stem):
            return p.stem
        st = p.stat()
        state = f"{p.resolve()}|{st.st_size}|{st.st_mtime_ns}|{st.st_ctime_ns}|{st.st_ino}"
        memo = self._memo()
        if state not in memo:
            memo[state] = sha256_file(p)
            self._save_memo()
        return memo[state]

    def _memo(self) -> dict[str, str]:
        if self._hashes is None:
            try:
                data = json.loads((self.root / HASHES).read_text(encoding="utf-8"))
                self._hashes = {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}
            except (OSError, ValueError):
                self._hashes = {}
        return self._hashes

    def _save_memo(self) -> None:
        memo = self._memo()
        for old in list(memo)[:-MAX_HASHES]:  # the oldest first (insertion order)
            del memo[old]
        part = self.root / f"{HASHES}.{os.getpid()}-{secrets.token_hex(3)}.part"
        with contextlib.suppress(OSError):  # a memo not written is only hashed again
            part.write_text(json.dumps(memo), encoding="utf-8")
            os.replace(part, self.root / HASHES)
        part.unlink(missing_ok=True)

    def path(self, key: str) -> Path:
        return self.root / f"seg-{key}.mp4"

    def has(self, key: str) -> bool:
        p = self.path(key)
        return p.is_file() and p.stat().st_size > 0

    def sweep(self, older_than_s: float = 3600.0) -> None:
        """Remove temporaries that crashed runs left (never a finished segment)."""
        cutoff = time.time() - older_than_s
        for p in [*self.root.glob("*.part"), *self.work_dir().iterdir()]:
            with contextlib.suppress(OSError):
                if p.stat().st_mtime < cutoff:
                    p.unlink()

    def work_dir(self) -> Path:
        d = self.root / "work"
        d.mkdir(parents=True, exist_ok=True)
        return d


def encode(job: SegmentJob, profile: Profile, cache: SegmentCache, font: HangulFont | None, *,
           cancel: ffmpeg.Cancel | None, on_frames: Callable[[int], None] | None = None,
           threads: int = 0) -> Path:
    """Encode one scene into the cache; returns the segment's path."""
    scene, work = job.scene, cache.work_dir()
    # A private temporary name: an ffmpeg orphaned by a crashed run may still be writing its own.
    part = cache.root / f"seg-{job.key}.{os.getpid()}-{secrets.token_hex(3)}.part"
    tag = f"{job.key}-{os.getpid()}-{secrets.token_hex(3)}"
    ass, card = work / f"sub-{tag}.ass", work / f"card-{tag}.png"
    try:
        inputs, chain = _graph(job, profile, font, card, ass)
        # A lone encode (a one-scene re-export) gets the cores for its filters too (the
        # scaling and the subtitles, sliced; the same pixels); parallel encodes get one each.
        args = [*inputs, "-filter_threads", str(max(1, threads)), "-vf", ",".join(chain), "-an",
                *profile.video_args(), "-threads", str(threads), "-frames:v", str(scene.frames),
                "-f", "mp4", str(part)]
        report = (lambda s: on_frames(min(scene.frames, int(s * FPS)))) if on_frames else None
        try:
            ffmpeg.run(args, what=f"{scene.scene_id}", cancel=cancel, on_seconds=report, cwd=work)
        except RenderError as e:
            if isinstance(e, (RenderCancelled, ffmpeg.DiskFull)):
                raise
            raise RenderError(_source_problem(scene) or f"{scene.scene_id}: the segment failed: {e.message}") from None
        os.replace(part, job.path)
        return job.path
    finally:
        part.unlink(missing_ok=True)
        ass.unlink(missing_ok=True)
        card.unlink(missing_ok=True)


def _graph(job: SegmentJob, profile: Profile, font: HangulFont | None, card: Path, ass: Path) -> tuple[list[str], list[str]]:
    """The ffmpeg inputs and the one filter chain that make the scene's picture."""
    inputs, chain = _source(job.scene, profile, font, card)
    if job.ass is not None:
        ass.write_text(job.ass, encoding="utf-8")
        sub = f"subtitles=filename={filter_value(ass.name)}"
        if font is not None:
            sub += f":fontsdir={filter_value(str(private_folder(font, ass.parent)))}"
        chain.append(sub)
    chain += ["format=yuv420p", "setparams=range=tv:color_primaries=bt709:color_trc=bt709:colorspace=bt709"]
    return inputs, chain


def still(job: SegmentJob, profile: Profile, work: Path, font: HangulFont | None, at_frame: int, out_png: Path) -> Path:
    """One frame of the scene as the export will draw it (the dialog's style preview)."""
    tag = secrets.token_hex(4)
    card, ass = work / f"card-{tag}.png", work / f"sub-{tag}.ass"
    try:
        inputs, chain = _graph(job, profile, font, card, ass)
        chain.append(f"trim=start_frame={max(0, min(at_frame, job.scene.frames - 1))}")
        ffmpeg.run([*inputs, "-vf", ",".join(chain), "-frames:v", "1", "-update", "1", str(out_png)],
                   what=f"{job.scene.scene_id}: the preview frame", cwd=work)
        return out_png
    finally:
        card.unlink(missing_ok=True)
        ass.unlink(missing_ok=True)


def _source(scene: PlannedScene, profile: Profile, font: HangulFont | None, card: Path) -> tuple[list[str], list[str]]:
    w, h = profile.width, profile.height
    cover = [f"scale={w}:{h}:force_original_aspect_ratio=increase:out_color_matrix=bt709:out_range=tv",
             f"crop={w}:{h}", "setsar=1"]
    if scene.source == "clip":
        assert scene.source_path
        inputs = (["-stream_loop", "-1"] if scene.fit == "loop" else []) + ["-i", scene.source_path]
        chain = ["setpts=PTS-STARTPTS"]
        if scene.fit == "slow" and scene.speed and scene.speed != 1:
            chain.append(f"setpts=PTS*{float(1 / scene.speed):.6f}")
        chain.append(f"fps={FPS}")
        chain += cover
        if scene.fit in ("hold", "slow"):
            chain.append("tpad=stop_mode=clone:stop=-1")
        chain.append(f"trim=end_frame={scene.frames}")
        return inputs, chain
    if scene.source == "image":
        assert scene.source_path
        bw, bh = _even(w * MOVE), _even(h * MOVE)
        n = max(1, scene.frames - 1)
        # A slow diagonal drift across the 8% margin: enough to feel alive, never a jump.
        chain = [f"scale={bw}:{bh}:force_original_aspect_ratio=increase:out_color_matrix=bt709:out_range=tv",
                 f"crop={bw}:{bh}", f"crop={w}:{h}:x=(iw-ow)*n/{n}:y=(ih-oh)*n/{n}", "setsar=1"]
        return ["-loop", "1", "-framerate", str(FPS), "-i", scene.source_path], chain
    if font is None:
        raise RenderError(f"{scene.scene_id}: a title card needs a font")
    write_card(card, scene.title or scene.scene_id, w, h, font)
    return ["-loop", "1", "-framerate", str(FPS), "-i", card.name], [*cover]


def _even(n: float) -> int:
    return max(2, int(round(n / 2)) * 2)


def _source_problem(scene: PlannedScene) -> str | None:
    """Why a scene's source cannot be used, in editor words, or None when it looks fine."""
    if scene.source == "card" or not scene.source_path:
        return None
    noun = "clip" if scene.source == "clip" else "image"
    p = Path(scene.source_path)
    if not p.is_file():
        return f"{scene.scene_id}: the {noun} file is missing ({p.name})"
    if not os.access(p, os.R_OK):
        return f"{scene.scene_id}: the {noun} file cannot be read ({p.name})"
    from ..probe import probe

    try:
        info = probe(p)
    except (OSError, ValueError):
        return f"{scene.scene_id}: the {noun} file is damaged or not a {noun} ({p.name})"
    if not info.width:
        return f"{scene.scene_id}: the {noun} file has no picture ({p.name})"
    return None


def check_source(scene: PlannedScene) -> None:
    """Before any encoding: the file is there and readable (cheap; decoding is checked by ffmpeg)."""
    if scene.source == "card" or not scene.source_path:
        return
    p = Path(scene.source_path)
    noun = "clip" if scene.source == "clip" else "image"
    if not p.is_file():
        raise RenderError(f"{scene.scene_id}: the {noun} file is missing ({p.name})")
    try:
        with open(p, "rb") as f:
            if not f.read(16):
                raise RenderError(f"{scene.scene_id}: the {noun} file is empty ({p.name})")
    except OSError:
        raise RenderError(f"{scene.scene_id}: the {noun} file cannot be read ({p.name})") from None


