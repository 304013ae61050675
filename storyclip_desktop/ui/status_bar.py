"""The bottom line: which store, how many jobs run, and token usage per type."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QStatusBar, QWidget

from ..services.app import Services
from ..services.views import TokenUsage
from . import theme

NEAR_LIMIT = 0.9


def compact(n: int) -> str:
    """1234 -> '1.2k', 200000 -> '200k', 2000000 -> '2M'."""
    for div, suffix in ((1_000_000_000, "B"), (1_000_000, "M"), (1_000, "k")):
        if abs(n) >= div:
            text = f"{n / div:.1f}".rstrip("0").rstrip(".")
            return f"{text}{suffix}"
    return str(n)


def _sep() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.VLine)
    line.setFixedHeight(14)
    line.setStyleSheet("color: palette(mid);")
    return line


class StatusBar(QStatusBar):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.setSizeGripEnabled(False)
        self.setContentsMargins(8, 0, 8, 0)
        self.store_label = QLabel()
        self.jobs_label = QLabel()
        self.tokens_box = QWidget()
        self._tokens = QHBoxLayout(self.tokens_box)
        self._tokens.setContentsMargins(0, 0, 0, 0)
        self._tokens.setSpacing(16)
        self.token_labels: dict[str, QLabel] = {}
        for w in (self.store_label, _sep(), self.jobs_label, _sep(), self.tokens_box):
            self.addPermanentWidget(w)
        self.set_online(True)
        self.set_running_jobs(0)
        self.refresh_tokens()

    def set_online(self, online: bool) -> None:
        """Placeholder until sync exists: the shared store is 'online' when reachable."""
        shared = self.services.store_kind == "shared"
        name = "Shared store" if shared else "Local store"
        state = ("online" if online else "offline") if shared else "this computer"
        dot = theme.ONLINE if online or not shared else theme.DANGER
        self.store_label.setText(f"<span style='color:{dot}'>●</span>&nbsp;{name} · {state}")
        self.store_label.setToolTip(f"Scenes are stored in the {name.lower()}")

    def set_running_jobs(self, n: int) -> None:
        self.running_jobs = n
        self.jobs_label.setText(f"{n} job{'s' if n != 1 else ''} running" if n else "No jobs running")

    def refresh_tokens(self) -> None:
        for u in self.services.tokens.usage():
            label = self.token_labels.get(u.type)
            if label is None:
                label = self.token_labels[u.type] = QLabel()
                self._tokens.addWidget(label)
            self._show_usage(label, u)

    @staticmethod
    def _show_usage(label: QLabel, u: TokenUsage) -> None:
        label.setText(f"{u.type} {compact(u.usage)}/{compact(u.limit)}")
        near = u.fraction >= NEAR_LIMIT
        label.setProperty("near_limit", near)
        label.setStyleSheet(f"color: {theme.DANGER}; font-weight: 600;" if near else "")
        label.setToolTip(
            f"{u.type}: {u.usage:,} of {u.limit:,} tokens used ({u.remaining:,} left)"
            + (" — close to the limit" if near else "")
        )
        label.setTextFormat(Qt.TextFormat.PlainText)

    def show_error(self, text: str) -> None:
        self.showMessage(f"⚠ {text}", 10_000)
