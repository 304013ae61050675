"""Seedance tasks (create, get, delete) against the volcengine Ark runtime, and
ElevenLabs text-to-speech with timestamps and the model list against `elevenlabs`."""

from __future__ import annotations

import base64

from elevenlabs import ElevenLabs
from elevenlabs.types import VoiceSettings
from volcenginesdkarkruntime import Ark

from storyclip_desktop.domain.model_catalog import default_model
from storyclip_desktop.providers.base import ClipRequest, NarrationRequest
from storyclip_desktop.providers.elevenlabs import VOICES, ElevenLabsProvider
from storyclip_desktop.providers.seedance import SeedanceProvider

from .conftest import ONE_TRY, run_ours
from .wire import PNG, differences, only, wire

ARK_KEY = "ark-oracle-seedance-0123456789"
ELEVEN_KEY = "sk_oracle_eleven_0123456789"
TASK = "cgt-20261201-1"


def _compare(server, key, method, path_part, sdk_call, make, our_call) -> None:
    sdk_call()
    theirs = wire(only(server, method, path_part), key)
    server.requests.clear()
    run_ours(make, our_call)
    mine = wire(only(server, method, path_part), key)
    assert differences(mine, theirs) == []


def _ark(server) -> Ark:
    return Ark(base_url=server.url + "/api/v3", api_key=ARK_KEY, max_retries=0)


def _seedance(server):
    return lambda client: SeedanceProvider(api_key=ARK_KEY, client=client, base_url=server.url + "/api/v3", retry=ONE_TRY)


def test_seedance_task_create(server):
    req = ClipRequest(image_png=PNG, prompt="slow pan", ratio="9:16", resolution="480p", duration=5,
                      external_id="job-7", seed=42)
    image = "data:image/png;base64," + base64.b64encode(PNG).decode()
    _compare(
        server, ARK_KEY, "POST", "/contents/generations/tasks",
        lambda: _ark(server).content_generation.tasks.create(
            model=default_model("seedance", "clip"),
            content=[
                {"type": "text", "text": req.prompt},
                {"type": "image_url", "image_url": {"url": image}, "role": "first_frame"},
            ],
            resolution="480p", ratio="9:16", duration=5, seed=42, camera_fixed=False, watermark=False,
        ),
        _seedance(server), lambda p: p.create_clip(req),
    )
    assert wire(only(server, "POST", "/tasks"), ARK_KEY).auth == ("authorization", "Bearer <key>")


def test_seedance_task_get_and_delete(server):
    _compare(server, ARK_KEY, "GET", f"/tasks/{TASK}",
             lambda: _ark(server).content_generation.tasks.get(task_id=TASK),
             _seedance(server), lambda p: p.poll_clip(TASK))
    server.requests.clear()
    _compare(server, ARK_KEY, "DELETE", f"/tasks/{TASK}",
             lambda: _ark(server).content_generation.tasks.delete(task_id=TASK),
             _seedance(server), lambda p: p.cancel_clip(TASK))


def _eleven(server):
    return lambda client: ElevenLabsProvider(api_key=ELEVEN_KEY, client=client, base_url=server.url, retry=ONE_TRY)


def test_elevenlabs_speech_with_timestamps(server):
    req = NarrationRequest(text="옛날 옛적에", voice="Otani", stability=0.6, language="ko")
    _compare(
        server, ELEVEN_KEY, "POST", "/with-timestamps",
        lambda: ElevenLabs(api_key=ELEVEN_KEY, base_url=server.url).text_to_speech.convert_with_timestamps(
            VOICES["Otani"], text=req.text, model_id=default_model("elevenlabs", "narration"),
            language_code="ko", voice_settings=VoiceSettings(stability=0.6, similarity_boost=0.75),
            output_format="mp3_44100_128",
        ),
        _eleven(server), lambda p: p.narrate(req),
    )
    assert wire(only(server, "POST", "/with-timestamps"), ELEVEN_KEY).auth == ("xi-api-key", "<key>")


def test_elevenlabs_model_list(server):
    _compare(server, ELEVEN_KEY, "GET", "/v1/models",
             lambda: ElevenLabs(api_key=ELEVEN_KEY, base_url=server.url).models.list(),
             _eleven(server), lambda p: p.list_models())
