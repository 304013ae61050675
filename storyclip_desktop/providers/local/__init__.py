"""The "Local preview" provider for every kind: the whole pipeline with no key and no network.

Everything is made on this machine: the splitter for text (text.py), Pillow title cards for
images (images.py), the wheel-bundled ffmpeg for clips (clips.py) and espeak-ng (or
silence) for narration (narration.py). Results are honest placeholders, labelled as such,
at the project's real frame size and durations so timing, layout and export can be checked
before paying for anything.
"""

from .clips import LocalClipProvider, default_clip_cache
from .common import MODEL, NAME
from .images import LocalImageProvider, render_title_card
from .narration import (
    LocalNarrationProvider,
    estimate_seconds,
    even_alignment,
    join_wavs,
    joined_alignment,
    silent_wav,
    speech_language,
    wav_seconds,
)
from .text import LocalTextProvider

__all__ = [
    "MODEL",
    "NAME",
    "LocalClipProvider",
    "LocalImageProvider",
    "LocalNarrationProvider",
    "LocalTextProvider",
    "default_clip_cache",
    "estimate_seconds",
    "even_alignment",
    "join_wavs",
    "joined_alignment",
    "render_title_card",
    "silent_wav",
    "speech_language",
    "wav_seconds",
]
