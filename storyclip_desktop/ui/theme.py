"""The look: a calm neutral palette for light and dark, status colours that read on
both, and icons from `resources/` tinted with the palette's text colour."""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from functools import cache
from pathlib import Path

from PySide6.QtCore import QByteArray, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QIconEngine, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QProxyStyle,
    QStyle,
    QStyleFactory,
    QWidget,
)

from ..domain.status import STATUS_WORDS, SceneStatus

# Mid-dark saturated fills that carry white text at >= 4.5:1 and stand out on light and
# dark windows alike. Kept identical to the timeline cards (timeline/status_style.py)
# so a status has one colour everywhere: warm = waits for review, cool = confirmed.
STATUS_COLORS: dict[str, str] = {
    SceneStatus.INIT: "#5B6472",
    SceneStatus.PROMPT: "#B45309",
    SceneStatus.PROMPT_CONFIRMED: "#0E7490",
    SceneStatus.IMAGE: "#C2410C",
    SceneStatus.IMAGE_CONFIRMED: "#15803D",
    SceneStatus.CLIP: "#7C3AED",
}
STATUS_LABELS: dict[str, str] = STATUS_WORDS  # the one mapping, in domain/status.py
DANGER = "#D64545"
WARNING = "#B45309"
ONLINE = "#15803D"
ACCENT = "#4C7EE0"
GRID = 8  # every margin and gap is a multiple of this


def status_color(status: str) -> QColor:
    return QColor(STATUS_COLORS.get(status, STATUS_COLORS[SceneStatus.INIT]))


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def resource_root() -> Path:
    """`resources/` next to the package in a checkout, or inside a PyInstaller bundle."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parents[2] / "resources"


def resource_path(*parts: str) -> Path:
    return resource_root().joinpath(*parts)


@cache
def _svg(name: str) -> bytes:
    path = resource_path("icons", f"{name}.svg")
    return path.read_bytes() if path.exists() else b""


class _TintedSvgEngine(QIconEngine):
    """Renders at the exact size asked (crisp on HiDPI) in the current palette's text
    colour, so one SVG serves light, dark and disabled."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self._name = name

    def _renderer(self, mode: QIcon.Mode) -> QSvgRenderer:
        pal = QApplication.palette()
        role = QPalette.ColorRole.PlaceholderText if mode == QIcon.Mode.Disabled else QPalette.ColorRole.WindowText
        colour = pal.color(role).name().encode()
        data = _svg(self._name).replace(b"currentColor", colour)
        return QSvgRenderer(QByteArray(data))

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        self._renderer(mode).render(painter, QRectF(rect))

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        pm = QPixmap(size)
        pm.fill(Qt.GlobalColor.transparent)
        p = QPainter(pm)
        self.paint(p, QRect(0, 0, size.width(), size.height()), mode, state)
        p.end()
        return pm

    def clone(self) -> QIconEngine:
        return _TintedSvgEngine(self._name)


def icon(name: str) -> QIcon:
    if not _svg(name):
        return QIcon()
    if name == "app":  # the logo keeps its own colours
        return QIcon(str(resource_path("icons", "app.svg")))
    return QIcon(_TintedSvgEngine(name))


def _palette(dark: bool) -> QPalette:
    # Neutral greys with a faint cool cast, like grading tools: low contrast chrome,
    # high contrast text.
    if dark:
        window, base, alt, text, button = "#232427", "#1B1C1E", "#26272A", "#E6E7E9", "#2E3033"
        mid, dim, hl = "#3A3C40", "#8A8E96", "#3D6FD0"
    else:
        window, base, alt, text, button = "#EDEEF0", "#FAFAFB", "#F3F4F5", "#1E1F22", "#F7F7F8"
        mid, dim, hl = "#C9CCD1", "#7A7F88", "#3F72DB"
    p = QPalette()
    R = QPalette.ColorRole
    for role, c in (
        (R.Window, window), (R.Base, base), (R.AlternateBase, alt), (R.WindowText, text),
        (R.Text, text), (R.Button, button), (R.ButtonText, text), (R.Mid, mid),
        (R.Midlight, alt), (R.Dark, mid), (R.Light, base), (R.Shadow, "#000000"),
        (R.Highlight, hl), (R.HighlightedText, "#FFFFFF"), (R.ToolTipBase, base),
        (R.ToolTipText, text), (R.PlaceholderText, dim), (R.Link, hl), (R.BrightText, "#FFFFFF"),
    ):
        p.setColor(role, QColor(c))
    for role in (R.WindowText, R.Text, R.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor(dim))
    return p


def is_dark() -> bool:
    forced = os.environ.get("STORYCLIP_THEME", "").lower()
    if forced in ("dark", "light"):
        return forced == "dark"
    app = QApplication.instance()
    return bool(app) and app.styleHints().colorScheme() == Qt.ColorScheme.Dark


