"""What every generation provider speaks, whatever API sits behind it.

The job engine only sees these types; each provider module maps its own wire format
(see ../shared/providers.md) onto them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Protocol


class ErrorKind(StrEnum):
    BAD_KEY = "bad_key"
    QUOTA = "quota"  # the account is out of credit / daily quota: retrying will not help
    REFUSED = "refused"  # content safety; message carries the provider's reason
    RATE_LIMITED = "rate_limited"
    SERVER_DOWN = "server_down"
    BAD_REQUEST = "bad_request"
    TIMEOUT = "timeout"
    NOT_FOUND = "not_found"
    MALFORMED = "malformed"  # the provider answered something we cannot read
    MODEL_UNAVAILABLE = "model_unavailable"  # retired, or not offered to this key


class ProviderError(Exception):
    """One user-facing failure of a provider call. Never carries a secret."""

    def __init__(
        self,
        kind: ErrorKind,
        message: str,
        *,
        retryable: bool,
        retry_after: float | None = None,
        provider: str = "",
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.retryable = retryable
        self.retry_after = retry_after
        self.provider = provider


@dataclass(frozen=True)
class SceneDraft:
    narration: str
    image_prompt: str
    motion_prompt: str = ""
    negative_prompt: str = ""
    duration: int = 5


@dataclass(frozen=True)
class TextRequest:
    script: str
    split_rule: str | None = None
    custom_style: str | None = None
    no_subject: bool = False
    language: str = "ko"


@dataclass(frozen=True)
class TextResult:
    scenes: list[SceneDraft]
    usage_tokens: int
    model: str


@dataclass(frozen=True)
class ReferenceImage:
    """An image the result must stay consistent with: a character's look or the style."""

    data: bytes
    mime: str  # image/png | image/jpeg | image/webp
    character: str | None = None  # None: the project's style reference


@dataclass(frozen=True)
class ImageRequest:
    prompt: str
    ratio: str  # "9:16", ...
    resolution: str  # "480p", "720p", "1080p"
    negative_prompt: str = ""
    seed: int | None = None  # sent where the API takes one (Gemini, Local)
    title: str = ""  # shown on local preview title cards
    references: tuple[ReferenceImage, ...] = ()


@dataclass(frozen=True)
class ImageResult:
    png: bytes  # already at the project's ratio and resolution
    width: int
    height: int
    usage_tokens: int
    model: str
    meta: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ClipRequest:
    image_png: bytes
    prompt: str
    ratio: str
    resolution: str
    duration: int
    external_id: str  # derived from the job id; Kling dedupes on it
    negative_prompt: str = ""
    seed: int | None = None  # Seedance takes one; Kling has none


@dataclass(frozen=True)
class ClipStatus:
    state: str  # queued | running | succeeded | failed | cancelled | expired
    video_url: str | None = None
    usage_tokens: int = 0
    error: ProviderError | None = None


@dataclass(frozen=True)
class NarrationRequest:
    text: str
    voice: str  # "Bin" | "Otani"
    stability: float
    language: str = "ko"
    # The scenes' texts, in order, that `text` joins: a provider that speaks them one by
    # one (the Local preview) gives exact scene boundaries. Empty: just `text`.
    segments: tuple[str, ...] = ()


@dataclass(frozen=True)
class NarrationResult:
    audio: bytes
    mime: str  # "audio/mpeg" or "audio/wav"
    alignment: dict  # characters / start / end seconds of the text as sent (spans, subtitles)
    usage_chars: int
    model: str
    duration_s: float
    normalized_alignment: dict | None = None  # ElevenLabs' (numbers spelt out), kept beside


class TextProvider(Protocol):
    name: str

    async def split_script(self, req: TextRequest) -> TextResult: ...


class ImageProvider(Protocol):
    name: str

    async def generate_image(self, req: ImageRequest) -> ImageResult: ...


class ClipProvider(Protocol):
    name: str

    async def create_clip(self, req: ClipRequest) -> str:
        """Start a remote task and return its id. Paid: call once per job."""
        ...

    async def poll_clip(self, remote_id: str) -> ClipStatus: ...

    async def cancel_clip(self, remote_id: str) -> bool: ...

    async def download(self, url: str, dest: Path) -> int:
        """Stream the result to dest (a temporary path); return bytes written."""
        ...


class NarrationProvider(Protocol):
    name: str

    async def narrate(self, req: NarrationRequest) -> NarrationResult: ...
