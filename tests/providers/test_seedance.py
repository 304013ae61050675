from __future__ import annotations

import base64

import httpx
import pytest

from storyclip_desktop.providers import seedance as seedance_mod
from storyclip_desktop.providers.base import ClipRequest, ErrorKind, ProviderError
from storyclip_desktop.providers.http import RetryPolicy
from storyclip_desktop.providers.seedance import SeedanceProvider

from .fakes import FakeSeedance, Reply, ark_error, framed_png

pytestmark = pytest.mark.anyio

TASKS = "/api/v3/contents/generations/tasks"
FRAME = framed_png(480, 854)


ONCE = RetryPolicy(max_attempts=1)  # a key check is asked once, as Settings does


def clip_req(external_id="job-42-scene-3"):
    return ClipRequest(
        image_png=FRAME,
        prompt="the tiger blinks",
        ratio="9:16",
        resolution="480p",
        duration=5,
        external_id=external_id,
    )


async def test_create_sends_text_and_first_frame(seedance, seedance_server):
    task_id = await seedance.create_clip(clip_req())
    assert task_id in seedance_server.tasks
    (call,) = seedance_server.calls("POST", TASKS)
    assert call.headers["authorization"] == f"Bearer {FakeSeedance.api_key}"
    assert call.headers["x-client-request-id"] == "job-42-scene-3"
    body = call.json()
    assert body["content"][0] == {"type": "text", "text": "the tiger blinks"}
    image = body["content"][1]
    assert image["role"] == "first_frame"
    assert (
        base64.b64decode(image["image_url"]["url"].removeprefix("data:image/png;base64,")) == FRAME
    )
    assert (body["resolution"], body["ratio"], body["duration"]) == ("480p", "9:16", 5)
    assert body["model"] == "seedance-1-0-lite-i2v-250428"


async def test_legacy_accounts_get_flags_in_the_prompt(seedance_server, client, retry):
    provider = SeedanceProvider(
        api_key=FakeSeedance.api_key,
        client=client,
        base_url=seedance_server.url + "/api/v3",
        retry=retry,
        legacy_flags=True,
    )
    await provider.create_clip(clip_req())
    body = seedance_server.calls("POST", TASKS)[0].json()
    assert (
        body["content"][0]["text"]
        == "the tiger blinks --rs 480p --rt 9:16 --dur 5 --cf false --wm false"
    )
    assert "resolution" not in body


async def test_poll_until_succeeded_then_download(seedance, seedance_server, tmp_path):
    task_id = await seedance.create_clip(clip_req())
    states = [(await seedance.poll_clip(task_id)) for _ in range(3)]
    assert [s.state for s in states] == ["queued", "running", "succeeded"]
    done = states[-1]
    assert done.error is None and done.usage_tokens == 108900
    assert done.video_url.endswith(f"/files/{task_id}.mp4")
    dest = tmp_path / "clip.mp4.part"
    assert await seedance.download(done.video_url, dest) == len(seedance_server.video)
    assert dest.read_bytes() == seedance_server.video
    # no API key goes to the storage host
    assert "authorization" not in seedance_server.calls("GET", "/files/")[0].headers


@pytest.mark.parametrize(
    ("failure", "kind", "message"),
    [
        (
            {
                "code": "OutputVideoSensitiveContentDetected",
                "message": "The output video may contain sensitive content.",
            },
            ErrorKind.REFUSED,
            "Seedance refused this content: The output video may contain sensitive content.",
        ),
        (
            {"code": "InternalServiceError", "message": "generation crashed"},
            ErrorKind.SERVER_DOWN,
            "Seedance is not responding properly right now. Try again later. (the clip failed: generation crashed)",
        ),
    ],
)
async def test_failed_task(seedance, seedance_server, failure, kind, message):
    seedance_server.outcome, seedance_server.failure = "failed", failure
    task_id = await seedance.create_clip(clip_req())
    status = [await seedance.poll_clip(task_id) for _ in range(3)][-1]
    assert status.state == "failed" and status.video_url is None
    assert status.error.kind is kind and status.error.message == message


