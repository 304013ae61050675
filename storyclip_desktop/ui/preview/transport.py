"""Play/pause, a scrub slider and the time, bound to one QMediaPlayer."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QStyle, QToolButton, QWidget

from . import multimedia


def format_ms(ms: int) -> str:
    s = max(0, ms) // 1000
    return f"{s // 60}:{s % 60:02d}"


class TransportBar(QWidget):
    def __init__(self, player: Any, parent: QWidget | None = None, *, loop_toggle: bool = False) -> None:
        super().__init__(parent)
        self.player = player
        self.play_button = QToolButton(self)
        self.play_button.setAutoRaise(True)
        self.play_button.setToolTip(self.tr("Play / pause (Space)"))
        self.play_button.clicked.connect(self.toggle)
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setRange(0, 0)
        self.slider.setToolTip(self.tr("Scrub"))
        self.slider.sliderMoved.connect(self.player.setPosition)
        self.slider.sliderReleased.connect(lambda: self.player.setPosition(self.slider.value()))
        self.time = QLabel("0:00 / 0:00", self)
        self.time.setMinimumWidth(self.time.fontMetrics().horizontalAdvance("00:00 / 00:00") + 4)
        self.loop_button: QToolButton | None = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.setSpacing(8)
        layout.addWidget(self.play_button)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.time)
        if loop_toggle:
            self.loop_button = QToolButton(self)
            self.loop_button.setText(self.tr("Loop"))
            self.loop_button.setCheckable(True)
            self.loop_button.setChecked(True)  # short clips are reviewed on repeat
            self.loop_button.setToolTip(self.tr("Play the clip in a loop"))
            self.loop_button.toggled.connect(self.set_loop)
            layout.addWidget(self.loop_button)
            self.set_loop(True)
        player.positionChanged.connect(self._on_position)
        player.durationChanged.connect(self._on_duration)
        player.playbackStateChanged.connect(self._on_state)
        self._on_state(player.playbackState())

    def toggle(self) -> None:
        playing = multimedia.QMediaPlayer.PlaybackState.PlayingState
        if self.player.playbackState() == playing:
            self.player.pause()
        else:
            self.player.play()

    def set_loop(self, on: bool) -> None:
        self.player.setLoops(multimedia.QMediaPlayer.Loops.Infinite if on else 1)

    def _on_position(self, ms: int) -> None:
        if not self.slider.isSliderDown():
            self.slider.setValue(ms)
        self.time.setText(f"{format_ms(ms)} / {format_ms(self.player.duration())}")

    def _on_duration(self, ms: int) -> None:
        self.slider.setRange(0, max(0, ms))
        self.time.setText(f"{format_ms(self.player.position())} / {format_ms(ms)}")

    def _on_state(self, state: Any) -> None:
        playing = state == multimedia.QMediaPlayer.PlaybackState.PlayingState
        icon = QStyle.StandardPixmap.SP_MediaPause if playing else QStyle.StandardPixmap.SP_MediaPlay
        self.play_button.setIcon(self.style().standardIcon(icon))
        self.play_button.setText(self.tr("Pause") if playing else self.tr("Play"))
