from __future__ import annotations

import base64
import itertools
import time

import jwt
import pytest

from storyclip_desktop.providers import kling as kling_mod
from storyclip_desktop.providers.base import ClipRequest, ErrorKind, ProviderError
from storyclip_desktop.providers.http import RetryPolicy
from storyclip_desktop.providers.kling import KlingProvider

from .fakes import FakeKling, Reply, framed_png, kling_envelope

pytestmark = pytest.mark.anyio

CREATE = "/v1/videos/image2video"
FRAME = framed_png(480, 854)


ONCE = RetryPolicy(max_attempts=1)  # a key check is asked once, as Settings does


def clip_req(duration=5, external_id="job-42-scene-3"):
    return ClipRequest(
        image_png=FRAME,
        prompt="the tiger blinks",
        negative_prompt="text",
        ratio="9:16",
        resolution="480p",
        duration=duration,
        external_id=external_id,
    )


def provider_with_clock(server, client, retry, clock):
    return KlingProvider(
        access_key=FakeKling.access_key,
        secret_key=FakeKling.secret_key,
        client=client,
        base_url=server.url,
        retry=retry,
        clock=clock,
    )


def bearer(call):
    return call.headers["authorization"].removeprefix("Bearer ")


async def test_create_signs_a_jwt_and_sends_raw_base64(kling, kling_server):
    task_id = await kling.create_clip(clip_req())
    assert task_id in kling_server.tasks
    (call,) = kling_server.calls("POST", CREATE)
    token = bearer(call)
    assert jwt.get_unverified_header(token) == {"alg": "HS256", "typ": "JWT"}
    claims = jwt.decode(token, FakeKling.secret_key, algorithms=["HS256"])
    assert claims["iss"] == FakeKling.access_key
    assert claims["exp"] - claims["nbf"] == 1805
    assert abs(claims["exp"] - (time.time() + 1800)) < 5
    body = call.json()
    assert not body["image"].startswith("data:")
    assert base64.b64decode(body["image"]) == FRAME
    assert body["duration"] == "5" and body["external_task_id"] == "job-42-scene-3"
    assert (body["model_name"], body["mode"], body["negative_prompt"]) == (
        "kling-v2-1",
        "std",
        "text",
    )


async def test_long_scenes_ask_for_ten_seconds(kling, kling_server):
    await kling.create_clip(clip_req(duration=9))
    assert kling_server.calls("POST", CREATE)[0].json()["duration"] == "10"


async def test_token_is_reused_then_renewed_before_expiry(kling_server, client, retry):
    offset = [-1600.0]  # first token signed 1600 s ago: 200 s of life left
    provider = provider_with_clock(kling_server, client, retry, lambda: time.time() + offset[0])
    await provider.check_key()
    await provider.check_key()
    offset[0] = 0.0
    await provider.check_key()
    first, again, renewed = (bearer(c) for c in kling_server.calls("GET"))
    assert first == again
    assert renewed != first
    assert (
        jwt.decode(renewed, FakeKling.secret_key, algorithms=["HS256"])["exp"] > time.time() + 1700
    )


async def test_1004_re_signs_and_retries_once(kling_server, client, retry, waits):
    ticks = itertools.count(int(time.time()))
    provider = provider_with_clock(kling_server, client, retry, lambda: next(ticks))
    kling_server.script("POST", CREATE, kling_envelope(1004, "token expired", status=401))
    task_id = await provider.create_clip(clip_req())
    assert task_id in kling_server.tasks
    stale, fresh = kling_server.calls("POST", CREATE)
    assert bearer(stale) != bearer(fresh)
    assert waits.waits == []


async def test_1004_twice_is_a_bad_key(kling, kling_server):
    expired = kling_envelope(1004, "token expired", status=401)
    kling_server.script("POST", CREATE, expired, expired)
    with pytest.raises(ProviderError) as info:
        await kling.create_clip(clip_req())
    assert (info.value.kind, info.value.retryable) == (ErrorKind.BAD_KEY, False)
    assert len(kling_server.calls("POST", CREATE)) == 2 and not kling_server.tasks


async def test_1303_waits_longer_then_succeeds(kling, kling_server, waits):
    kling_server.script(
        "POST", CREATE, kling_envelope(1303, "parallel task over resource pack limit", status=429)
    )
    await kling.create_clip(clip_req())
    assert waits.waits == [kling_mod.PARALLEL_TASK_WAIT] and kling_mod.PARALLEL_TASK_WAIT >= 30
    assert len(kling_server.tasks) == 1


async def test_1302_rate_limit_is_retried_with_backoff(kling, kling_server, waits):
    kling_server.script("POST", CREATE, kling_envelope(1302, "rate limit", status=429))
    await kling.create_clip(clip_req())
    assert len(waits.waits) == 1 and 1 <= waits.waits[0] <= 2


