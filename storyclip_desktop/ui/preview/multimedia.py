"""QtMultimedia, if it loads. A system without its libraries (GStreamer/FFmpeg/PulseAudio)
still gets a working window: the players say why they cannot play instead of crashing.

Callers read `multimedia.AVAILABLE` and the classes at call time (not `from ... import`),
so a test can switch playback off.
"""

from __future__ import annotations

import importlib
from typing import Any

QMediaPlayer: Any = None
QAudioOutput: Any = None
QVideoWidget: Any = None
AVAILABLE = False
REASON = ""

try:
    _mm = importlib.import_module("PySide6.QtMultimedia")
    _mmw = importlib.import_module("PySide6.QtMultimediaWidgets")
    QMediaPlayer, QAudioOutput = _mm.QMediaPlayer, _mm.QAudioOutput
    QVideoWidget = _mmw.QVideoWidget
    AVAILABLE = True
except ImportError as e:  # pragma: no cover - depends on the system's libraries
    REASON = str(e) or type(e).__name__


def unavailable_message(what: str) -> str:
    return f"{what} is unavailable: QtMultimedia could not be loaded ({REASON or 'disabled'})."
