"""The render plan of a project: what the finished short is made of, scene by scene.

Each narrated scene lasts its part of the narration (the spans kept with the narration
version when it was made); a scene without narration lasts the duration the editor set,
else its clip's video stream, else a still's default. A clip shorter than its span holds,
loops or slows (the scene's choice); a longer one is trimmed. The narration is never
stretched or cut: the last narrated scene lasts until the audio ends.

When scenes changed after the narration was made, the plan says so (`stale`) and still
places the old audio by scene: a moved scene's span moves with it, an edited scene keeps
its old span (the voice still says the old words, under the right picture), a scene added
or newly narrated since has none (silence).
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

from ..domain import timing as t
from ..domain.catalog import RESOLUTIONS
from ..domain.render_plan import (
    FPS,
    MIN_SLOW_SPEED,
    Cue,
    PlannedNarration,
    PlannedScene,
    RenderPlan,
    StaleNarration,
    seconds_to_frames,
)
from ..domain.subtitles import build_cues
from ..domain.validation import SCENE_FITS, ValidationError
from ..media.library import default_media_root, local_file
from ..media.probe import stream_seconds
from ..providers.sizes import target_size
from .errors import ServiceError
from .views import AssetVersion, SceneView

if TYPE_CHECKING:
    from .app import Services

STILL_SECONDS = 5  # an image or title card with nothing else to decide its length
TITLE_CHARS = 28


class PlanError(ServiceError):
    """The project cannot be planned as it is (no scenes, a missing or unreadable file)."""


def join_names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _and(parts: list[str]) -> str:
    return " and ".join(parts) if len(parts) <= 2 else ", ".join(parts[:-1]) + " and " + parts[-1]


class RenderPlanService:
    def __init__(
        self,
        services: Services,
        *,
        media_root: Path | None = None,
        measure: Callable[[Path, str], float] | None = None,
    ) -> None:
        self._sv = services
        self._root = media_root
        self._measure = measure or stream_seconds
        self._cache: dict[tuple, float] = {}
        self._lock = threading.Lock()

    @property
    def media_root(self) -> Path:
        return self._root or default_media_root()

    # ---- the plan -------------------------------------------------------------------

    def plan(
        self, project_id: int, *, resolution: str | None = None, strict: bool = True, measure_files: bool = True
    ) -> RenderPlan:
        """The plan to render. strict=False never fails on a missing or unreadable file:
        such a scene becomes a placeholder instead. measure_files=False (the window, on
        every edit) trusts the durations recorded with each version instead of reading
        the files' streams, and so starts no ffmpeg."""
        project = self._sv.projects.get(project_id)
        prefs = project.preferences
        resolution = resolution or prefs.resolution
        if resolution not in RESOLUTIONS:
            raise ValidationError("resolution", f"must be one of {', '.join(RESOLUTIONS)} (got {resolution!r})")
        width, height = target_size(prefs.ratio, resolution)
        scenes = self._sv.scenes.list(project_id)
        if not scenes:
            raise PlanError(f"project {project_id} has no scenes to export")
        chosen = self._chosen(project_id, scenes) if not measure_files else self._sv.assets.current(project_id)
        fast = not measure_files
        narration, voice = self._narration(project_id, project.narration_version, strict and measure_files, fast)
        now = t.narrated([(s.id, s.scene_id, s.narration) for s in scenes])
        spans, stale = self._spans(narration, voice, now)

        planned: list[PlannedScene] = []
        cursor = 0
        for index, scene in enumerate(scenes):
            item = self._scene(
                scene, index, cursor, chosen.get(scene.scene_id, {}), spans, voice, strict and measure_files, fast
            )
            planned.append(item)
            cursor += item.frames
        return RenderPlan(
            project_id=project_id, title=project.title, ratio=prefs.ratio, resolution=resolution,
            width=width, height=height, scenes=tuple(planned), narration=narration, stale=stale,
            total_frames=cursor,
        )

    def span_seconds(self, project_id: int) -> dict[str, float]:
        """Each scene's expected span without opening any file (for asking a clip
        provider for the right length): its part of the current narration when that was
        made from the scene's present text, else the duration the editor set, else a
        reading-time estimate of its narration, else STILL_SECONDS."""
        project = self._sv.projects.get(project_id)
        records: dict[int, dict] = {}
        if project.narration_version is not None:
            asset = next(
                (a for a in self._sv.assets.versions(project_id, None, "narration")
                 if a.version == project.narration_version),
                None,
            )  # fmt: skip
            raw = asset.metadata.get("scene_spans") if asset else None
            if isinstance(raw, list):
                records = {int(r["scene_pk"]): r for r in raw if isinstance(r, dict) and "scene_pk" in r}
        out: dict[str, float] = {}
        for scene in self._sv.scenes.list(project_id):
            text = t.clean_text(scene.narration)
            r = records.get(scene.id)
            if text and r is not None and r.get("text_hash") == t.text_hash(text):
                out[scene.scene_id] = max(0.0, float(r["end"]) - float(r["start"]))
            elif scene.scene_json.get("duration") is not None:
                out[scene.scene_id] = float(scene.scene_json["duration"])
            elif text:
                out[scene.scene_id] = t.reading_seconds(text)
            else:
                out[scene.scene_id] = float(STILL_SECONDS)
        return out

    def total_frames(self, project_id: int) -> int | None:
        """For the window: the project's length, or None when it cannot be planned."""
        try:
            return self.plan(project_id, strict=False, measure_files=False).total_frames
        except (ServiceError, ValidationError):
            return None

    def _chosen(self, project_id: int, scenes: list[SceneView]) -> dict[str, dict[str, AssetVersion]]:
        """assets.current() one scene at a time. The window's path: its one-query join,
        run from Qt slots in the window tests, was followed by a segfault later in the
        same process (not understood; the per-scene reads never were)."""
        out: dict[str, dict[str, AssetVersion]] = {}
        for scene in scenes:
            if scene.image_version is None and scene.clip_version is None:
                continue
            wanted = {"image": scene.image_version, "clip": scene.clip_version}
            for a in self._sv.assets.versions(project_id, scene.scene_id):
                if wanted.get(a.type) == a.version:
                    out.setdefault(scene.scene_id, {})[a.type] = a
        return out

    # ---- narration and spans ------------------------------------------------------------

    def _narration(
        self, project_id: int, version: int | None, strict: bool, fast: bool = False
    ) -> tuple[PlannedNarration | None, _Voice | None]:
        if version is None:
            return None, None
        asset = next((a for a in self._sv.assets.versions(project_id, None, "narration") if a.version == version), None)
        if asset is None:
            if strict:
                raise PlanError(f"project {project_id} points at narration v{version}, which does not exist")
            return None, None
        path = self._file(asset)
        try:
            if fast:
                raise PlanError("not measured")
            if path is None or not path.is_file():
                raise PlanError(f"the narration file is missing ({_short(path, asset)})")
            try:
                seconds = self._seconds(path, "audio")
            except (OSError, ValueError):
                raise PlanError(f"the narration file cannot be read ({path.name})") from None
            if seconds <= 0:
                raise PlanError(f"the narration file has no sound ({path.name})")
            alignment = self._alignment(asset)
        except PlanError:
            if strict:
                raise
            seconds = float(asset.metadata.get("duration") or 0.0)
            if seconds <= 0:
                return None, None
            try:
                alignment = self._alignment(asset)
            except PlanError:
                return None, None
        frames = max(1, math.ceil(seconds * FPS - 1e-6))
        planned = PlannedNarration(path=str(path), version=asset.version, asset_id=asset.id, frames=frames)
        return planned, _Voice(asset, alignment, seconds)

    def _alignment(self, asset: AssetVersion) -> t.Alignment:
        url = str(asset.metadata.get("alignment_url") or "")
        if not url:
            raise PlanError(f"narration v{asset.version} has no timing; make the narration again")
        try:
            path = local_file(self.media_root, url)
            return t.Alignment.from_json(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError) as e:
            raise PlanError(f"the timing of narration v{asset.version} cannot be read ({e})") from None

    def _spans(
        self, narration: PlannedNarration | None, voice: _Voice | None, now: list[t.NarratedScene]
    ) -> tuple[dict[int, dict], StaleNarration | None]:
        """scene pk -> its span record, and what changed since the narration was made."""
        if voice is None:
            return {}, None
        records = voice.asset.metadata.get("scene_spans")
        if isinstance(records, list) and records:
            changed, removed = t.changed_scenes(records, now)
            spans = {int(r["scene_pk"]): r for r in records}
            # Changed with the same words as then: only its place in the order changed.
            moved = [s.scene_id for s in now if s.scene_id in changed and s.scene_pk in spans
                     and spans[s.scene_pk].get("text_hash") == t.text_hash(s.text)]
        else:
            # Made before spans were kept: lay today's texts over it; what does not
            # match the spoken text has changed since.
            records = t.span_records(now, voice.alignment, voice.seconds)
            spans = {r["scene_pk"]: r for r in records}
            changed = [r["scene_id"] for r in records if r["matched"] < 1.0]
            if t.clean_text(voice.alignment.text) and not changed and _keys_differ(voice.alignment.text, now):
                changed = [s.scene_id for s in now]
            removed, moved = [], []
        stale = None
        if changed or removed:
            edited = [sid for sid in changed if sid not in moved]
            parts = []
            if edited:
                parts.append(f"{join_names(edited)} changed")
            if moved:
                parts.append(f"{join_names(moved)} moved")
            if removed:
                parts.append(f"{join_names(removed)} no longer narrated")
            stale = StaleNarration(
                changed_scene_ids=tuple(changed),
                reason=f"the narration is out of date: {_and(parts)} since it was made",
                removed_scene_ids=tuple(removed),
            )
        # A scene whose text changed keeps its old span: the narration still says its old
        # words, and they belong under this scene (cut out, the rest of the track would be
        # missing them); the warning above says to make the narration again. A moved scene
        # keeps its span too, so its voice moves with it.
        return spans, stale

    # ---- one scene --------------------------------------------------------------------

    def _scene(
        self, scene: SceneView, index: int, start_frame: int, chosen: dict[str, AssetVersion],
        spans: dict[int, dict], voice: _Voice | None, strict: bool, fast: bool = False,
    ) -> PlannedScene:
        source, path, asset, source_frames = self._source(scene, chosen, strict, fast)
        record = spans.get(scene.id) if t.clean_text(scene.narration) else None
        narration_span = None
        if record is not None and voice is not None:
            a, b = float(record["start"]), float(record["end"])
            last = b >= voice.seconds - 1e-6
            end_frame = math.ceil(b * FPS - 1e-6) if last else seconds_to_frames(b)
            frames = max(1, end_frame - seconds_to_frames(a))
            narration_span = (Fraction(a).limit_denominator(100_000), Fraction(b).limit_denominator(100_000))
        elif scene.scene_json.get("duration") is not None:
            frames = max(1, seconds_to_frames(Fraction(str(scene.scene_json["duration"]))))
        elif source_frames:
            frames = source_frames
        else:
            frames = STILL_SECONDS * FPS
        fit, speed = _fit(source, source_frames, frames, scene.scene_json.get("fit"))
        cues: tuple[Cue, ...] = ()
        if record is not None and voice is not None and narration_span is not None:
            shift = start_frame / FPS - float(record["start"])
            cues = build_cues(
                voice.alignment, int(record.get("first", 0)), int(record.get("last", 0)),
                shift=shift, bounds=(start_frame, start_frame + frames),
            )
        return PlannedScene(
            scene_pk=scene.id, scene_id=scene.scene_id, index=index, start_frame=start_frame, frames=frames,
            source=source, source_path=str(path) if path else None,
            source_asset_id=asset.id if asset else None, source_version=asset.version if asset else None,
            source_frames=source_frames, fit=fit, speed=speed, narration_text=t.clean_text(scene.narration),
            title=_title(scene), cues=cues, narration_span=narration_span,
        )

    def _source(
        self, scene: SceneView, chosen: dict[str, AssetVersion], strict: bool, fast: bool = False
    ) -> tuple[str, Path | None, AssetVersion | None, int | None]:
        clip = chosen.get("clip")
        if clip is not None and fast:
            recorded = clip.metadata.get("duration")
            frames = seconds_to_frames(float(recorded)) if isinstance(recorded, int | float) and recorded > 0 else None
            return "clip", self._file(clip), clip, frames
        if clip is not None:
            path = self._file(clip)
            problem = None
            if path is None or not path.is_file():
                problem = f"{scene.scene_id}: the clip file is missing ({_short(path, clip)})"
            else:
                try:
                    seconds = self._seconds(path, "video")
                    if seconds <= 0:
                        raise ValueError("empty")
                    return "clip", path, clip, max(1, seconds_to_frames(seconds))
                except (OSError, ValueError, TimeoutError):
                    problem = f"{scene.scene_id}: the clip file cannot be read ({path.name})"
            if strict:
                raise PlanError(problem)
        image = chosen.get("image")
        if image is not None:
            path = self._file(image)
            if path is not None and path.is_file():
                return "image", path, image, None
            if strict:
                raise PlanError(f"{scene.scene_id}: the image file is missing ({_short(path, image)})")
        return "card", None, None, None

    # ---- files ------------------------------------------------------------------------

    def _file(self, asset: AssetVersion) -> Path | None:
        try:
            return local_file(self.media_root, asset.storage_url)
        except ValueError:
            return None

    def _seconds(self, path: Path, kind: str) -> float:
        """Stream seconds, measured once per file content (name, size, change time)."""
        st = path.stat()
        key = (str(path), kind, st.st_size, st.st_mtime_ns)
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        try:
            seconds = self._measure(path, kind)
        except Exception as e:  # a file ffmpeg cannot read: the caller names the scene
            raise ValueError(str(e)) from None
        with self._lock:
            self._cache[key] = seconds
        return seconds


