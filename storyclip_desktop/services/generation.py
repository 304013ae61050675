"""Generation actions: decide which scenes a batch touches and which provider makes them,
then record one queued job per call. The job engine (storyclip_desktop/jobs) runs them;
nothing here talks to a network, so the window can call it on its own thread."""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..domain import validation as v
from ..domain.job_kinds import JobKind, a
from ..domain.model_catalog import RETIRED, known
from ..domain.providers import label as provider_label
from ..domain.text import shorten
from ..domain.timing import joined_narration, narrated
from .errors import Conflict, NotFound
from .generation_jobs import ACTIVE_STATES, JobRecords, JobSpec, JobView
from .generation_plan import SKIP_RULES, Choice, choose, clip_seconds, language_of
from .views import Preferences, SceneView

if TYPE_CHECKING:
    from .app import Services

EDITED_SKIP = "its prompt was written by hand; it is kept unless you choose to replace edited prompts"
# Where the API takes a seed (Gemini generationConfig.seed, Seedance's seed, the local
# renderer); OpenAI's images and Kling's image2video take none.
SEEDED = {"image": frozenset({"local", "gemini"}), "clip": frozenset({"seedance"})}
SEED_RANGE = 2**31  # Gemini's seed is an int32; Seedance takes up to 2**32 - 1


@dataclass(frozen=True)
class Skipped:
    scene_id: str
    reason: str

    def __str__(self) -> str:
        return f"{self.scene_id}: {self.reason}"


@dataclass(frozen=True)
class BatchResult:
    kind: str
    project_id: int
    job_ids: list[int]
    skipped: list[Skipped]
    provider: str
    preferred: str
    # jobs of these scenes that a StoryClip which stopped left unfinished, taken up again
    # instead of skipped (see `resume_orphans`); a clip job polls its remote task
    resumed: list[JobView] = field(default_factory=list)
    model: str = ""  # the exact model the jobs use (Settings › Models)

    @property
    def provider_label(self) -> str:
        return provider_label(self.provider)


