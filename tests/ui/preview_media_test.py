"""Clips and narration in the preview: real MP4/WAV files made with ffmpeg, played by
QtMultimedia (skipped only when QtMultimedia cannot be imported)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from storyclip_desktop.ui.imaging import ImageLoader
from storyclip_desktop.ui.preview import PreviewPane, multimedia

from .timeline_support import add_image, make_mp4, make_project, make_wav, write_png

needs_multimedia = pytest.mark.skipif(
    not multimedia.AVAILABLE, reason=f"QtMultimedia cannot be imported: {multimedia.REASON}"
)


@pytest.fixture
def loader(qapp):
    ld = ImageLoader()
    yield ld
    ld.shutdown()


@pytest.fixture
def scene_with_clip(local_services, tmp_path):
    sv = local_services
    pid = make_project(sv, 2)
    add_image(sv, pid, "S1", write_png(tmp_path / "still.png", (200, 120, 20), (720, 1280)))
    sv.reviews.confirm(pid, "S1")  # image_confirmed: a clip may be added
    clip = make_mp4(tmp_path / "clip.mp4", seconds=1.0)
    sv.assets.add_scene_version(pid, "S1", "clip", str(clip), {"provider": "local", "model": "ffmpeg-testsrc"})
    assert sv.scenes.get(pid, "S1").status == "clip"
    return sv, pid, clip


def _pane(qtbot, sv, loader) -> PreviewPane:
    pane = PreviewPane(sv, loader=loader)
    qtbot.addWidget(pane)
    pane.resize(800, 900)
    pane.show()
    qtbot.waitExposed(pane)
    return pane


@needs_multimedia
def test_clip_plays_with_space_scrub_and_loop(qtbot, scene_with_clip, loader):
    from PySide6.QtMultimedia import QMediaPlayer

    sv, pid, _clip = scene_with_clip
    pane = _pane(qtbot, sv, loader)
    pane.show_scene(pid, "S1")
    qtbot.waitUntil(pane.ctx.ops.idle)  # read off the GUI thread
    assert (pane.previewed.type, pane.previewed.version) == ("clip", 1)  # the latest step
    assert pane.media.showing_clip()
    clip = pane.media.player
    player = clip.player
    qtbot.waitUntil(lambda: player.playbackState() == QMediaPlayer.PlaybackState.PlayingState, timeout=10000)
    qtbot.waitUntil(lambda: player.duration() > 0, timeout=10000)
    assert player.mediaStatus() in (
        QMediaPlayer.MediaStatus.LoadedMedia,
        QMediaPlayer.MediaStatus.BufferingMedia,
        QMediaPlayer.MediaStatus.BufferedMedia,
    )
    assert clip.transport.slider.maximum() == player.duration()
    assert player.loops() == QMediaPlayer.Loops.Infinite  # loop is on for review
    clip.setFocus()
    QTest.keyClick(clip, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: player.playbackState() == QMediaPlayer.PlaybackState.PausedState, timeout=5000)
    QTest.keyClick(clip, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: player.playbackState() == QMediaPlayer.PlaybackState.PlayingState, timeout=5000)
    clip.transport.loop_button.click()
    assert player.loops() == 1
    clip.transport.slider.sliderMoved.emit(500)
    qtbot.waitUntil(lambda: player.position() >= 400 or player.playbackState() != QMediaPlayer.PlaybackState.PlayingState, timeout=5000)
    # Switching scenes stops the clip.
    pane.show_scene(pid, "S2")
    qtbot.waitUntil(pane.ctx.ops.idle)  # read off the GUI thread
    assert player.playbackState() == QMediaPlayer.PlaybackState.StoppedState


@needs_multimedia
def test_clip_and_image_in_the_version_strip(qtbot, scene_with_clip, loader):
    sv, pid, _ = scene_with_clip
    pane = _pane(qtbot, sv, loader)
    pane.show_scene(pid, "S1")
    qtbot.waitUntil(pane.ctx.ops.idle)  # read off the GUI thread
    m = pane.strip.versions
    assert [(m.version(r).type, m.version(r).version) for r in range(m.rowCount())] == [("image", 1), ("clip", 1)]
    pane.preview(m.version(0))
    assert not pane.media.showing_clip()
    qtbot.waitUntil(lambda: pane.media.canvas.state == "ready", timeout=5000)


@needs_multimedia
def test_narration_plays_the_projects_chosen_version(qtbot, local_services, loader, tmp_path):
    from PySide6.QtMultimedia import QMediaPlayer

    sv = local_services
    pid = make_project(sv, 1)
    sv.assets.add_narration_version(pid, str(make_wav(tmp_path / "n1.wav", 1.0)), {"provider": "local"})
    sv.assets.add_narration_version(pid, str(make_wav(tmp_path / "n2.wav", 2.0)), {"provider": "local"})
    sv.assets.choose_narration(pid, 1)
    pane = _pane(qtbot, sv, loader)
    pane.show_project(pid)
    qtbot.waitUntil(pane.ctx.ops.idle)  # read off the GUI thread
    bar = pane.narration
    assert bar.path.name == "n1.wav" and bar.info.text() == "v1"
    qtbot.waitUntil(lambda: bar.player.mediaStatus() == QMediaPlayer.MediaStatus.LoadedMedia, timeout=10000)
    assert 900 <= bar.player.duration() <= 1200
    bar.transport.play_button.click()
    qtbot.waitUntil(lambda: bar.player.playbackState() == QMediaPlayer.PlaybackState.PlayingState, timeout=5000)


@needs_multimedia
def test_project_without_narration(qtbot, local_services, loader):
    sv = local_services
    pid = make_project(sv, 1)
    pane = _pane(qtbot, sv, loader)
    pane.show_scene(pid, "S1")
    qtbot.waitUntil(pane.ctx.ops.idle)  # read off the GUI thread
    assert pane.narration.info.text() == "No narration yet"
    assert not pane.narration.transport.isEnabled()


def test_missing_clip_file_says_so(qtbot, local_services, loader, tmp_path):
    sv = local_services
    pid = make_project(sv, 1)
    add_image(sv, pid, "S1", write_png(tmp_path / "s.png", (9, 9, 9)))
    sv.reviews.confirm(pid, "S1")
    sv.assets.add_scene_version(pid, "S1", "clip", str(tmp_path / "never-written.mp4"), {})
    pane = _pane(qtbot, sv, loader)
    pane.show_scene(pid, "S1")
    qtbot.waitUntil(pane.ctx.ops.idle)  # read off the GUI thread
    assert not pane.media.showing_clip()
    assert "missing file" in pane.media.canvas.message and "never-written.mp4" in pane.media.canvas.message
    pane.media.canvas.grab()


def test_without_qtmultimedia_the_pane_explains(qtbot, scene_with_clip, loader, monkeypatch, tmp_path):
    sv, pid, _ = scene_with_clip
    monkeypatch.setattr(multimedia, "AVAILABLE", False)
    monkeypatch.setattr(multimedia, "REASON", "libQt6Multimedia.so.6: cannot open shared object file")
    sv.assets.add_narration_version(pid, str(tmp_path / "n.wav"), {})
    pane = _pane(qtbot, sv, loader)
    pane.show_scene(pid, "S1")
    qtbot.waitUntil(pane.ctx.ops.idle)  # read off the GUI thread
    assert pane.media.player is None and not pane.media.showing_clip()
    assert "Clip playback is unavailable" in pane.media.canvas.message
    assert "cannot open shared object" in pane.media.canvas.message
    assert "Narration playback is unavailable" in pane.narration.info.text()
    # Stills still work.
    pane.preview(pane.strip.versions.version(0))
    qtbot.waitUntil(lambda: pane.media.canvas.state == "ready", timeout=5000)
