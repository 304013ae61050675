from __future__ import annotations

import io

import pytest
from PIL import Image

from storyclip_desktop.domain.model_catalog import default_model
from storyclip_desktop.providers import gemini as gemini_mod
from storyclip_desktop.providers.base import ErrorKind, ImageRequest, ProviderError, TextRequest
from storyclip_desktop.providers.gemini import GeminiProvider
from storyclip_desktop.providers.http import RetryPolicy

from .fakes import (
    SCENES,
    FakeGemini,
    Reply,
    gemini_answer,
    gemini_error,
    quota_failure,
    retry_info,
)

pytestmark = pytest.mark.anyio

IMAGE = f"/v1/models/{default_model('gemini', 'image')}:generateContent"
TEXT = f"/v1/models/{default_model('gemini', 'text')}:generateContent"


ONCE = RetryPolicy(max_attempts=1)  # a key check is asked once, as Settings does


def image_req(ratio="9:16", resolution="480p"):
    return ImageRequest(prompt="a tiger under a pine tree", ratio=ratio, resolution=resolution)


async def test_split_script_asks_for_json_with_a_schema(gemini, gemini_server):
    result = await gemini.split_script(TextRequest(script="옛날 옛적에", no_subject=True))
    assert [s.image_prompt for s in result.scenes] == [s["image_prompt"] for s in SCENES]
    assert result.usage_tokens == 321 and result.model == default_model("gemini", "text")
    (call,) = gemini_server.calls("POST", TEXT)
    assert call.headers["x-goog-api-key"] == FakeGemini.api_key
    config = call.json()["generationConfig"]
    assert config["responseMimeType"] == "application/json"
    assert config["responseSchema"]["properties"]["scenes"]["type"] == "ARRAY"


@pytest.mark.parametrize(
    ("inline_key", "ratio", "resolution", "size"),
    [
        ("inlineData", "9:16", "480p", (480, 854)),
        ("inline_data", "16:9", "720p", (1280, 720)),
    ],
)
async def test_image_at_project_ratio_and_resolution(
    gemini, gemini_server, inline_key, ratio, resolution, size
):
    gemini_server.inline_key = inline_key
    result = await gemini.generate_image(image_req(ratio, resolution))
    img = Image.open(io.BytesIO(result.png))
    assert img.format == "PNG" and img.size == size == (result.width, result.height)
    assert result.usage_tokens == 1290
    (call,) = gemini_server.calls("POST", IMAGE)
    config = call.json()["generationConfig"]
    assert config == {"responseModalities": ["IMAGE"], "imageConfig": {"aspectRatio": ratio}}


async def test_429_honours_retry_info_delay(gemini, gemini_server, waits):
    gemini_server.script(
        "POST",
        IMAGE,
        gemini_error(
            429,
            "RESOURCE_EXHAUSTED",
            "Quota exceeded",
            retry_info("37s"),
            quota_failure("GenerateRequestsPerMinutePerProjectPerModel"),
        ),
    )
    result = await gemini.generate_image(image_req())
    assert result.height == 854
    assert waits.waits == [37.0]
    assert len(gemini_server.calls("POST", IMAGE)) == 2


async def test_per_day_quota_fails_clearly_without_retry(gemini, gemini_server, waits):
    gemini_server.script(
        "POST",
        IMAGE,
        gemini_error(
            429,
            "RESOURCE_EXHAUSTED",
            "Quota exceeded",
            retry_info("37s"),
            quota_failure("GenerateRequestsPerDayPerProjectPerModel-FreeTier"),
        ),
    )
    with pytest.raises(ProviderError) as info:
        await gemini.generate_image(image_req())
    err = info.value
    assert (err.kind, err.retryable) == (ErrorKind.QUOTA, False)
    assert "daily quota" in err.message and err.message.startswith("Your Gemini account")
    assert len(gemini_server.calls("POST", IMAGE)) == 1 and waits.waits == []


async def test_prompt_block_reason_is_shown(gemini, gemini_server):
    gemini_server.script(
        "POST", IMAGE, Reply(json={"promptFeedback": {"blockReason": "PROHIBITED_CONTENT"}})
    )
    with pytest.raises(ProviderError) as info:
        await gemini.generate_image(image_req())
    assert info.value.kind is ErrorKind.REFUSED and info.value.retryable is False
    assert info.value.message == "Gemini refused this content: PROHIBITED_CONTENT"
    assert len(gemini_server.calls("POST", IMAGE)) == 1


