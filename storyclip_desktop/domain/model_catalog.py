"""The model ids StoryClip knows, per provider and kind, and which one it uses by default.

Data, not code: each entry says where it comes from (the official SDK's model list on
the version pinned in pyproject.toml, or the provider's documentation when there is no
SDK) and when the provider shut it down or announced it will. The live list a key can
use comes from the provider (services/models.py); this catalogue is what StoryClip
offers before a key is set and how it marks retired ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

RETIRED = "retired"  # the provider shut it down: requests fail
RETIRING = "retiring"  # a shutdown date is announced
CURRENT = "current"


@dataclass(frozen=True)
class ModelInfo:
    id: str
    label: str = ""
    shutdown: date | None = None  # announced or past shutdown date
    successor: str = ""  # what the provider names instead

    def status(self, today: date | None = None) -> str:
        if self.shutdown is None:
            return CURRENT
        return RETIRED if (today or date.today()) >= self.shutdown else RETIRING

    def note(self, today: date | None = None) -> str:
        """A few words for Settings: "retired 2026-10-23 (use gpt-image-2.5-sunburst)"."""
        state = self.status(today)
        if state == CURRENT:
            return ""
        word = "retired" if state == RETIRED else "shuts down"
        tail = f" (use {self.successor})" if self.successor else ""
        return f"{word} {self.shutdown.isoformat()}{tail}"  # type: ignore[union-attr]


@dataclass(frozen=True)
class ModelList:
    provider: str
    kind: str  # text | image | clip | narration
    default: str
    models: tuple[ModelInfo, ...]
    source: str  # where the ids were read

    def find(self, model_id: str) -> ModelInfo | None:
        return next((m for m in self.models if m.id == model_id), None)

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(m.id for m in self.models)


_OPENAI_SDK = "openai 3.51.0 types/shared/chat_model.py, types/image_model.py"
_GPT41_SHUTDOWN = date(2027, 1, 14)
_GPT_IMAGE_1_SHUTDOWN = date(2026, 10, 23)

CATALOGUE: tuple[ModelList, ...] = (
    ModelList(
        "openai", "text", "gpt-5.5",
        (
            ModelInfo("gpt-5.5", "GPT-5.5"),
            ModelInfo("gpt-5.4", "GPT-5.4"),
            ModelInfo("gpt-5.4-mini", "GPT-5.4 mini"),
            ModelInfo("gpt-5.6-sol", "GPT-5.6 Sol"),
            ModelInfo("gpt-4.1-mini", "GPT-4.1 mini", _GPT41_SHUTDOWN, "gpt-5.4-mini"),
            ModelInfo("gpt-4.1", "GPT-4.1", _GPT41_SHUTDOWN, "gpt-5.4"),
            ModelInfo("gpt-5-mini", "GPT-5 mini", date(2026, 12, 11), "gpt-5.4-mini"),
            ModelInfo("gpt-4.1-nano", "GPT-4.1 nano", date(2026, 10, 23), "gpt-5.4-nano"),
        ),
        _OPENAI_SDK,
    ),
    ModelList(
        "openai", "image", "gpt-image-2.6-sunburst",
        (
            ModelInfo("gpt-image-2.6-sunburst", "GPT Image 2.6 Sunburst"),
            ModelInfo("gpt-image-2.6-flare", "GPT Image 2.6 Flare"),
            ModelInfo("gpt-image-2.5-sunburst", "GPT Image 2.5 Sunburst"),
            ModelInfo("gpt-image-2.5-flare", "GPT Image 2.5 Flare"),
            ModelInfo("gpt-image-2", "GPT Image 2"),
            ModelInfo("gpt-image-1.5", "GPT Image 1.5"),
            ModelInfo("gpt-image-1-mini", "GPT Image 1 mini"),
            ModelInfo("gpt-image-1", "GPT Image 1", _GPT_IMAGE_1_SHUTDOWN, "gpt-image-2.5-sunburst"),
            ModelInfo("dall-e-3", "DALL·E 3", date(2026, 5, 12), "gpt-image-2.5-sunburst"),
        ),
        _OPENAI_SDK,
    ),
    ModelList(
        "gemini", "text", "gemini-3.8-flash",
        (
            ModelInfo("gemini-3.8-flash", "Gemini 3.8 Flash"),
            ModelInfo("gemini-3.5-flash", "Gemini 3.5 Flash"),
            ModelInfo("gemini-3.1-pro-preview", "Gemini 3.1 Pro (preview)"),
            ModelInfo("gemini-2.5-flash", "Gemini 2.5 Flash"),
            ModelInfo("gemini-2.5-pro", "Gemini 2.5 Pro"),
        ),
        "google-genai 3.3.0 (models.py examples, _gaos interactions Model)",
    ),
    ModelList(
        "gemini", "image", "gemini-3.1-flash-image",
        (
            ModelInfo("gemini-3.1-flash-image", "Gemini 3.1 Flash Image"),
            ModelInfo("gemini-3-pro-image", "Gemini 3 Pro Image"),
            ModelInfo("gemini-3.1-flash-lite-image", "Gemini 3.1 Flash-Lite Image"),
            ModelInfo("gemini-2.5-flash-image", "Gemini 2.5 Flash Image"),
        ),
        "google-genai 3.3.0 (_gaos interactions Model)",
    ),
    ModelList(
        "seedance", "clip", "seedance-1-0-lite-i2v-250428",
        (
            ModelInfo("seedance-1-0-lite-i2v-250428", "Seedance 1.0 Lite (image to video)"),
            ModelInfo("seedance-1-0-pro-250528", "Seedance 1.0 Pro"),
            ModelInfo("seedance-1-0-pro-fast-251015", "Seedance 1.0 Pro Fast"),
            ModelInfo("seedance-1-5-pro-251215", "Seedance 1.5 Pro"),
        ),
        "ModelArk documentation (the volcengine Ark runtime takes any model id)",
    ),
    ModelList(
        "kling", "clip", "kling-v2-1",
        (
            ModelInfo("kling-v2-1", "Kling 2.1"),
            ModelInfo("kling-v2-1-master", "Kling 2.1 Master"),
            ModelInfo("kling-v2-5-turbo", "Kling 2.5 Turbo"),
            ModelInfo("kling-v1-6", "Kling 1.6"),
        ),
        "Kling API documentation (no official SDK)",
    ),
    ModelList(
        "elevenlabs", "narration", "eleven_multilingual_v2",
        (
            ModelInfo("eleven_multilingual_v2", "Multilingual v2"),
            ModelInfo("eleven_v3", "Eleven v3"),
            ModelInfo("eleven_v4", "Eleven v4"),
            ModelInfo("eleven_v4_turbo", "Eleven v4 Turbo"),
            ModelInfo("eleven_flash_v2_5", "Flash v2.5"),
            ModelInfo("eleven_turbo_v2_5", "Turbo v2.5"),
        ),
        "elevenlabs 2.78.0 (text_to_speech examples, TtsConversationalModel)",
    ),
)
LOCAL_MODEL = "local-preview"
_BY_KEY = {(m.provider, m.kind): m for m in CATALOGUE}


def api_kind(kind: str) -> str:
    """Prompt writing and scene splitting are both calls to the text API."""
    return "text" if kind in ("text", "prompt") else kind


def models_for(provider: str, kind: str) -> ModelList | None:
    return _BY_KEY.get((provider, api_kind(kind)))


def default_model(provider: str, kind: str) -> str:
    found = models_for(provider, kind)
    return found.default if found else LOCAL_MODEL


def known(provider: str, kind: str, model_id: str) -> ModelInfo | None:
    found = models_for(provider, kind)
    return found.find(model_id) if found else None
