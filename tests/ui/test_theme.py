from __future__ import annotations

import sys

from PySide6.QtGui import QColor, QIcon, QPalette

from storyclip_desktop.domain.status import SceneStatus
from storyclip_desktop.ui import theme


def _lum(c: QColor) -> float:
    def ch(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * ch(c.redF()) + 0.7152 * ch(c.greenF()) + 0.0722 * ch(c.blueF())


def _contrast(a: QColor, b: QColor) -> float:
    hi, lo = sorted((_lum(a), _lum(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_every_status_has_a_badge_colour_readable_on_light_and_dark():
    white = QColor("#FFFFFF")
    for status in SceneStatus:
        fill = theme.status_color(status)
        assert _contrast(fill, white) >= 4.5, status  # the badge's white text
        for scheme in (False, True):
            window = theme._palette(scheme).color(QPalette.ColorRole.Window)
            assert _contrast(fill, window) >= 1.8, (status, scheme)  # the pill stands out
        assert theme.status_label(status)


def test_resources_are_found_in_the_tree_and_in_a_bundle(qapp, monkeypatch, tmp_path):
    assert (theme.resource_root() / "icons" / "add.svg").exists()
    icon = theme.icon("add")
    assert isinstance(icon, QIcon) and not icon.pixmap(16, 16).isNull()
    assert theme.icon("no-such-icon").isNull()
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert theme.resource_root() == tmp_path / "resources"


def test_menu_actions_have_icons(local_services, window):
    missing = [
        a.text() for m in window.menuBar().actions() for a in m.menu().actions()
        if not a.isSeparator() and a.icon().isNull() and a is not window.act_quit
    ]
    assert missing == []