_QSS = """
QMainWindow::separator { width: 1px; height: 1px; background: palette(mid); }
QSplitter::handle { background: palette(mid); }
QSplitter::handle:horizontal { width: 1px; }
QSplitter::handle:vertical { height: 1px; }
QTabWidget::pane { border: none; border-top: 1px solid palette(mid); }
QTabBar::tab { padding: 0 16px; height: 38px; border: none; border-bottom: 2px solid transparent;
  margin-right: 0; color: palette(placeholder-text); background: transparent; }
QTabBar::tab:selected { color: palette(window-text); border-bottom: 2px solid palette(highlight); }
QTabBar::tab:hover:!selected { color: palette(window-text); }
QToolTip { padding: 4px 8px; }
QScrollBar:vertical { width: 12px; background: transparent; margin: 0; border: none; }
QScrollBar:horizontal { height: 12px; background: transparent; margin: 0; border: none; }
QScrollBar::handle { background: palette(mid); border-radius: 3px; border: 3px solid transparent; }
QScrollBar::handle:vertical { min-height: 32px; margin: 0 3px; }
QScrollBar::handle:horizontal { min-width: 32px; margin: 3px 0; }
QScrollBar::handle:hover { background: palette(placeholder-text); }
QScrollBar::add-line, QScrollBar::sub-line { width: 0; height: 0; border: none; background: none; }
QScrollBar::add-page, QScrollBar::sub-page { background: none; }
QLineEdit, QPlainTextEdit, QComboBox, QSpinBox { border: 1px solid palette(mid);
  border-radius: 4px; padding: 4px 8px; background: palette(base); }
QComboBox { padding-right: 24px; }
QComboBox::drop-down { subcontrol-origin: padding; subcontrol-position: center right;
  width: 24px; border: none; }
QComboBox::down-arrow { image: url("%(arrow)s"); width: 12px; height: 12px; }
QComboBox QAbstractItemView { border: 1px solid palette(mid); background: palette(base);
  selection-background-color: palette(highlight); padding: 4px; }
QSpinBox { padding-right: 20px; }
QSpinBox::up-button, QSpinBox::down-button { subcontrol-origin: border; width: 20px; border: none; }
QSpinBox::up-button { subcontrol-position: top right; }
QSpinBox::down-button { subcontrol-position: bottom right; }
QSpinBox::up-arrow { image: url("%(arrow_up)s"); width: 10px; height: 10px; }
QSpinBox::down-arrow { image: url("%(arrow)s"); width: 10px; height: 10px; }
QPlainTextEdit { padding: 4px; }
QLineEdit:focus, QPlainTextEdit:focus, QComboBox:focus, QSpinBox:focus { border-color: palette(highlight); }
QLineEdit[invalid="true"], QPlainTextEdit[invalid="true"] { border-color: %(danger)s; }
QPushButton { padding: 5px 16px; border-radius: 4px; border: 1px solid palette(mid);
  background: palette(button); min-height: 18px; }
QPushButton:hover { border-color: palette(placeholder-text); }
QPushButton:focus { border-color: palette(highlight); }
QPushButton:default, QPushButton[primary="true"] { background: palette(highlight);
  color: palette(highlighted-text); border-color: palette(highlight); }
QPushButton:disabled { color: palette(placeholder-text); background: palette(window); }
QPushButton[primary="true"]:disabled { background: palette(mid); border-color: palette(mid); }
QToolButton { border: 1px solid transparent; border-radius: 4px; padding: 3px; }
QToolButton:hover { border-color: palette(mid); background: palette(button); }
QToolButton:focus { border-color: palette(highlight); }
QListView, QListWidget { border: none; background: palette(window); outline: 0; }
QScrollArea { border: none; }
QStatusBar { border: 0px solid transparent; border-top: 1px solid palette(mid); }
QStatusBar QLabel { padding: 0 4px; }
QStatusBar::item { border: none; }
QLabel[role="heading"] { font-weight: 600; letter-spacing: 0.5px;
  color: palette(placeholder-text); }
QLabel[role="hint"] { color: palette(placeholder-text); }
QLabel[role="error"] { color: %(danger)s; }
QLabel[role="title"] { font-size: %(title)spt; font-weight: 600; }
QFrame[role="panel-header"] { border: 0px solid transparent; border-bottom: 1px solid palette(mid); }
QFrame[role="card"] { background: palette(base); border: 1px solid palette(mid); border-radius: 6px; }
QFrame#ErrorBanner { background: %(banner)s; border: 1px solid %(danger)s; border-radius: 6px; }
QTableView#jobsTable { background: palette(base); selection-background-color: %(soft)s;
  outline: 0; }
QTableView#jobsTable::item { padding: 0 8px; border: none; }
QTableView#jobsTable QHeaderView::section { background: palette(window); border: none;
  border-bottom: 1px solid palette(mid); padding: 4px 8px 4px 11px; color: palette(placeholder-text);
  font-weight: 600; }
QToolButton[popupMode="1"] { padding-right: 16px; }
QToolButton::menu-button { border: none; width: 14px; }
QToolButton::menu-arrow { image: url("%(arrow)s"); width: 10px; height: 10px; }
QToolButton::menu-arrow:open { top: 1px; }
QFrame#ErrorBanner[level="info"] { background: %(info)s; border: 1px solid %(accent)s; }
"""


