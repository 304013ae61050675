"""Which provider makes what, what a call is expected to cost, and which scenes a batch
may touch. Pure functions: the rules stay testable without a database or a network."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ..domain import providers as provider_facts
from ..domain.catalog import EXPECTED_COST
from ..domain.model_catalog import LOCAL_MODEL, default_model
from ..domain.model_catalog import api_kind as api_kind
from ..domain.status import SceneAction, SceneStatus, can, status_words
from .views import Preferences, SceneView

LOCAL = provider_facts.LOCAL.name
ModelFor = Callable[[str, str], str]  # (provider, kind) -> the exact model id chosen
_HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")


@dataclass(frozen=True)
class Choice:
    provider: str  # "local" when the preferred provider has no key
    model: str
    token_type: str | None  # None: costs nothing
    preferred: str  # the provider the project asked for, so the UI can say what is missing


def preferred_provider(kind: str, prefs: Preferences) -> str:
    kind = api_kind(kind)
    if kind in ("text", "image"):
        # Text goes to the same vendor as the images, so one key is enough to start.
        return provider_facts.IMAGE_FAMILIES.get(prefs.image_gen_model, "gemini")
    if kind == "clip":
        return provider_facts.VIDEO_FAMILIES.get(prefs.video_gen_model, "seedance")
    if kind == "narration":
        return provider_facts.VOICE_PROVIDER
    raise ValueError(f"unknown job kind {kind!r}")


def choose(
    kind: str, prefs: Preferences, has_key: Callable[[str], bool], model_for: ModelFor | None = None
) -> Choice:
    """The project's provider for `kind` when its key is set (else the Local preview), with
    the model chosen in Settings › Models (else the catalogue's default)."""
    preferred = preferred_provider(kind, prefs)
    if has_key(preferred):
        model = (model_for or default_model)(preferred, api_kind(kind))
        return Choice(preferred, model, token_type(preferred), preferred)
    return Choice(LOCAL, LOCAL_MODEL, None, preferred)


SHORT_CLIP_S = 5
LONG_CLIP_S = 10  # Seedance and Kling both make 5 or 10 s clips


def clip_seconds(span_s: float) -> int:
    """The clip length to ask for: the longer one when the scene lasts longer than 5 s
    (a shorter clip would have to hold, loop or slow for too long)."""
    return LONG_CLIP_S if span_s > SHORT_CLIP_S + 1e-6 else SHORT_CLIP_S


def token_type(provider: str) -> str | None:
    return provider_facts.token_type(provider)


def expected_cost(kind: str, provider: str, request: dict) -> int:
    """Tokens to reserve before the call; 0 for the free local preview."""
    ttype = token_type(provider)
    if ttype is None:
        return 0
    if kind == "narration":
        # ElevenLabs bills characters, and the text is known before the call.
        return max(1, len(str(request.get("text") or "")))
    return EXPECTED_COST[(api_kind(kind), ttype)]


def language_of(text: str, default: str = "ko") -> str:
    if _HANGUL.search(text or ""):
        return "ko"
    if re.search(r"[A-Za-z]", text or ""):
        return "en"
    return default


# ---- which scenes a batch may touch -------------------------------------------------

_S = SceneStatus


def prompt_skip(scene: SceneView, explicit: bool) -> str | None:
    if not scene.narration.strip():
        return "has no narration to write a prompt from"
    if scene.status not in (_S.INIT, _S.PROMPT):
        # Rewriting would rewind a confirmed prompt or image: the editor does that by hand.
        return f"its prompt was already confirmed (“{status_words(scene.status)}”); edit or reject it first"
    return None


def image_skip(scene: SceneView, explicit: bool) -> str | None:
    if not can(scene.status, SceneAction.GENERATE_IMAGE):
        return f"an image needs a confirmed prompt (this scene is “{status_words(scene.status)}”)"
    if not str(scene.scene_json.get("image_prompt") or "").strip():
        return "has no image prompt"
    if not explicit and scene.status != _S.PROMPT_CONFIRMED:
        # A whole-project batch only fills gaps; a new version of a paid image is asked for by name.
        return f"already has an image (“{status_words(scene.status)}”); generate for this scene alone for a new version"
    return None


def clip_skip(scene: SceneView, explicit: bool) -> str | None:
    if not can(scene.status, SceneAction.GENERATE_CLIP):
        return f"a clip needs a confirmed image (this scene is “{status_words(scene.status)}”)"
    if scene.image_version is None:
        return "has no image version to animate"
    if not explicit and scene.status != _S.IMAGE_CONFIRMED:
        return f"already has a clip (“{status_words(scene.status)}”); generate for this scene alone for a new version"
    return None


SKIP_RULES: dict[str, Callable[[SceneView, bool], str | None]] = {
    "prompt": prompt_skip,
    "image": image_skip,
    "clip": clip_skip,
}