class _Voice:
    """The chosen narration's asset, its character timing and its audio length."""

    def __init__(self, asset: AssetVersion, alignment: t.Alignment, seconds: float) -> None:
        self.asset, self.alignment, self.seconds = asset, alignment, seconds


def _fit(source: str, source_frames: int | None, frames: int, choice: object) -> tuple[str, Fraction]:
    if source != "clip" or not source_frames:
        return "still", Fraction(1)
    if source_frames > frames:
        return "trim", Fraction(1)
    fit = choice if choice in SCENE_FITS else "hold"
    if fit == "slow":
        # Slow enough to fill the span, never below 0.8x (the rest holds the last frame).
        return "slow", max(Fraction(source_frames, frames), MIN_SLOW_SPEED)
    return str(fit), Fraction(1)


def _title(scene: SceneView) -> str:
    words = t.clean_text(scene.narration)
    if not words:
        return scene.scene_id
    if len(words) <= TITLE_CHARS:
        return words
    cut = words[:TITLE_CHARS].rsplit(" ", 1)[0] if " " in words[:TITLE_CHARS] else words[:TITLE_CHARS]
    return cut.rstrip(",.;: ") + "…"


def _short(path: Path | None, asset: AssetVersion) -> str:
    if path is None:
        return asset.storage_url
    return f"…/{path.name}"


def _keys_differ(spoken: str, now: list[t.NarratedScene]) -> bool:
    return t.spoken_keys(spoken) != t.spoken_keys(" ".join(s.text for s in now))