async def test_expired_task(seedance, seedance_server):
    seedance_server.outcome = "expired"
    task_id = await seedance.create_clip(clip_req())
    status = [await seedance.poll_clip(task_id) for _ in range(3)][-1]
    assert status.state == "expired"
    assert status.error.kind is ErrorKind.TIMEOUT
    assert "expired before it finished" in status.error.message


async def test_cancel_only_while_queued(seedance, seedance_server):
    first = await seedance.create_clip(clip_req("a"))
    assert await seedance.cancel_clip(first) is True
    assert (await seedance.poll_clip(first)).state == "cancelled"
    second = await seedance.create_clip(clip_req("b"))
    await seedance.poll_clip(second)
    await seedance.poll_clip(second)  # now running
    assert await seedance.cancel_clip(second) is False
    assert len(seedance_server.calls("DELETE")) == 2


async def test_poll_unknown_task_is_not_found(seedance):
    with pytest.raises(ProviderError) as info:
        await seedance.poll_clip("cgt-nope")
    assert info.value.kind is ErrorKind.NOT_FOUND and info.value.retryable is False


async def test_create_500_then_success_makes_one_task(seedance, seedance_server, waits):
    seedance_server.script("POST", TASKS, ark_error(500, "InternalServiceError", "try again"))
    await seedance.create_clip(clip_req())
    assert len(seedance_server.calls("POST", TASKS)) == 2 and len(seedance_server.tasks) == 1
    assert len(waits.waits) == 1


async def test_rate_limit_honours_retry_after(seedance, seedance_server, waits):
    limited = ark_error(429, "RateLimitExceeded.EndpointRPMExceeded", "Too many requests")
    limited.headers["Retry-After"] = "3"
    seedance_server.script("POST", TASKS, limited)
    await seedance.create_clip(clip_req())
    assert waits.waits == [3.0]


async def test_quota_exceeded_is_final(seedance, seedance_server, waits):
    seedance_server.script("POST", TASKS, ark_error(429, "QuotaExceeded", "quota exceeded"))
    with pytest.raises(ProviderError) as info:
        await seedance.create_clip(clip_req())
    assert (info.value.kind, info.value.retryable) == (ErrorKind.QUOTA, False)
    assert len(seedance_server.calls("POST", TASKS)) == 1 and waits.waits == []


async def test_sensitive_input_is_refused_with_the_reason(seedance, seedance_server):
    seedance_server.script(
        "POST",
        TASKS,
        ark_error(
            400,
            "InputImageSensitiveContentDetected",
            "The input image may contain sensitive content.",
        ),
    )
    with pytest.raises(ProviderError) as info:
        await seedance.create_clip(clip_req())
    assert (
        info.value.message
        == "Seedance refused this content: The input image may contain sensitive content."
    )


async def test_create_read_timeout_is_not_retried_so_it_cannot_pay_twice(
    seedance_server, slow_client, retry, waits
):
    provider = SeedanceProvider(
        api_key=FakeSeedance.api_key,
        client=slow_client,
        base_url=seedance_server.url + "/api/v3",
        retry=retry,
    )
    seedance_server.script("POST", TASKS, Reply(json={"id": "cgt-late"}, delay=1.0))
    with pytest.raises(ProviderError) as info:
        await provider.create_clip(clip_req())
    assert (info.value.kind, info.value.retryable) == (ErrorKind.TIMEOUT, False)
    assert "may have been processed (and charged)" in info.value.message
    assert len(seedance_server.calls("POST", TASKS)) == 1 and waits.waits == []


async def test_poll_read_timeout_is_retried(seedance_server, slow_client, retry, waits):
    provider = SeedanceProvider(
        api_key=FakeSeedance.api_key,
        client=slow_client,
        base_url=seedance_server.url + "/api/v3",
        retry=retry,
    )
    task_id = await provider.create_clip(clip_req())
    seedance_server.script("GET", TASKS + "/", Reply(json={}, delay=1.0))
    assert (await provider.poll_clip(task_id)).state == "queued"
    assert len(waits.waits) == 1


