"""What can stop a render, each with one line an editor can act on."""

from __future__ import annotations


class RenderError(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RenderUnavailable(RenderError):
    """This machine's ffmpeg or fonts cannot make the video at all."""


class RenderCancelled(RenderError):
    def __init__(self) -> None:
        super().__init__("the export was cancelled")


class DiskFull(RenderError):
    pass
