"""The scene pipeline as an explicit state machine.

init > prompt > prompt_confirmed > image > image_confirmed > clip

Generation moves a scene forward, a reviewer confirms or rejects, and regenerating an
earlier step pulls the scene back so nothing later is trusted without review again.
"""

from __future__ import annotations

from enum import StrEnum


class SceneStatus(StrEnum):
    INIT = "init"
    PROMPT = "prompt"
    PROMPT_CONFIRMED = "prompt_confirmed"
    IMAGE = "image"
    IMAGE_CONFIRMED = "image_confirmed"
    CLIP = "clip"


PIPELINE: tuple[SceneStatus, ...] = tuple(SceneStatus)

# What an editor reads for each status, in the window, the CLI and every message: one
# mapping, so a message never says 'prompt_confirmed' where the window says "Prompt confirmed".
STATUS_WORDS: dict[str, str] = {
    SceneStatus.INIT: "Draft",
    SceneStatus.PROMPT: "Prompt to review",
    SceneStatus.PROMPT_CONFIRMED: "Prompt confirmed",
    SceneStatus.IMAGE: "Image to review",
    SceneStatus.IMAGE_CONFIRMED: "Image confirmed",
    SceneStatus.CLIP: "Clip ready",
}
REJECTED_WORDS = "Rejected"


def status_words(status: str) -> str:
    return STATUS_WORDS.get(status, status)


class SceneAction(StrEnum):
    WRITE_PROMPT = "write_prompt"  # prompt generated or typed by the editor
    CONFIRM_PROMPT = "confirm_prompt"
    GENERATE_IMAGE = "generate_image"  # a new image version arrived
    CONFIRM_IMAGE = "confirm_image"
    GENERATE_CLIP = "generate_clip"  # a new clip version arrived
    REJECT = "reject"  # reviewer sends the current step back for rework


class TransitionError(ValueError):
    """The action is not allowed from the scene's current status."""

    def __init__(self, action: SceneAction, status: SceneStatus) -> None:
        self.action = action
        self.status = status
        super().__init__(
            f"cannot {_PHRASES[action]} a scene that is “{status_words(status)}”"
            f" (allowed from: {', '.join(status_words(s) for s in allowed_from(action))})"
        )


S = SceneStatus
A = SceneAction

_PHRASES = {
    A.WRITE_PROMPT: "write a prompt for",
    A.CONFIRM_PROMPT: "confirm the prompt of",
    A.GENERATE_IMAGE: "add an image to",
    A.CONFIRM_IMAGE: "confirm the image of",
    A.GENERATE_CLIP: "add a clip to",
    A.REJECT: "reject",
}

# (action, from) -> to. Anything not listed is forbidden.
_TRANSITIONS: dict[tuple[SceneAction, SceneStatus], SceneStatus] = {
    # Writing a prompt is allowed at any point before the clip is made; it always
    # returns the scene to 'prompt' because the image no longer matches the text.
    (A.WRITE_PROMPT, S.INIT): S.PROMPT,
    (A.WRITE_PROMPT, S.PROMPT): S.PROMPT,
    (A.WRITE_PROMPT, S.PROMPT_CONFIRMED): S.PROMPT,
    (A.WRITE_PROMPT, S.IMAGE): S.PROMPT,
    (A.WRITE_PROMPT, S.IMAGE_CONFIRMED): S.PROMPT,
    (A.WRITE_PROMPT, S.CLIP): S.PROMPT,
    (A.CONFIRM_PROMPT, S.PROMPT): S.PROMPT_CONFIRMED,
    # An image needs a confirmed prompt; a new image version after confirmation (or
    # after the clip) goes back to 'image' and the existing clip becomes stale.
    (A.GENERATE_IMAGE, S.PROMPT_CONFIRMED): S.IMAGE,
    (A.GENERATE_IMAGE, S.IMAGE): S.IMAGE,
    (A.GENERATE_IMAGE, S.IMAGE_CONFIRMED): S.IMAGE,
    (A.GENERATE_IMAGE, S.CLIP): S.IMAGE,
    (A.CONFIRM_IMAGE, S.IMAGE): S.IMAGE_CONFIRMED,
    (A.GENERATE_CLIP, S.IMAGE_CONFIRMED): S.CLIP,
    (A.GENERATE_CLIP, S.CLIP): S.CLIP,
    # Reject sends the step under review back to be redone.
    (A.REJECT, S.PROMPT): S.INIT,
    (A.REJECT, S.PROMPT_CONFIRMED): S.PROMPT,
    (A.REJECT, S.IMAGE): S.PROMPT_CONFIRMED,
    (A.REJECT, S.IMAGE_CONFIRMED): S.IMAGE,
    (A.REJECT, S.CLIP): S.IMAGE_CONFIRMED,
}


def next_status(status: SceneStatus | str, action: SceneAction | str) -> SceneStatus:
    """The status after `action`, or TransitionError if the machine forbids it."""
    status, action = SceneStatus(status), SceneAction(action)
    try:
        return _TRANSITIONS[(action, status)]
    except KeyError:
        raise TransitionError(action, status) from None


def can(status: SceneStatus | str, action: SceneAction | str) -> bool:
    return (SceneAction(action), SceneStatus(status)) in _TRANSITIONS


def allowed_from(action: SceneAction) -> list[SceneStatus]:
    return [s for (a, s) in _TRANSITIONS if a == action]


def allowed_actions(status: SceneStatus | str) -> list[SceneAction]:
    status = SceneStatus(status)
    return [a for (a, s) in _TRANSITIONS if s == status]


def confirm_action(status: SceneStatus | str) -> SceneAction:
    """The reviewer's 'confirm' for a scene: one step forward from prompt or image."""
    status = SceneStatus(status)
    if status == S.PROMPT:
        return A.CONFIRM_PROMPT
    if status == S.IMAGE:
        return A.CONFIRM_IMAGE
    before_image = PIPELINE.index(status) < PIPELINE.index(S.IMAGE)
    raise TransitionError(A.CONFIRM_PROMPT if before_image else A.CONFIRM_IMAGE, status)


def clip_is_stale(status: SceneStatus | str, clip_version: int | None) -> bool:
    """A clip exists but the scene went back before 'clip': the clip no longer matches."""
    return clip_version is not None and SceneStatus(status) != S.CLIP


def progress(status: SceneStatus | str) -> float:
    """0.0 for init to 1.0 for clip, for progress bars."""
    return PIPELINE.index(SceneStatus(status)) / (len(PIPELINE) - 1)
