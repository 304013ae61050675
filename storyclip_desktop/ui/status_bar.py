"""The bottom line: which store, how many jobs run, and token usage per type."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QMouseEvent, QResizeEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QStatusBar, QWidget

from ..services.app import Services
from ..services.views import TokenUsage
from . import theme

if TYPE_CHECKING:
    from .ops import Ops

NEAR_LIMIT = 0.9
TOKENS_NEED = 1200  # status bar width from which the token counts are shown


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


LOCAL_STYLE = (
    "QLabel {{ color: {accent}; border: 1px solid {accent}; border-radius: 8px;"
    " padding: 0px 8px; font-weight: 600; }}"
)
NAMES = {"gemini": "Gemini", "openai": "OpenAI", "seedance": "Seedance", "kling": "Kling",
         "elevenlabs": "ElevenLabs"}
STEPS = {"prompt": "prompts", "image": "images", "clip": "clips", "narration": "narration"}


def local_preview_tooltip(missing: dict[str, list[str]]) -> str:
    """`missing`: provider -> the steps that fall back to Local preview without its key."""
    rows = "".join(
        f"<li><b>{NAMES.get(p, p)}</b> — {', '.join(STEPS.get(k, k) for k in kinds)}</li>"
        for p, kinds in missing.items()
    )
    return (
        "<p><b>Local preview</b>: no API key for</p>"
        f"<ul style='margin:0'>{rows}</ul>"
        "<p>Those steps are made on this computer for free: title-card images, still "
        "clips and an offline voice, good for checking the story's flow.</p>"
        "<p>To use the real services, add API keys in <b>File › Settings…</b> "
        "(Ctrl+,). Click here to open it.</p>"
    )


class _Clicks(QObject):
    """Left clicks on a label, as a signal."""

    clicked = Signal()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if (event.type() == QEvent.Type.MouseButtonRelease and isinstance(event, QMouseEvent)
                and event.button() == Qt.MouseButton.LeftButton):
            self.clicked.emit()
            return True
        return False


def _clickable(label: QLabel, parent: QObject) -> Signal:
    clicks = _Clicks(parent)
    label.installEventFilter(clicks)
    label.setCursor(Qt.CursorShape.PointingHandCursor)
    return clicks.clicked


class StatusBar(QStatusBar):
    jobsClicked = Signal()  # the job count was clicked: show the jobs panel
    settingsClicked = Signal()  # the Local preview hint was clicked: open Settings

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ops: Ops | None = None
        self.services = services
        self.setSizeGripEnabled(False)
        self.setContentsMargins(8, 0, 8, 0)
        self.local_label = QLabel("Local preview")
        self.local_label.setStyleSheet(LOCAL_STYLE.format(accent=theme.ACCENT))
        self.local_label.hide()
        _clickable(self.local_label, self).connect(self.settingsClicked)
        self.store_label = QLabel()
        self.jobs_label = QLabel()
        self.jobs_label.setToolTip("Show the jobs panel (Ctrl+4)")
        _clickable(self.jobs_label, self).connect(self.jobsClicked)
        self.tokens_box = QWidget()
        self._tokens = QHBoxLayout(self.tokens_box)
        self._tokens.setContentsMargins(0, 0, 0, 0)
        self._tokens.setSpacing(16)
        self.token_labels: dict[str, QLabel] = {}
        self.addPermanentWidget(self.local_label)
        for w in (self.store_label, _sep(), self.jobs_label, _sep(), self.tokens_box):
            self.addPermanentWidget(w)
        self.set_online(True)
        self.set_running_jobs(0)

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

    def use_ops(self, ops: Ops) -> None:
        """Token counts are read through the window's operations (off the GUI thread)."""
        self._ops = ops
        self.refresh_tokens()

    def refresh_tokens(self) -> None:
        if self._ops is not None:
            self._ops.read(self.services.tokens.usage, self._show_tokens, key="tokens")

    def _show_tokens(self, usage: list[TokenUsage]) -> None:
        for u in usage:
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

    def set_local_preview(self, missing: dict[str, list[str]]) -> None:
        """Show the "Local preview" hint while some step of the current project would
        run without an API key (`missing`: provider -> steps); hide it otherwise."""
        self.local_label.setVisible(bool(missing))
        self.local_label.setToolTip(local_preview_tooltip(missing) if missing else "")

    def show_error(self, text: str) -> None:
        self._show_fitted(f"⚠ {text}")

    def show_notice(self, text: str) -> None:
        self._show_fitted(text)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        # On a narrow window the token counts give their room to messages (they are
        # in Settings and on the jobs' costs too).
        self.tokens_box.setVisible(self.width() >= TOKENS_NEED)
        super().resizeEvent(event)

    def message_room(self) -> int:
        """Pixels left of the permanent widgets (the Local preview chip, store, jobs,
        tokens), where a message can be read whole."""
        chips = (self.local_label, self.store_label, self.jobs_label, self.tokens_box)
        used = sum(w.sizeHint().width() + 16 for w in chips if not w.isHidden())
        return max(80, self.width() - used - 48)  # margins and the two separators

    def _show_fitted(self, text: str) -> None:
        """Never painted under the chips: cut between words to the room there is; the
        whole text is in the tooltip (and in the banner above, which shows it all)."""
        from ..domain.text import shorten

        fm = self.fontMetrics()
        one_line = " ".join(text.split())
        # Not on screen yet: no widths to fit to (the next message will be fitted).
        fitted = shorten(one_line, self.message_room(), width=fm.horizontalAdvance) if self.isVisible() else one_line
        self.setToolTip(text if fitted != text else "")
        self.showMessage(fitted, 10_000)