class GenerationService:
    def __init__(self, services: Services, *, has_key: Callable[[str], bool] | None = None) -> None:
        self._sv = services
        self.records = JobRecords(
            services.db, services.user_id, services.ids, outbox=False, access=services.access
        )
        self.key_check = has_key  # tests and the window may swap in their own lookup
        self._listeners: list[Callable[[list[int]], None]] = []

    # ---- listeners: an engine in this process starts new jobs at once --------------

    def subscribe(self, fn: Callable[[list[int]], None]) -> Callable[[], None]:
        self._listeners.append(fn)
        return lambda: self._listeners.remove(fn) if fn in self._listeners else None

    def _announce(self, ids: list[int]) -> None:
        for fn in list(self._listeners):
            fn(ids)

    def has_key(self, provider: str) -> bool:
        """Whether every key `provider` needs is configured (may ask the OS keyring)."""
        if self.key_check is not None:
            return self.key_check(provider)
        from .. import keychain

        return keychain.has_provider_keys(provider)

    def choice(self, project_id: int, kind: str) -> Choice:
        return self._choose(kind, project_id, self._sv.preferences.get(project_id))

    def _choose(self, kind: str, project_id: int, prefs: Preferences) -> Choice:
        """The provider and the exact model (Settings › Models) a job of `kind` uses."""
        models = self._sv.models
        return choose(kind, prefs, self.has_key, lambda p, k: models.chosen(p, k, project_id))

    # ---- actions ------------------------------------------------------------------

    def enqueue(
        self, kind: JobKind | str, project_id: int, scene_ids: Sequence[str] | None = None, *,
        resume_orphans: Callable[[JobView], bool] | None = None, replace_edited: bool = False,
    ) -> BatchResult:
        """One batch of `kind`. With `resume_orphans` (is this active job's engine gone?),
        a scene whose job of this kind was left unfinished is resumed, not skipped."""
        try:
            kind = JobKind(kind)
        except ValueError:
            raise v.ValidationError("kind", f"must be one of {', '.join(JobKind)}") from None
        if kind.per_scene:
            return self._scene_batch(kind, project_id, scene_ids, orphaned=resume_orphans,
                                     replace_edited=replace_edited)
        if scene_ids:
            raise v.ValidationError("scenes", f"{a(kind.noun)} is made for the whole project")
        if kind is JobKind.NARRATION:
            return self.narration(project_id)
        return self.split(project_id)

    def prompts(
        self, project_id: int, scene_ids: Sequence[str] | None = None, *, replace_edited: bool = False
    ) -> BatchResult:
        """Write prompts from the narration. Prompts the editor typed by hand are
        skipped unless `replace_edited` (ask first: `edited_prompts` names them); what
        is replaced stays in the scene for `scenes.bring_back`."""
        return self._scene_batch("prompt", project_id, scene_ids, replace_edited=replace_edited)

    def edited_prompts(self, project_id: int, scene_ids: Sequence[str] | None = None) -> list[str]:
        """The scenes a prompt batch over `scene_ids` (or the project) would skip
        because their prompts were typed by hand, so the window can ask "replace N?"."""
        return [
            s.scene_id for s in self._sv.scenes.list(project_id)
            if s.edited_fields and (not scene_ids or s.scene_id in scene_ids)
            and SKIP_RULES["prompt"](s, bool(scene_ids)) is None
        ]

    def images(self, project_id: int, scene_ids: Sequence[str] | None = None) -> BatchResult:
        return self._scene_batch("image", project_id, scene_ids)

    def clips(self, project_id: int, scene_ids: Sequence[str] | None = None) -> BatchResult:
        return self._scene_batch("clip", project_id, scene_ids)

    def again_with_seed(self, project_id: int, scene_id: str, type_: str, version: int) -> BatchResult:
        """'Generate again with the same seed': one new image or clip of the scene, sent
        with the seed that made `version` (the prompt and references are today's)."""
        if type_ not in SEEDED:
            raise v.ValidationError("type", "only images and clips have a seed")
        made = next(
            (a for a in self._sv.assets.versions(project_id, scene_id, type_) if a.version == version), None
        )
        if made is None:
            raise NotFound(f"scene {scene_id} has no {type_} v{version}")
        seed = made.metadata.get("seed")
        if not isinstance(seed, int) or isinstance(seed, bool):
            raise Conflict(f"{type_} v{version} of {scene_id} was made without a seed; generate it again instead")
        c = self.choice(project_id, type_)
        if c.provider not in SEEDED[type_]:
            raise Conflict(
                f"{provider_label(c.provider)} takes no seed; "
                f"choose {' or '.join(provider_label(p) for p in sorted(SEEDED[type_]))} to reuse one"
            )
        return self._scene_batch(type_, project_id, [scene_id], seed=seed)

    def narration(self, project_id: int) -> BatchResult:
        prefs = self._sv.preferences.get(project_id)
        self._refuse_if_running(project_id, "narration")
        scenes = self._sv.scenes.list(project_id)
        # Which scene says what, in order: the job keeps each scene's span with the audio.
        parts = narrated([(s.id, s.scene_id, s.narration) for s in scenes])
        text = joined_narration([p.text for p in parts])
        if not text:
            text = (self._sv.projects.get(project_id).script or "").strip()
        if not text:
            raise v.ValidationError("script", "is empty; there is nothing to narrate")
        c = self._choose("narration", project_id, prefs)
        request = {
            "text": text, "voice": prefs.voice_gen_model, "stability": prefs.stability,
            "language": language_of(text),
            "scenes": [{"pk": p.scene_pk, "scene_id": p.scene_id, "text": p.text} for p in parts],
        }
        return self._record("narration", project_id, c, [(None, request)], [])

    def split(self, project_id: int, *, replace: bool = False) -> BatchResult:
        """Split the script into scenes with prompts (the text provider). A project that
        has scenes is only re-split with replace=True, as with the rule-based split."""
        project = self._sv.projects.get(project_id)
        self._refuse_if_running(project_id, "text")
        if project.scene_count and not replace:
            raise Conflict(
                f"project {project_id} already has {project.scene_count} scenes; re-splitting "
                "replaces them (use --replace)"
            )
        script = (project.script or "").strip()
        if not script:
            raise v.ValidationError("script", "is empty; write a script before splitting")
        prefs = project.preferences
        c = self._choose("text", project_id, prefs)
        request = {
            "script": script, "split_rule": prefs.split_rule, "custom_style": prefs.custom_style,
            "language": language_of(script), "replace": bool(replace),
        }
        return self._record("text", project_id, c, [(None, request)], [])

    def retry(self, job_id: int) -> int:
        """Run a failed or cancelled job again. A paid remote result that only failed to
        arrive is fetched again under the same job (never paid twice); anything else is
        a new job, with the provider chosen again (a key may have been added or removed)."""
        job = self.records.get(job_id)
        if job.active:
            raise Conflict(f"job {job_id} is still {job.state}")
        if job.state == "succeeded":
            raise Conflict(f"job {job_id} already succeeded; generate again for a new version")
        if job.kind == "export":  # no provider to choose: the same export as a new job
            return self._sv.exports.retry(job)
        if job.state == "failed" and job.remote_task_id and (job.result or {}).get("resumable"):
            if not self.records.requeue(job_id, "polling"):
                raise Conflict(f"job {job_id} changed meanwhile; look again")
            self._announce([job_id])
            return job_id
        prefs = self._sv.preferences.get(job.project_id)
        c = self._choose(job.kind, job.project_id, prefs)
        request = dict(job.request)
        if job.scene_id is not None and job.kind in SKIP_RULES:
            self._sv.scenes.get(job.project_id, job.scene_id)  # NotFound if it was deleted
        result = self._record(job.kind, job.project_id, c, [(job.scene_id, request)], [])
        return result.job_ids[0]

    # ---- reading ------------------------------------------------------------------

    def jobs(self, project_id: int | None = None, *, active_only: bool = False, limit: int = 200) -> list[JobView]:
        return self.records.list(project_id, states=ACTIVE_STATES if active_only else None, limit=limit)

    def job(self, job_id: int) -> JobView:
        return self.records.get(job_id)

    def jobs_by_id(self, ids: Sequence[int]) -> list[JobView]:
        """The jobs among `ids` that still exist (a project's deletion takes its jobs)."""
        return self.records.many(ids)

    # ---- helpers ------------------------------------------------------------------

    def _scene_batch(
        self, kind: str, project_id: int, scene_ids: Sequence[str] | None, *, seed: int | None = None,
        orphaned: Callable[[JobView], bool] | None = None, replace_edited: bool = False,
    ) -> BatchResult:
        kind = JobKind(kind)
        prefs = self._sv.preferences.get(project_id)  # NotFound for an unknown project
        scenes = self._sv.scenes.list(project_id)
        explicit = bool(scene_ids)
        if explicit:
            by_label = {s.scene_id: s for s in scenes}
            missing = [sid for sid in dict.fromkeys(scene_ids or ()) if sid not in by_label]
            if missing:
                raise NotFound(f"project {project_id} has no scene {', '.join(missing)}")
            scenes = [by_label[sid] for sid in dict.fromkeys(scene_ids or ())]
        if not scenes:
            raise Conflict(f"project {project_id} has no scenes; split the script first")
        running = self.records.active_for(project_id, kind)
        left = self._orphans(project_id, kind, running, orphaned)
        rule = SKIP_RULES[kind]
        picked: list[SceneView] = []
        skipped: list[Skipped] = []
        resumed: list[JobView] = []
        for s in scenes:
            if s.scene_id in left:
                resumed.append(left[s.scene_id])
                continue
            reason = (
                f"already has {a(kind.noun)} job in progress (job {running[s.scene_id]})"
                if s.scene_id in running
                else rule(s, explicit)
            )
            if not reason and kind == "prompt" and s.edited_fields and not replace_edited:
                reason = EDITED_SKIP
            if reason:
                skipped.append(Skipped(s.scene_id, reason))
            else:
                picked.append(s)
        c = self._choose(kind, project_id, prefs)
        if not picked:
            if resumed:
                return BatchResult(kind, project_id, [], skipped, c.provider, c.preferred, resumed, c.model)
            why = "; ".join(str(x) for x in skipped)
            raise Conflict(f"no {kind.noun} to generate: {why}")
        build = {"prompt": self._prompt_request, "image": self._image_request, "clip": self._clip_request}[kind]
        items = [(s.scene_id, build(project_id, s, prefs, c)) for s in picked]
        if kind == "prompt" and replace_edited:
            items = [(sid, {**req, "replace_edited": True}) for sid, req in items]
        for _, request in items:
            if kind in SEEDED:
                request["seed"] = _seed(kind, c.provider, seed)
        return dataclasses.replace(self._record(kind, project_id, c, items, skipped), resumed=resumed)

    def _orphans(
        self, project_id: int, kind: str, running: dict[str | None, int],
        orphaned: Callable[[JobView], bool] | None,
    ) -> dict[str, JobView]:
        """scene -> its active job of `kind` whose engine is gone (crash, kill -9)."""
        if orphaned is None or not running:
            return {}
        views = self.records.many(running.values())
        return {j.scene_id: j for j in views if j.scene_id and j.state in ACTIVE_STATES and orphaned(j)}

    def _record(
        self, kind: str, project_id: int, c: Choice,
        items: list[tuple[str | None, dict]], skipped: list[Skipped],
    ) -> BatchResult:
        info = known(c.provider, kind, c.model)
        if info is not None and info.status() == RETIRED:
            # Known to be shut down: say so before a request is even queued.
            raise v.ValidationError("model", f"{c.model} was {info.note()}; choose another in Settings › Models")
        specs = [JobSpec(project_id, sid, kind, c.provider, c.model, req) for sid, req in items]
        ids = self.records.create(specs)
        self._announce(ids)
        return BatchResult(kind, project_id, ids, skipped, c.provider, c.preferred, model=c.model)

    def _refuse_if_running(self, project_id: int, kind: str) -> None:
        running = self.records.active_for(project_id, kind)
        if running:
            jid = next(iter(running.values()))
            raise Conflict(f"{a(JobKind(kind).noun).capitalize()} job is already in progress for this project (job {jid})")

    @staticmethod
    def _prompt_request(project_id: int, s: SceneView, prefs: Preferences, c: Choice) -> dict:
        return {
            "narration": s.narration, "custom_style": prefs.custom_style, "no_subject": s.no_subject,
            "split_rule": prefs.split_rule, "language": language_of(s.narration),
        }

    def _image_request(self, project_id: int, s: SceneView, prefs: Preferences, c: Choice) -> dict:
        j = s.scene_json
        short = shorten(s.narration, 140)  # the card wraps and fits it; never cut inside a word
        return {
            "prompt": str(j.get("image_prompt") or ""),
            "negative_prompt": str(j.get("negative_prompt") or ""),
            "ratio": prefs.ratio,
            "resolution": prefs.resolution,
            "title": f"{s.scene_id} · {short}",
            # The style and the scene's characters' reference images (asset id, version
            # and file), so the job can send them and its version record them.
            "references": self._sv.references.for_scene(project_id, s),
        }

    def _clip_request(self, project_id: int, s: SceneView, prefs: Preferences, c: Choice) -> dict:
        j = s.scene_json
        image = next(
            (a for a in self._sv.assets.versions(project_id, s.scene_id, "image") if a.version == s.image_version),
            None,
        )
        if image is None:
            raise NotFound(f"scene {s.scene_id} has no image v{s.image_version}")
        return {
            "prompt": str(j.get("motion_prompt") or j.get("image_prompt") or ""),
            "negative_prompt": str(j.get("negative_prompt") or ""),
            "ratio": prefs.ratio,
            "resolution": prefs.resolution,
            # as long as the scene's span needs (its narration, or the set duration)
            "duration": clip_seconds(self._sv.render_plan.span_seconds(project_id).get(s.scene_id, 5.0)),
            "image_version": image.version,
            "image_url": image.storage_url,
        }


def _seed(kind: str, provider: str, given: int | None) -> int | None:
    if provider not in SEEDED[kind]:
        return None
    return given if given is not None else secrets.randbelow(SEED_RANGE)

