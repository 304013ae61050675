"""What a generation job makes. The stored `job.kind` values, with the words the window
and the CLI use for each."""

from __future__ import annotations

from enum import StrEnum


class JobKind(StrEnum):
    TEXT = "text"  # split the whole script into scenes
    PROMPT = "prompt"
    IMAGE = "image"
    CLIP = "clip"
    NARRATION = "narration"
    EXPORT = "export"  # the finished short, rendered from the plan (not a generate action)

    @property
    def noun(self) -> str:
        """"a {noun} job": what a user calls the thing it makes."""
        return "scene split" if self is JobKind.TEXT else self.value

    @property
    def api(self) -> str:
        """Prompt writing and scene splitting are both calls to the text API."""
        return "text" if self in (JobKind.TEXT, JobKind.PROMPT) else self.value

    @property
    def batch(self) -> str:
        """The CLI's `generate` subcommand and the window's generate action."""
        return _BATCH[self]

    @property
    def per_scene(self) -> bool:
        return self in (JobKind.PROMPT, JobKind.IMAGE, JobKind.CLIP)

    @property
    def generated(self) -> bool:
        """Made by a generation provider (everything but an export)."""
        return self is not JobKind.EXPORT

    @classmethod
    def from_batch(cls, name: str) -> JobKind:
        for kind, batch in _BATCH.items():
            if batch == name:
                return kind
        raise ValueError(f"unknown generate action {name!r}")


_BATCH = {
    JobKind.TEXT: "split",
    JobKind.PROMPT: "prompts",
    JobKind.IMAGE: "images",
    JobKind.CLIP: "clips",
    JobKind.NARRATION: "narration",
}


def a(noun: str) -> str:
    """"an image", "a clip"."""
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"