async def test_image_safety_finish_reason_is_shown(gemini, gemini_server):
    gemini_server.script("POST", IMAGE, Reply(json=gemini_answer([], finish="IMAGE_SAFETY")))
    with pytest.raises(ProviderError) as info:
        await gemini.generate_image(image_req())
    assert info.value.kind is ErrorKind.REFUSED
    assert info.value.message == "Gemini refused this content: IMAGE_SAFETY"


async def test_text_only_answer_to_an_image_request_is_a_refusal_with_the_text(
    gemini, gemini_server
):
    gemini_server.script(
        "POST", IMAGE, Reply(json=gemini_answer([{"text": "I can't draw real people."}]))
    )
    with pytest.raises(ProviderError) as info:
        await gemini.generate_image(image_req())
    assert info.value.message == "Gemini refused this content: I can't draw real people."


async def test_500_then_success(gemini, gemini_server, waits):
    gemini_server.script(
        "POST", TEXT, gemini_error(500, "INTERNAL", "An internal error has occurred.")
    )
    result = await gemini.split_script(TextRequest(script="x"))
    assert len(result.scenes) == 2
    assert len(gemini_server.calls("POST", TEXT)) == 2 and 1 <= waits.waits[0] <= 2


async def test_503_every_time_gives_up_after_max_attempts(gemini, gemini_server, waits):
    overloaded = gemini_error(503, "UNAVAILABLE", "The model is overloaded.")
    gemini_server.script("POST", TEXT, overloaded, overloaded, overloaded, overloaded)
    with pytest.raises(ProviderError) as info:
        await gemini.split_script(TextRequest(script="x"))
    assert (info.value.kind, info.value.retryable) == (ErrorKind.SERVER_DOWN, True)
    assert info.value.message == "Gemini is not responding properly right now. Try again later."
    assert len(gemini_server.calls("POST", TEXT)) == 3 and len(waits.waits) == 2


async def test_read_timeout_is_not_retried_so_it_never_pays_twice(gemini_server, slow_client, retry, waits):
    provider = GeminiProvider(
        api_key=FakeGemini.api_key, client=slow_client, base_url=gemini_server.url, retry=retry
    )
    gemini_server.script("POST", TEXT, Reply(json={}, delay=1.0))
    with pytest.raises(ProviderError) as info:
        await provider.split_script(TextRequest(script="x"))
    assert (info.value.kind, info.value.retryable) == (ErrorKind.TIMEOUT, False)
    assert "check before trying again" in info.value.message
    assert len(gemini_server.calls("POST", TEXT)) == 1 and waits.waits == []


async def test_malformed_json(gemini, gemini_server):
    gemini_server.script(
        "POST", TEXT, Reply(body=b"<html>proxy error</html>", headers={"Content-Type": "text/html"})
    )
    with pytest.raises(ProviderError) as info:
        await gemini.split_script(TextRequest(script="x"))
    assert info.value.kind is ErrorKind.MALFORMED and info.value.retryable is False


async def test_schema_violating_text_is_malformed(gemini, gemini_server):
    gemini_server.script(
        "POST", TEXT, Reply(json=gemini_answer([{"text": '{"scenes": [{"narration": 1}]}'}]))
    )
    with pytest.raises(ProviderError) as info:
        await gemini.split_script(TextRequest(script="x"))
    assert info.value.kind is ErrorKind.MALFORMED


async def test_bad_key(gemini_server, client, retry):
    secret = "AIzaSECRETSECRET-987654321"
    provider = GeminiProvider(
        api_key=secret, client=client, base_url=gemini_server.url, retry=retry
    )
    with pytest.raises(ProviderError) as info:
        await provider.generate_image(image_req())
    assert (info.value.kind, info.value.retryable) == (ErrorKind.BAD_KEY, False)
    assert info.value.message == "Gemini rejected the API key. Check the key in Settings."
    assert secret not in repr(provider)


async def test_check_key(gemini_server, client):
    assert await gemini_mod.GeminiProvider(api_key=FakeGemini.api_key, client=client, base_url=gemini_server.url, retry=ONCE).check_key() is None
    with pytest.raises(ProviderError) as info:
        await gemini_mod.GeminiProvider(api_key="AIza-wrong", client=client, base_url=gemini_server.url, retry=ONCE).check_key()
    assert info.value.kind is ErrorKind.BAD_KEY
    assert {c.path for c in gemini_server.calls("GET")} == {"/v1/models"}
