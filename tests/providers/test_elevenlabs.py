from __future__ import annotations

import logging

import pytest

from storyclip_desktop.providers import elevenlabs as eleven_mod
from storyclip_desktop.providers.base import ErrorKind, NarrationRequest, ProviderError
from storyclip_desktop.providers.elevenlabs import ElevenLabsProvider
from storyclip_desktop.providers.http import RetryPolicy

from .fakes import FakeElevenLabs, Reply, eleven_error

pytestmark = pytest.mark.anyio

TTS = "/v1/text-to-speech/"


ONCE = RetryPolicy(max_attempts=1)  # a key check is asked once, as Settings does


def narration(voice="Bin", text="호랑이가 살았어요", stability=0.35):
    return NarrationRequest(text=text, voice=voice, stability=stability)


@pytest.mark.parametrize(
    ("voice", "voice_id"), [("Bin", "s07IwTCOrCDCaETjUVjx"), ("Otani", "3JDquces8E8bkmvbh6Bc")]
)
async def test_narrate_keeps_alignment_and_timing(eleven, eleven_server, voice, voice_id):
    text = "호랑이가 살았어요"
    result = await eleven.narrate(narration(voice, text))
    (call,) = eleven_server.calls("POST", TTS)
    assert call.path == f"/v1/text-to-speech/{voice_id}/with-timestamps"
    assert call.query["output_format"] == ["mp3_44100_128"]
    assert call.headers["xi-api-key"] == FakeElevenLabs.api_key
    body = call.json()
    assert body["voice_settings"] == {"stability": 0.35, "similarity_boost": 0.75}
    assert (body["model_id"], body["language_code"], body["text"]) == (
        "eleven_multilingual_v2",
        "ko",
        text,
    )
    assert result.alignment == eleven_server.speech(text)["alignment"]
    assert result.alignment["characters"] == list(text)
    assert result.duration_s == pytest.approx(len(text) * 0.1)
    assert result.audio == b"ID3\x04fake-mp3:" + text.encode()
    assert (result.mime, result.usage_chars) == ("audio/mpeg", len(text))


async def test_stability_is_kept_within_zero_and_one(eleven, eleven_server):
    await eleven.narrate(narration(stability=1.7))
    assert eleven_server.calls("POST", TTS)[0].json()["voice_settings"]["stability"] == 1.0


async def test_unknown_voice_is_rejected_before_any_request(eleven, eleven_server):
    with pytest.raises(ProviderError) as info:
        await eleven.narrate(narration(voice="Nobody"))
    assert info.value.kind is ErrorKind.BAD_REQUEST and eleven_server.requests == []


async def test_concurrency_limit_is_retried(eleven, eleven_server, waits):
    eleven_server.script(
        "POST",
        TTS,
        eleven_error(429, "too_many_concurrent_requests", "Too many concurrent requests"),
    )
    result = await eleven.narrate(narration())
    assert result.duration_s > 0
    assert len(eleven_server.calls("POST", TTS)) == 2 and len(waits.waits) == 1


async def test_system_busy_every_time_is_rate_limited(eleven, eleven_server):
    busy = eleven_error(429, "system_busy", "The system is busy")
    eleven_server.script("POST", TTS, busy, busy, busy)
    with pytest.raises(ProviderError) as info:
        await eleven.narrate(narration())
    assert (info.value.kind, info.value.retryable) == (ErrorKind.RATE_LIMITED, True)
    assert info.value.message == "ElevenLabs is rate limiting requests. Try again in a moment."
    assert len(eleven_server.calls("POST", TTS)) == 3


async def test_quota_exceeded_is_final(eleven, eleven_server, waits):
    eleven_server.script(
        "POST", TTS, eleven_error(401, "quota_exceeded", "This request exceeds your quota.")
    )
    with pytest.raises(ProviderError) as info:
        await eleven.narrate(narration())
    assert (info.value.kind, info.value.retryable) == (ErrorKind.QUOTA, False) and waits.waits == []


async def test_validation_error_shows_what_was_wrong(eleven, eleven_server):
    eleven_server.script(
        "POST",
        TTS,
        Reply(
            422,
            json={
                "detail": [
                    {"loc": ["body", "text"], "msg": "text is too long", "type": "value_error"}
                ]
            },
        ),
    )
    with pytest.raises(ProviderError) as info:
        await eleven.narrate(narration())
    assert info.value.message == "ElevenLabs rejected the request: text is too long"


async def test_missing_alignment_is_malformed(eleven, eleven_server):
    eleven_server.script(
        "POST",
        TTS,
        Reply(json={"audio_base64": "SUQz", "alignment": None, "normalized_alignment": None}),
    )
    with pytest.raises(ProviderError) as info:
        await eleven.narrate(narration())
    assert info.value.kind is ErrorKind.MALFORMED


async def test_bad_key_leaks_nowhere(eleven_server, client, retry, caplog):
    secret = "sk_SECRETSECRET_0123456789"
    provider = ElevenLabsProvider(
        api_key=secret, client=client, base_url=eleven_server.url, retry=retry
    )
    with caplog.at_level(logging.DEBUG), pytest.raises(ProviderError) as info:
        await provider.narrate(narration())
    assert (info.value.kind, info.value.retryable) == (ErrorKind.BAD_KEY, False)
    assert info.value.message == "ElevenLabs rejected the API key. Check the key in Settings."
    assert secret not in repr(provider) and secret not in caplog.text


async def test_retry_logs_carry_no_secret(eleven, eleven_server, caplog):
    eleven_server.script("POST", TTS, eleven_error(429, "system_busy", "busy"))
    with caplog.at_level(logging.DEBUG):
        await eleven.narrate(narration())
    assert "elevenlabs: rate_limited on attempt 1" in caplog.text
    assert FakeElevenLabs.api_key not in caplog.text


async def test_check_key(eleven_server, client):
    assert await eleven_mod.ElevenLabsProvider(api_key=FakeElevenLabs.api_key, client=client, base_url=eleven_server.url, retry=ONCE).check_key() is None
    with pytest.raises(ProviderError) as info:
        await eleven_mod.ElevenLabsProvider(api_key="sk_wrong", client=client, base_url=eleven_server.url, retry=ONCE).check_key()
    assert info.value.kind is ErrorKind.BAD_KEY
    eleven_server.script(
        "GET", "/v1/user", eleven_error(401, "missing_permissions", "The API key lacks user_read")
    )
    assert await eleven_mod.ElevenLabsProvider(api_key=FakeElevenLabs.api_key, client=client, base_url=eleven_server.url, retry=ONCE).check_key() is None


async def test_spans_use_alignment_not_the_normalized_one(eleven, eleven_server):
    """`normalized_alignment` spells '2' out; scene texts line up with `alignment` only."""
    from storyclip_desktop.domain.timing import Alignment, map_scenes

    scenes = ["호랑이 2마리.", "끝."]
    text = " ".join(scenes)
    said = eleven_server.speech(text)
    spelt = "호랑이 두마리. 끝."
    normalized = eleven_server.speech(spelt)["alignment"]
    eleven_server.script(
        "POST", TTS,
        Reply(json={"audio_base64": said["audio_base64"], "alignment": said["alignment"], "normalized_alignment": normalized}),
    )  # fmt: skip
    result = await eleven.narrate(narration(text=text))
    assert result.alignment["characters"] == list(text)
    assert result.normalized_alignment["characters"] == list(spelt)
    spans = map_scenes(scenes, Alignment.from_json(result.alignment))
    assert spans[1].start == pytest.approx(text.index("끝") * eleven_server.seconds_per_char)
    assert all(s.matched == 1.0 for s in spans)