async def test_download_403_then_200(seedance, seedance_server, tmp_path, waits):
    seedance_server.files["/files/v.mp4"] = seedance_server.video
    seedance_server.script("GET", "/files/v.mp4", Reply(403, body=b"<Error>AccessDenied</Error>"))
    dest = tmp_path / "v.mp4"
    assert await seedance.download(seedance_server.url + "/files/v.mp4", dest) == len(
        seedance_server.video
    )
    assert dest.read_bytes() == seedance_server.video
    assert len(seedance_server.calls("GET", "/files/v.mp4")) == 2 and len(waits.waits) == 1


async def test_download_cut_mid_stream_is_retried(seedance, seedance_server, tmp_path):
    video = seedance_server.video
    seedance_server.files["/files/v.mp4"] = video
    seedance_server.script(
        "GET", "/files/v.mp4", Reply(body=video[:1000], content_length=len(video))
    )
    dest = tmp_path / "v.mp4"
    assert await seedance.download(seedance_server.url + "/files/v.mp4", dest) == len(video)
    assert dest.read_bytes() == video


async def test_download_cut_every_time_raises_retryable_and_leaves_no_partial_file(
    seedance_server, client, tmp_path, waits
):
    provider = SeedanceProvider(
        api_key=FakeSeedance.api_key,
        client=client,
        base_url=seedance_server.url + "/api/v3",
        retry=RetryPolicy(max_attempts=2, sleep=waits.sleep),
    )
    video = seedance_server.video
    cut = Reply(body=video[:1000], content_length=len(video))
    seedance_server.script("GET", "/files/v.mp4", cut, cut)
    dest = tmp_path / "v.mp4"
    with pytest.raises(ProviderError) as info:
        await provider.download(seedance_server.url + "/files/v.mp4", dest)
    assert (info.value.kind, info.value.retryable) == (ErrorKind.SERVER_DOWN, True)
    assert info.value.message.endswith("(the download was cut off after 1000 bytes)")
    assert not dest.exists()
    assert len(seedance_server.calls("GET", "/files/v.mp4")) == 2


async def test_expired_video_link_is_not_found(seedance, seedance_server, tmp_path):
    with pytest.raises(ProviderError) as info:
        await seedance.download(seedance_server.url + "/files/gone.mp4", tmp_path / "x.mp4")
    assert (info.value.kind, info.value.retryable) == (ErrorKind.NOT_FOUND, False)


async def test_bad_key_and_check_key(seedance_server, client, retry):
    base = seedance_server.url + "/api/v3"
    assert await seedance_mod.SeedanceProvider(api_key=FakeSeedance.api_key, client=client, base_url=base, retry=ONCE).check_key() is None
    with pytest.raises(ProviderError) as info:
        await seedance_mod.SeedanceProvider(api_key="ark-wrong", client=client, base_url=base, retry=ONCE).check_key()
    assert info.value.kind is ErrorKind.BAD_KEY
    assert info.value.message == "Seedance rejected the API key. Check the key in Settings."
    secret = "ark-SECRETSECRET-9876"
    provider = SeedanceProvider(api_key=secret, client=client, base_url=base, retry=retry)
    with pytest.raises(ProviderError) as info:
        await provider.create_clip(clip_req())
    assert info.value.kind is ErrorKind.BAD_KEY and secret not in repr(provider)


async def test_download_shorter_than_content_length_is_caught_even_if_the_transport_allows_it(
    tmp_path, waits
):
    # a transport that does not enforce Content-Length itself (unlike h11) must not fool us
    def short_body(request):
        return httpx.Response(200, headers={"Content-Length": "5000"}, content=b"x" * 1000)

    async with httpx.AsyncClient(transport=httpx.MockTransport(short_body)) as mock:
        provider = SeedanceProvider(
            api_key="k",
            client=mock,
            base_url="http://ark.test/api/v3",
            retry=RetryPolicy(max_attempts=2, sleep=waits.sleep),
        )
        with pytest.raises(ProviderError) as info:
            await provider.download("http://cdn.test/v.mp4", tmp_path / "v.mp4")
    assert info.value.retryable and "cut off after 1000 bytes" in info.value.message
    assert not (tmp_path / "v.mp4").exists() and len(waits.waits) == 1
