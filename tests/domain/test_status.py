import itertools

import pytest

from storyclip_desktop.domain.status import (
    PIPELINE,
    SceneAction,
    SceneStatus,
    TransitionError,
    allowed_actions,
    can,
    clip_is_stale,
    confirm_action,
    next_status,
    status_words,
)

S, A = SceneStatus, SceneAction

# The whole machine, written out independently of the implementation's table.
EXPECTED = {
    (A.WRITE_PROMPT, S.INIT): S.PROMPT,
    (A.WRITE_PROMPT, S.PROMPT): S.PROMPT,
    (A.WRITE_PROMPT, S.PROMPT_CONFIRMED): S.PROMPT,
    (A.WRITE_PROMPT, S.IMAGE): S.PROMPT,
    (A.WRITE_PROMPT, S.IMAGE_CONFIRMED): S.PROMPT,
    (A.WRITE_PROMPT, S.CLIP): S.PROMPT,
    (A.CONFIRM_PROMPT, S.PROMPT): S.PROMPT_CONFIRMED,
    (A.GENERATE_IMAGE, S.PROMPT_CONFIRMED): S.IMAGE,
    (A.GENERATE_IMAGE, S.IMAGE): S.IMAGE,
    (A.GENERATE_IMAGE, S.IMAGE_CONFIRMED): S.IMAGE,
    (A.GENERATE_IMAGE, S.CLIP): S.IMAGE,
    (A.CONFIRM_IMAGE, S.IMAGE): S.IMAGE_CONFIRMED,
    (A.GENERATE_CLIP, S.IMAGE_CONFIRMED): S.CLIP,
    (A.GENERATE_CLIP, S.CLIP): S.CLIP,
    (A.REJECT, S.PROMPT): S.INIT,
    (A.REJECT, S.PROMPT_CONFIRMED): S.PROMPT,
    (A.REJECT, S.IMAGE): S.PROMPT_CONFIRMED,
    (A.REJECT, S.IMAGE_CONFIRMED): S.IMAGE,
    (A.REJECT, S.CLIP): S.IMAGE_CONFIRMED,
}
ALL = list(itertools.product(SceneAction, SceneStatus))


def test_pipeline_order_is_the_documented_one():
    assert [s.value for s in PIPELINE] == [
        "init", "prompt", "prompt_confirmed", "image", "image_confirmed", "clip",
    ]


@pytest.mark.parametrize("action,status", [k for k in ALL if k in EXPECTED])
def test_allowed_transition(action, status):
    assert can(status, action)
    assert next_status(status, action) == EXPECTED[(action, status)]
    assert action in allowed_actions(status)


@pytest.mark.parametrize("action,status", [k for k in ALL if k not in EXPECTED])
def test_forbidden_transition_names_the_status(action, status):
    assert not can(status, action)
    with pytest.raises(TransitionError) as e:
        next_status(status, action)
    assert f"“{status_words(status)}”" in str(e.value)  # the window's words, not the stored value
    assert "allowed from" in str(e.value)


def test_confirm_moves_one_step_from_prompt_or_image_only():
    assert confirm_action("prompt") == A.CONFIRM_PROMPT
    assert confirm_action("image") == A.CONFIRM_IMAGE
    for status in ("init", "prompt_confirmed", "image_confirmed", "clip"):
        with pytest.raises(TransitionError):
            confirm_action(status)


def test_new_image_after_confirmation_goes_back_and_clip_is_stale():
    status = next_status(S.CLIP, A.GENERATE_IMAGE)
    assert status == S.IMAGE
    assert clip_is_stale(status, clip_version=1)
    assert not clip_is_stale(S.CLIP, clip_version=1)
    assert not clip_is_stale(S.IMAGE, clip_version=None)


def test_unknown_values_are_refused():
    with pytest.raises(ValueError):
        next_status("done", A.REJECT)
    with pytest.raises(ValueError):
        next_status(S.INIT, "publish")
