from __future__ import annotations

import email.utils
import io
import time

import pytest
from PIL import Image

from storyclip_desktop.domain.model_catalog import default_model
from storyclip_desktop.providers import openai as openai_mod
from storyclip_desktop.providers.base import ErrorKind, ImageRequest, ProviderError, TextRequest
from storyclip_desktop.providers.http import RetryPolicy
from storyclip_desktop.providers.openai import OpenAIProvider

from .fakes import GREEN, RED, SCENES, FakeOpenAI, Reply, chat_completion, openai_error

pytestmark = pytest.mark.anyio

IMAGE = "/v1/images/generations"
CHAT = "/v1/chat/completions"


ONCE = RetryPolicy(max_attempts=1)  # a key check is asked once, as Settings does


def image_req(ratio="9:16", resolution="480p"):
    return ImageRequest(prompt="a tiger under a pine tree", ratio=ratio, resolution=resolution)


async def test_split_script_sends_a_strict_json_schema(openai, openai_server):
    result = await openai.split_script(
        TextRequest(script="옛날 옛적에 호랑이가 살았어요", custom_style="ink wash")
    )
    assert [s.narration for s in result.scenes] == [s["narration"] for s in SCENES]
    assert result.scenes[1].duration == 4 and result.scenes[1].negative_prompt == "text"
    assert result.usage_tokens == 321
    (call,) = openai_server.calls("POST", CHAT)
    assert call.headers["authorization"] == f"Bearer {FakeOpenAI.api_key}"
    fmt = call.json()["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
    assert "ink wash" in call.json()["messages"][0]["content"]


@pytest.mark.parametrize(
    ("ratio", "resolution", "sent", "size"),
    [
        ("9:16", "480p", "1024x1536", (480, 854)),
        ("16:9", "720p", "1536x1024", (1280, 720)),
        ("1:1", "1080p", "1024x1024", (1080, 1080)),
    ],
)
async def test_image_is_cropped_and_scaled_to_the_project(
    openai, openai_server, ratio, resolution, sent, size
):
    result = await openai.generate_image(image_req(ratio, resolution))
    img = Image.open(io.BytesIO(result.png))
    assert img.format == "PNG" and img.size == size == (result.width, result.height)
    assert result.usage_tokens == 4210 and result.model == default_model("openai", "image")
    (call,) = openai_server.calls("POST", IMAGE)
    body = call.json()
    assert "response_format" not in body
    assert (
        body["size"] == sent and body["model"] == default_model("openai", "image") and body["output_format"] == "png"
    )
    w, h = size
    cropped_sides = ratio == "9:16"
    cropped_top = ratio == "16:9"
    assert img.getpixel((1, h // 2)) == (GREEN if cropped_sides else RED)
    assert img.getpixel((w // 2, 1)) == (GREEN if cropped_top else RED)


async def test_429_honours_retry_after_ms(openai, openai_server, waits):
    openai_server.script(
        "POST",
        IMAGE,
        Reply(429, json={"error": {"message": "slow down"}}, headers={"retry-after-ms": "1500"}),
    )
    result = await openai.generate_image(image_req())
    assert result.width == 480
    assert waits.waits == [1.5]
    assert len(openai_server.calls("POST", IMAGE)) == 2


async def test_429_honours_retry_after_seconds_and_dates(openai, openai_server, waits):
    date = email.utils.formatdate(time.time() + 20, usegmt=True)
    openai_server.script(
        "POST",
        CHAT,
        Reply(429, json={"error": {"message": "slow"}}, headers={"retry-after": "7"}),
        Reply(429, json={"error": {"message": "slow"}}, headers={"retry-after": date}),
    )
    await openai.split_script(TextRequest(script="x"))
    assert waits.waits[0] == 7.0
    assert 18 <= waits.waits[1] <= 20.5


async def test_insufficient_quota_fails_at_once(openai, openai_server, waits):
    openai_server.script(
        "POST",
        IMAGE,
        openai_error(
            429, "You exceeded your current quota.", "insufficient_quota", "insufficient_quota"
        ),
    )
    with pytest.raises(ProviderError) as info:
        await openai.generate_image(image_req())
    err = info.value
    assert (err.kind, err.retryable) == (ErrorKind.QUOTA, False)
    assert err.message.startswith("Your OpenAI account is out of credit or quota.")
    assert len(openai_server.calls("POST", IMAGE)) == 1 and waits.waits == []


async def test_x_should_retry_false_stops_a_5xx_retry(openai, openai_server):
    openai_server.script(
        "POST",
        CHAT,
        Reply(500, json={"error": {"message": "oops"}}, headers={"x-should-retry": "false"}),
    )
    with pytest.raises(ProviderError) as info:
        await openai.split_script(TextRequest(script="x"))
    assert (info.value.kind, info.value.retryable) == (ErrorKind.SERVER_DOWN, False)
    assert info.value.message == "OpenAI is not responding properly right now. Try again later."
    assert len(openai_server.calls("POST", CHAT)) == 1


async def test_x_should_retry_true_retries_a_4xx(openai, openai_server, waits):
    openai_server.script(
        "POST",
        CHAT,
        Reply(409, json={"error": {"message": "conflict"}}, headers={"x-should-retry": "true"}),
    )
    result = await openai.split_script(TextRequest(script="x"))
    assert len(result.scenes) == 2 and len(waits.waits) == 1
    assert len(openai_server.calls("POST", CHAT)) == 2


async def test_500_then_success(openai, openai_server, waits):
    openai_server.script("POST", IMAGE, Reply(500, json={"error": {"message": "server error"}}))
    assert (await openai.generate_image(image_req())).height == 854
    assert len(waits.waits) == 1 and 1 <= waits.waits[0] <= 2


async def test_gpt_image_read_timeout_is_not_retried_so_it_never_pays_twice(openai_server, client, retry, waits):
    provider = OpenAIProvider(
        api_key=FakeOpenAI.api_key,
        client=client,
        base_url=openai_server.url + "/v1",
        retry=retry,
        image_read_timeout=0.3,
    )
    openai_server.script("POST", IMAGE, Reply(json={}, delay=1.0))
    with pytest.raises(ProviderError) as info:
        await provider.generate_image(image_req())
    assert (info.value.kind, info.value.retryable) == (ErrorKind.TIMEOUT, False)
    assert "may have been processed (and charged) anyway" in info.value.message
    assert len(openai_server.calls("POST", IMAGE)) == 1 and waits.waits == []


def test_default_gpt_image_read_timeout_is_long():
    assert openai_mod.GPT_IMAGE_READ_TIMEOUT == 180.0


async def test_malformed_json_is_not_retried(openai, openai_server, waits):
    openai_server.script(
        "POST", IMAGE, Reply(body=b'{"data": [', headers={"Content-Type": "application/json"})
    )
    with pytest.raises(ProviderError) as info:
        await openai.generate_image(image_req())
    assert info.value.kind is ErrorKind.MALFORMED
    assert info.value.message.startswith("OpenAI sent an answer the app could not read.")
    assert len(openai_server.calls("POST", IMAGE)) == 1


async def test_chat_refusal_shows_the_reason(openai, openai_server):
    openai_server.script(
        "POST", CHAT, Reply(json=chat_completion(None, refusal="I can't help with that request."))
    )
    with pytest.raises(ProviderError) as info:
        await openai.split_script(TextRequest(script="x"))
    assert info.value.kind is ErrorKind.REFUSED and info.value.retryable is False
    assert info.value.message == "OpenAI refused this content: I can't help with that request."


async def test_image_safety_refusal_shows_the_reason(openai, openai_server):
    reason = "Your request was rejected by the safety system."
    openai_server.script(
        "POST",
        IMAGE,
        openai_error(400, reason, "moderation_blocked", "image_generation_user_error"),
    )
    with pytest.raises(ProviderError) as info:
        await openai.generate_image(image_req())
    assert info.value.kind is ErrorKind.REFUSED
    assert info.value.message == f"OpenAI refused this content: {reason}"


async def test_cut_off_answer_is_reported(openai, openai_server):
    openai_server.script(
        "POST", CHAT, Reply(json=chat_completion('{"scenes": [', finish_reason="length"))
    )
    with pytest.raises(ProviderError) as info:
        await openai.split_script(TextRequest(script="x"))
    assert info.value.kind is ErrorKind.MALFORMED and "cut off" in info.value.message


async def test_bad_key_never_leaks_the_key(openai_server, client, retry):
    secret = "sk-proj-SECRETSECRET-987654321"
    provider = OpenAIProvider(
        api_key=secret, client=client, base_url=openai_server.url + "/v1", retry=retry
    )
    with pytest.raises(ProviderError) as info:
        await provider.generate_image(image_req())
    err = info.value
    assert (err.kind, err.retryable) == (ErrorKind.BAD_KEY, False)
    assert err.message == "OpenAI rejected the API key. Check the key in Settings."
    assert secret not in str(err) and secret not in repr(provider)
    assert len(openai_server.calls("POST", IMAGE)) == 1


async def test_check_key(openai_server, client):
    base = openai_server.url + "/v1"
    assert await openai_mod.OpenAIProvider(api_key=FakeOpenAI.api_key, client=client, base_url=base, retry=ONCE).check_key() is None
    with pytest.raises(ProviderError) as info:
        await openai_mod.OpenAIProvider(api_key="sk-wrong-000000", client=client, base_url=base, retry=ONCE).check_key()
    assert info.value.kind is ErrorKind.BAD_KEY
    assert [c.path for c in openai_server.calls("GET")] == ["/v1/models", "/v1/models"]


async def test_provider_text_that_echoes_the_key_is_scrubbed(openai, openai_server):
    echoed = (
        f"Invalid 'prompt': header Authorization: Bearer {FakeOpenAI.api_key} is not allowed here."
    )
    openai_server.script("POST", CHAT, openai_error(400, echoed, "invalid_value"))
    with pytest.raises(ProviderError) as info:
        await openai.split_script(TextRequest(script="x"))
    assert info.value.kind is ErrorKind.BAD_REQUEST
    assert FakeOpenAI.api_key not in str(info.value)
    assert (
        info.value.message
        == "OpenAI rejected the request: Invalid 'prompt': header Authorization: Bearer *** is not allowed here."
    )
