"""What every Local preview provider shares: its name and model, and its errors."""

from __future__ import annotations

from ..base import ErrorKind, ProviderError
from ..sizes import target_size

NAME = "local"
MODEL = "local-preview"
SCENE_SECONDS = 5
FPS = 24


def _error(kind: ErrorKind, message: str, *, retryable: bool = False) -> ProviderError:
    return ProviderError(kind, message, retryable=retryable, provider=NAME)


def _frame_size(ratio: str, resolution: str) -> tuple[int, int]:
    try:
        return target_size(ratio, resolution)
    except ValueError as exc:
        raise _error(ErrorKind.BAD_REQUEST, f"Local preview: {exc}") from None
