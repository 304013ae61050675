"""A card's thumbnail carries the scene's duration and its picture's version: both stay
readable (inside the thumbnail, never on top of each other) whatever their words."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QFont, QFontMetrics

from storyclip_desktop.ui.timeline.delegate import CELL, GUTTER_Y, bottom_chips, thumb_rect


@pytest.mark.parametrize(("duration", "version"), [("5.0 s", "v1"), ("12.5 s", "v12"), ("3.4 s !", "v3")])
def test_duration_and_version_chips_never_overlap(qapp, duration, version):
    font = QFont(qapp.font())  # as the delegate draws them
    font.setBold(True)
    font.setPointSizeF(max(7.5, font.pointSizeF() * 0.85))
    fm = QFontMetrics(font)
    thumb = thumb_rect(QRectF(10, 20, CELL.width(), CELL.height() - 2 * GUTTER_Y))
    d, v = bottom_chips(thumb, fm.horizontalAdvance(duration) + 10, fm.horizontalAdvance(version) + 10, fm.height() + 2)
    assert not d.intersects(v), (d, v)
    for chip in (d, v):
        assert thumb.contains(chip), (chip, thumb)
