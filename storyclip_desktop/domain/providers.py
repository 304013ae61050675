"""The generation providers StoryClip talks to: one entry each, and every fact about a
provider that more than one layer needs (its label, the keychain entries and environment
variables that hold its keys, the token type it is charged under, the seed's family
value that picks it, what it makes). What a provider does on the wire lives in its module
under providers/; providers/registry.py adds the key check, model list and factory.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model_catalog import ModelList, models_for


@dataclass(frozen=True)
class KeyEntry:
    entry: str  # keychain entry name
    env: str  # environment variable that overrides it
    placeholder: str  # what the Settings field asks for


@dataclass(frozen=True)
class Provider:
    name: str
    label: str
    keys: tuple[KeyEntry, ...]
    token_type: str | None  # None: costs nothing
    kinds: tuple[str, ...]  # text | image | clip | narration
    family: str = ""  # the seed's image_gen_model / video_gen_model value that picks it
    lists_models: bool = True  # False: the API publishes no model list for a key

    @property
    def entries(self) -> tuple[str, ...]:
        return tuple(k.entry for k in self.keys)

    def catalogue(self, kind: str) -> ModelList | None:
        return models_for(self.name, kind)


def _key(entry: str, env: str, placeholder: str = "API key") -> KeyEntry:
    return KeyEntry(entry, f"STORYCLIP_{env}", placeholder)


LOCAL = Provider("local", "Local preview", (), None, ("text", "image", "clip", "narration"))
PROVIDERS: tuple[Provider, ...] = (
    Provider(
        "openai", "OpenAI", (_key("openai", "OPENAI_API_KEY", "API key (sk-…)"),),
        "gpt", ("text", "image"), "GPT",
    ),
    Provider("gemini", "Gemini", (_key("gemini", "GEMINI_API_KEY"),), "gemini", ("text", "image"), "Gemini"),
    Provider(
        "seedance", "Seedance", (_key("seedance", "SEEDANCE_API_KEY", "ARK API key"),),
        "seedance", ("clip",), "Seedance", lists_models=False,
    ),
    Provider(
        "kling", "Kling",
        (_key("kling_access", "KLING_ACCESS_KEY", "Access key"), _key("kling_secret", "KLING_SECRET_KEY", "Secret key")),
        "kling", ("clip",), "Kling", lists_models=False,
    ),
    Provider("elevenlabs", "ElevenLabs", (_key("elevenlabs", "ELEVENLABS_API_KEY"),), "voice", ("narration",)),
)
_BY_NAME = {p.name: p for p in (LOCAL, *PROVIDERS)}
IMAGE_FAMILIES = {p.family: p.name for p in PROVIDERS if "image" in p.kinds and p.family}
VIDEO_FAMILIES = {p.family: p.name for p in PROVIDERS if "clip" in p.kinds and p.family}
VOICE_PROVIDER = "elevenlabs"


def get(name: str) -> Provider | None:
    return _BY_NAME.get(name)


def label(name: str) -> str:
    found = _BY_NAME.get(name)
    return found.label if found else name


def token_type(name: str) -> str | None:
    found = _BY_NAME.get(name)
    return found.token_type if found else None


def key_entries(name: str) -> tuple[str, ...]:
    found = _BY_NAME.get(name)
    return found.entries if found else (name,)


def env_vars() -> dict[str, str]:
    """Keychain entry -> the environment variable that overrides it."""
    return {k.entry: k.env for p in PROVIDERS for k in p.keys}
