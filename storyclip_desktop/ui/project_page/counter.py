"""A '1,234 / 2,000' label that turns red over the limit and says why."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from .. import theme


def over_limit_reason(what: str, n: int, limit: int) -> str | None:
    if n <= limit:
        return None
    over = n - limit
    return f"{what} is {over:,} character{'s' if over != 1 else ''} over the {limit:,} limit; shorten it to save."


class CharCounter(QLabel):
    """Counts characters (len of the Python str), so Hangul counts one per syllable."""

    def __init__(self, limit: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.limit = limit
        theme.set_role(self, "hint")
        self.update_count("")

    def update_count(self, text: str) -> bool:
        """Returns whether the text fits."""
        n = len(text)
        fits = n <= self.limit
        self.setText(f"{n:,} / {self.limit:,}")
        self.setStyleSheet("" if fits else f"color: {theme.DANGER}; font-weight: 600;")
        self.setAccessibleName(f"{n} of {self.limit} characters")
        return fits
