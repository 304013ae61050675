"""Where the window's panels sit and how it remembers them.

`WindowLayout` builds the frame: projects left, the project page / preview in the
centre, the inspector right, the timeline along the bottom, the error banner above.
`LayoutMemory` saves and restores geometry, splitter sizes, visible panels and the
centre tab in ui.ini beside settings.json.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QByteArray, QRect, QSettings, Qt
from PySide6.QtGui import QAction, QGuiApplication, QIcon
from PySide6.QtWidgets import (
    QLayout,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QTabBar,
    QVBoxLayout,
    QWidget,
)

from ..config import config_dir
from . import theme

DEFAULT_SIZES = {"top": [240, 840, 360], "main": [760, 140]}  # at DEFAULT_WINDOW; scaled to the window
DEFAULT_WINDOW = (1440, 900)
MINIMUM_WINDOW = (760, 520)  # below the smallest laptop screen (1024×700) it must fit


def first_size(available: QRect) -> QRect:
    """The window's first geometry: DEFAULT_WINDOW, or the screen's available area when
    that is smaller (a 1024×700 screen gets a window that fits it), centred."""
    w = min(DEFAULT_WINDOW[0], available.width())
    h = min(DEFAULT_WINDOW[1], available.height())
    rect = QRect(0, 0, w, h)
    rect.moveCenter(available.center())
    return rect


def side_sizes(width: int) -> list[int]:
    """Projects | centre | inspector for a window `width` wide: the side panels keep
    readable widths, the centre (the preview) gets everything else."""
    sidebar = max(170, min(260, round(width * 0.16)))
    inspector = max(300, min(380, round(width * 0.24)))
    return [sidebar, max(300, width - sidebar - inspector), inspector]


def ui_settings() -> QSettings:
    """Window layout lives next to settings.json (STORYCLIP_CONFIG_DIR in tests)."""
    path = config_dir() / "ui.ini"
    path.parent.mkdir(parents=True, exist_ok=True)
    return QSettings(str(path), QSettings.Format.IniFormat)


class CenterPane(QWidget):
    """Tabs in a panel header (same height as the side panels') over a stack; QTabWidget
    draws its own frame, which would break the line across the three panels."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        header, row = theme.panel_header()
        row.setContentsMargins(8, 0, 8, 0)
        self.tabs = QTabBar()
        self.tabs.setDocumentMode(True)
        self.tabs.setDrawBase(False)
        self.tabs.setExpanding(False)
        row.addWidget(self.tabs, 0, Qt.AlignmentFlag.AlignBottom)
        row.addStretch(1)
        self.stack = QStackedWidget()
        self.tabs.currentChanged.connect(self.stack.setCurrentIndex)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(header)
        lay.addWidget(self.stack, 1)

    def addTab(self, widget: QWidget, icon: QIcon, text: str) -> int:  # noqa: N802 - QTabWidget's name
        self.stack.addWidget(widget)
        return self.tabs.addTab(icon, text)

    def setCurrentIndex(self, i: int) -> None:  # noqa: N802
        self.tabs.setCurrentIndex(i)

    def currentIndex(self) -> int:  # noqa: N802
        return self.tabs.currentIndex()


class WindowLayout:
    """The panels in their splitters; the window keeps the widgets, this their places."""

    def __init__(self, window: QMainWindow, *, banner: QWidget, sidebar: QWidget, project_page: QWidget,
                 preview: QWidget, inspector: QWidget, timeline: QWidget) -> None:
        self.center = CenterPane()
        self.center.addTab(project_page, theme.icon("script"), "Script && settings")
        self.center.addTab(preview, theme.icon("preview"), "Preview")
        self.top_split = QSplitter(Qt.Orientation.Horizontal)
        for w in (sidebar, self.center, inspector):
            self.top_split.addWidget(w)
        self.top_split.setStretchFactor(1, 1)
        self.top_split.setChildrenCollapsible(False)
        self.main_split = QSplitter(Qt.Orientation.Vertical)
        self.main_split.addWidget(self.top_split)
        self.main_split.addWidget(timeline)
        self.main_split.setStretchFactor(0, 1)
        self.main_split.setChildrenCollapsible(False)
        body = QWidget()
        lay = QVBoxLayout(body)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        banner_box = QVBoxLayout()
        banner_box.setContentsMargins(8, 8, 8, 0)
        banner_box.addWidget(banner)
        lay.addLayout(banner_box)
        lay.addWidget(self.main_split, 1)
        window.setCentralWidget(body)
        # The window never resizes itself: a banner, a panel or a long message that needs
        # more room than there is squeezes the contents instead of growing the window.
        window.layout().setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        window.setMinimumSize(*MINIMUM_WINDOW)

    @property
    def splitters(self) -> dict[str, QSplitter]:
        return {"top": self.top_split, "main": self.main_split}


class LayoutMemory:
    """`panels` maps a settings key to the checkable action that shows the panel."""

    def __init__(self, window: QMainWindow, layout: WindowLayout, panels: Mapping[str, QAction],
                 settings: QSettings | None = None) -> None:
        self.window, self.layout, self.panels = window, layout, dict(panels)
        self.settings = settings or ui_settings()

    def reset(self) -> None:
        for a in self.panels.values():
            a.setChecked(True)
        width = self.window.width() if self.window.width() > MINIMUM_WINDOW[0] else DEFAULT_WINDOW[0]
        self.layout.top_split.setSizes(side_sizes(width))
        self.layout.main_split.setSizes(DEFAULT_SIZES["main"])

    def restore(self) -> None:
        s = self.settings
        geometry = s.value("window/geometry")
        available = self._available()
        if not (isinstance(geometry, QByteArray) and self.window.restoreGeometry(geometry)):
            self.window.setGeometry(first_size(available))
        elif not available.contains(self.window.frameGeometry()):
            # Saved on a larger screen: bring it back inside this one.
            self.window.setGeometry(first_size(available).intersected(available))
        self.reset()
        for key, split in self.layout.splitters.items():
            state = s.value(f"splitters/{key}")
            if isinstance(state, QByteArray):
                split.restoreState(state)
        for key, a in self.panels.items():
            a.setChecked(str(s.value(f"panels/{key}", "true")).lower() == "true")
        tab = s.value("window/tab")
        if tab is not None and str(tab).isdigit():
            self.layout.center.setCurrentIndex(int(tab))

    def save(self, last_project: int | None, last_scene: str | None = None) -> None:
        s = self.settings
        s.setValue("window/geometry", self.window.saveGeometry())
        for key, split in self.layout.splitters.items():
            s.setValue(f"splitters/{key}", split.saveState())
        for key, a in self.panels.items():
            s.setValue(f"panels/{key}", "true" if a.isChecked() else "false")
        s.setValue("window/tab", self.layout.center.currentIndex())
        if last_project is not None:
            s.setValue("last_project", str(last_project))
            if last_scene:
                s.setValue(f"last_scene/{last_project}", last_scene)
        s.sync()

    def _available(self) -> QRect:
        screen = self.window.screen() or QGuiApplication.primaryScreen()
        return screen.availableGeometry() if screen is not None else QRect(0, 0, *DEFAULT_WINDOW)

    def last_scene(self, project_id: int) -> str | None:
        value = self.settings.value(f"last_scene/{project_id}")
        return str(value) if value else None

    def last_project(self) -> int | None:
        last = self.settings.value("last_project")
        return int(last) if last and str(last).isdigit() else None
