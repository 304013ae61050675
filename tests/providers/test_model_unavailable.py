"""Every provider names a refused model the same way: MODEL_UNAVAILABLE, once, never
retried, with where to choose another."""

from __future__ import annotations

import pytest

from storyclip_desktop.providers.base import (
    ClipRequest,
    ErrorKind,
    ImageRequest,
    NarrationRequest,
    ProviderError,
)

from .fakes import ark_error, eleven_error, kling_envelope

pytestmark = pytest.mark.anyio
TASKS = "/api/v3/contents/generations/tasks"


def clip_request() -> ClipRequest:
    from .fakes import framed_png

    return ClipRequest(image_png=framed_png(400, 700), prompt="pan", ratio="9:16", resolution="480p",
                       duration=5, external_id="job-1")


async def _refused(call, server, method, path, label, model):
    with pytest.raises(ProviderError) as e:
        await call()
    assert e.value.kind is ErrorKind.MODEL_UNAVAILABLE and not e.value.retryable
    assert e.value.message == (
        f"{label} does not offer the model '{model}': it is retired or unknown to this key. "
        "Choose another in Settings › Models."
    )
    assert len(server.calls(method, path)) == 1  # not retried


async def test_openai(openai, openai_server):
    openai.image_model = "gpt-image-0"  # not in the server's list: answered model_not_found
    await _refused(lambda: openai.generate_image(ImageRequest("a", "9:16", "480p")), openai_server,
                   "POST", "/v1/images/generations", "OpenAI", "gpt-image-0")


async def test_gemini(gemini, gemini_server):
    gemini.image_model = "gemini-0-image"
    await _refused(lambda: gemini.generate_image(ImageRequest("a", "9:16", "480p")), gemini_server,
                   "POST", "/v1/models/gemini-0-image", "Gemini", "gemini-0-image")


async def test_seedance(seedance, seedance_server):
    seedance_server.script("POST", TASKS, ark_error(404, "InvalidEndpointOrModel.NotFound", "The model does not exist"))
    await _refused(lambda: seedance.create_clip(clip_request()), seedance_server, "POST", TASKS,
                   "Seedance", seedance.model)


async def test_kling(kling, kling_server):
    kling_server.script("POST", "/v1/videos/image2video", kling_envelope(1201, "model_name is invalid"))
    await _refused(lambda: kling.create_clip(clip_request()), kling_server, "POST", "/v1/videos/image2video",
                   "Kling", kling.model)


async def test_elevenlabs(eleven, eleven_server):
    eleven_server.script("POST", "/v1/text-to-speech/", eleven_error(400, "model_not_found", "no such model"))
    await _refused(lambda: eleven.narrate(NarrationRequest("안녕", "Otani", 0.5)), eleven_server,
                   "POST", "/v1/text-to-speech/", "ElevenLabs", eleven.model)