@cache
def _qss_dir() -> Path:
    path = Path(tempfile.mkdtemp(prefix="storyclip-qss-"))
    atexit.register(shutil.rmtree, path, True)
    return path


def _arrow(name: str, dark: bool) -> str:
    """QSS images cannot be tinted, so the arrow is written once per scheme."""
    colour = "#B8BBC2" if dark else "#5B606A"
    out = _qss_dir() / f"{name}-{'dark' if dark else 'light'}.svg"
    if not out.exists():
        out.write_bytes(_svg(name).replace(b"currentColor", colour.encode()).replace(b'stroke-width="1.75"', b'stroke-width="2.25"'))
    return out.as_posix()


def stylesheet() -> str:
    base = QApplication.font().pointSizeF() if QApplication.instance() else 10.0
    dark = is_dark()
    banner = "#3A2224" if dark else "#FCECEC"
    info = "#1F2A3D" if dark else "#EAF1FD"
    soft = "#2A3A57" if dark else "#DCE7FB"  # a selection that leaves status colours readable
    return _QSS % {"danger": DANGER, "banner": banner, "info": info, "accent": ACCENT, "soft": soft, "title": round(base * 1.35, 1),
                   "arrow": _arrow("down", dark), "arrow_up": _arrow("up", dark)}


class _Style(QProxyStyle):
    """Fusion without icons on dialog buttons: text-only buttons read calmer."""

    def styleHint(self, hint: QStyle.StyleHint, option=None, widget=None, data=None) -> int:  # noqa: ANN001, N802
        if hint == QStyle.StyleHint.SH_DialogButtonBox_ButtonsHaveIcons:
            return 0
        return super().styleHint(hint, option, widget, data)


def apply(app: QApplication) -> None:
    """Fusion everywhere (same metrics on every OS) in the system's light/dark scheme;
    re-applied when the system switches schemes."""
    app.setStyle(_Style(QStyleFactory.create("Fusion")))
    font = app.font()
    if font.pointSizeF() < 10:
        font.setPointSizeF(10)
    # Noto Sans CJK carries Latin and Hangul with matching metrics where installed.
    font.setFamilies([font.family(), "Noto Sans CJK KR", "Noto Sans KR", "Malgun Gothic", "Apple SD Gothic Neo"])
    app.setFont(font)

    def _refresh() -> None:
        app.setPalette(_palette(is_dark()))
        app.setStyleSheet(stylesheet())

    _refresh()
    app.styleHints().colorSchemeChanged.connect(lambda _s: _refresh())


def set_role(widget: QWidget, role: str) -> QWidget:
    """Tag a widget for the stylesheet (heading, hint, error, title, ...)."""
    widget.setProperty("role", role)
    return widget


def set_invalid(widget: QWidget, invalid: bool) -> None:
    if bool(widget.property("invalid")) != invalid:
        widget.setProperty("invalid", invalid)
        widget.style().unpolish(widget)
        widget.style().polish(widget)


def mono_font() -> QFont:
    f = QFont("monospace")
    f.setStyleHint(QFont.StyleHint.Monospace)
    f.setFamilies(["JetBrains Mono", "DejaVu Sans Mono", "Menlo", "Consolas", "Noto Sans Mono CJK KR", "monospace"])
    return f


REJECTED = "#B91C1C"  # a rejected scene's badge, card and note (timeline/status_style.py)


def rejection_note_style() -> str:
    """The reviewer's comment on a rejected scene: tinted in the rejected colour so it
    reads as part of the badge, on light and dark windows."""
    return (
        "QLabel#rejectionNote { background: rgba(185, 28, 28, 0.14); "
        f"border: 1px solid {REJECTED}; border-radius: 6px; padding: 6px 8px; }}"
    )


def badge_style(status: str, rejected: bool = False) -> str:
    """A solid pill in the status colour with white text (>= 4.5:1 on every fill), the
    same look as the timeline's card badges."""
    fill = REJECTED if rejected else status_color(status).name()
    return (
        f"QLabel {{ background: {fill}; color: #FFFFFF; border: none;"
        "border-radius: 10px; padding: 2px 10px; font-weight: 600; }"
    )


HEADER_HEIGHT = 40  # every panel's title row, so the three top edges line up


def panel_header(title: str | None = None) -> tuple[QFrame, QHBoxLayout]:
    """The strip at the top of a panel: small caps title left, tools right."""
    frame = QFrame()
    frame.setProperty("role", "panel-header")
    frame.setFixedHeight(HEADER_HEIGHT)
    row = QHBoxLayout(frame)
    row.setContentsMargins(16, 0, 8, 0)
    row.setSpacing(8)
    if title:
        row.addWidget(set_role(QLabel(title), "heading"))
    return frame, row