@pytest.mark.parametrize(
    ("code", "kind", "retryable", "message"),
    [
        (1102, ErrorKind.QUOTA, False, "Your Kling account is out of credit or quota."),
        (1301, ErrorKind.REFUSED, False, "Kling refused this content: risk control: image flagged"),
        (
            1201,
            ErrorKind.BAD_REQUEST,
            False,
            "Kling rejected the request: risk control: image flagged",
        ),
    ],
)
async def test_final_envelope_codes(kling, kling_server, waits, code, kind, retryable, message):
    kling_server.script("POST", CREATE, kling_envelope(code, "risk control: image flagged"))
    with pytest.raises(ProviderError) as info:
        await kling.create_clip(clip_req())
    assert (info.value.kind, info.value.retryable) == (kind, retryable)
    assert info.value.message.startswith(message)
    assert len(kling_server.calls("POST", CREATE)) == 1 and waits.waits == []


async def test_5000_then_success(kling, kling_server, waits):
    kling_server.script("POST", CREATE, kling_envelope(5000, "server error", status=500))
    await kling.create_clip(clip_req())
    assert len(kling_server.calls("POST", CREATE)) == 2 and len(waits.waits) == 1


async def test_server_down_every_time(kling, kling_server):
    busy = kling_envelope(5001, "server unavailable", status=503)
    kling_server.script("POST", CREATE, busy, busy, busy)
    with pytest.raises(ProviderError) as info:
        await kling.create_clip(clip_req())
    assert (info.value.kind, info.value.retryable) == (ErrorKind.SERVER_DOWN, True)
    assert info.value.message == "Kling is not responding properly right now. Try again later."


async def test_poll_until_succeeded_and_download(kling, kling_server, tmp_path):
    task_id = await kling.create_clip(clip_req())
    states = [await kling.poll_clip(task_id) for _ in range(3)]
    assert [s.state for s in states] == ["queued", "running", "succeeded"]
    dest = tmp_path / "k.mp4"
    assert await kling.download(states[-1].video_url, dest) == len(kling_server.video)
    assert dest.read_bytes() == kling_server.video


async def test_failed_task_carries_the_reason(kling, kling_server):
    kling_server.outcome, kling_server.failure_msg = (
        "failed",
        "Failure to pass the risk control system",
    )
    task_id = await kling.create_clip(clip_req())
    status = [await kling.poll_clip(task_id) for _ in range(3)][-1]
    assert status.state == "failed"
    assert status.error.kind is ErrorKind.REFUSED
    assert (
        status.error.message
        == "Kling refused this content: Failure to pass the risk control system"
    )


async def test_poll_unknown_task_1203(kling):
    with pytest.raises(ProviderError) as info:
        await kling.poll_clip("999")
    assert (info.value.kind, info.value.retryable) == (ErrorKind.NOT_FOUND, False)


async def test_download_403_then_200(kling, kling_server, tmp_path, waits):
    kling_server.files["/files/k.mp4"] = kling_server.video
    kling_server.script("GET", "/files/k.mp4", Reply(403, body=b"denied"))
    assert await kling.download(kling_server.url + "/files/k.mp4", tmp_path / "k.mp4") == len(
        kling_server.video
    )
    assert len(waits.waits) == 1


async def test_cancel_is_not_supported(kling, kling_server):
    assert await kling.cancel_clip("123") is False
    assert kling_server.requests == []


async def test_wrong_secret_is_a_bad_key_and_never_leaks(kling_server, client, retry):
    secret = "WRONG-SECRET-SECRET-0123456789abcdef"
    provider = KlingProvider(
        access_key=FakeKling.access_key,
        secret_key=secret,
        client=client,
        base_url=kling_server.url,
        retry=retry,
    )
    with pytest.raises(ProviderError) as info:
        await provider.create_clip(clip_req())
    assert info.value.kind is ErrorKind.BAD_KEY
    assert info.value.message == "Kling rejected the API key. Check the key in Settings."
    assert secret not in repr(provider) and FakeKling.access_key not in repr(provider)


async def test_check_key(kling_server, client):
    await kling_mod.KlingProvider(access_key=FakeKling.access_key, secret_key=FakeKling.secret_key, client=client, base_url=kling_server.url, retry=ONCE).check_key()
    with pytest.raises(ProviderError) as info:
        await kling_mod.KlingProvider(access_key="ak-other", secret_key=FakeKling.secret_key, client=client, base_url=kling_server.url, retry=ONCE).check_key()
    assert info.value.kind is ErrorKind.BAD_KEY
    assert len(kling_server.calls("GET", CREATE)) == 2
