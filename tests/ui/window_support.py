"""Helpers for the window tests."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtGui import QFocusEvent, QInputMethodEvent
from PySide6.QtWidgets import QApplication, QWidget


def title_card_project(services, durations: tuple[float, float, float]) -> int:
    """A project of three scenes with nothing generated yet (title cards) of these
    durations in seconds; its id."""
    pid = services.projects.create("카드 Cards")
    services.scenes.split(pid, chunks=["첫 장면 first", "둘째 장면 second", "셋째 장면 third"])
    services.scenes.set_durations(pid, dict(zip(("S1", "S2", "S3"), durations, strict=True)))
    return pid


def type_ime(widget: QWidget, text: str) -> None:
    """Type like a Korean IME does: each syllable arrives as a committed string (QTest's
    keyClicks only knows keys that exist on a Latin keyboard)."""
    for ch in text:
        ev = QInputMethodEvent("", [])
        ev.setCommitString(ch)
        QApplication.sendEvent(widget, ev)


def focus_out(widget: QWidget) -> None:
    """What leaving a field does, without depending on window activation offscreen."""
    QApplication.sendEvent(widget, QFocusEvent(QEvent.Type.FocusOut))


def scenes_under_review(sv, pid: int, folder) -> None:  # noqa: ANN001 - Services, Path
    """A split project's S2 with a prompt to review and S3 with two images (v2 in use);
    the other scenes stay drafts. The image files are empty: the preview says "missing",
    the choice between them is what counts."""
    sv.scenes.edit(pid, "S2", {"image_prompt": "가을 하늘"})
    sv.scenes.edit(pid, "S3", {"image_prompt": "단풍길"})
    sv.reviews.confirm_prompt(pid, "S3")
    for n in (1, 2):
        picture = folder / f"s3-{n}.png"
        picture.write_bytes(b"")
        sv.assets.add_scene_version(pid, "S3", "image", picture.as_uri())
