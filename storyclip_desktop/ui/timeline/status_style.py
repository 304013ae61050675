"""How each scene status looks on a card: a short label and a badge colour.

The fills are mid-dark and saturated so the badge stands out on both a light and a dark
card, and each carries white text at a contrast of at least 4.5:1 (WCAG AA). Steps that
wait for a reviewer (prompt, image) are warm; confirmed steps are cool; a clip is done.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QColor

from ..theme import REJECTED, status_color


@dataclass(frozen=True)
class StatusStyle:
    label: str
    fill: QColor
    text: QColor


def _tr(text: str) -> str:
    return QCoreApplication.translate("SceneStatus", text)


_WHITE = QColor("#ffffff")
# Colours come from ui/theme.py, the one source for every status badge in the window.
_LABELS: dict[str, str] = {
    "init": "DRAFT",
    "prompt": "PROMPT",
    "prompt_confirmed": "PROMPT ✓",
    "image": "IMAGE",
    "image_confirmed": "IMAGE ✓",
    "clip": "CLIP",
}


# A rejected scene waits for the editor: its own colour, so it never reads as a draft.
REJECTED_FILL = QColor(REJECTED)


def status_style(status: str, rejected: bool = False) -> StatusStyle:
    if rejected:
        return StatusStyle(_tr("REJECTED"), REJECTED_FILL, _WHITE)
    return StatusStyle(_tr(_LABELS.get(status, status.upper())), status_color(status), _WHITE)
def contrast_ratio(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio between two colours (1..21)."""

    def lum(c: QColor) -> float:
        def ch(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

        return 0.2126 * ch(c.redF()) + 0.7152 * ch(c.greenF()) + 0.0722 * ch(c.blueF())

    hi, lo = sorted((lum(a), lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


STATUSES = tuple(_LABELS)
