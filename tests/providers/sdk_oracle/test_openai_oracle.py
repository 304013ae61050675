"""OpenAI: chat with a JSON schema, image generations, image edits with reference
images, and the model list, each as the `openai` SDK sends it and as StoryClip does."""

from __future__ import annotations

import openai

from storyclip_desktop.domain.model_catalog import default_model
from storyclip_desktop.providers.base import ImageRequest, ReferenceImage, TextRequest
from storyclip_desktop.providers.openai import OpenAIProvider
from storyclip_desktop.providers.prompts import (
    SCENES_SCHEMA,
    image_prompt_with_references,
    scene_split_prompt,
)

from .conftest import ONE_TRY, run_ours
from .wire import PNG, differences, only, wire

KEY = "sk-oracle-openai-0123456789"


def sdk(server) -> openai.OpenAI:
    return openai.OpenAI(api_key=KEY, base_url=server.url + "/v1", max_retries=0)


def ours(server, call):
    return run_ours(
        lambda client: OpenAIProvider(api_key=KEY, client=client, base_url=server.url + "/v1", retry=ONE_TRY), call
    )


def compare(server, method: str, path_part: str, sdk_call, our_call) -> None:
    sdk_call(sdk(server))
    theirs = wire(only(server, method, path_part), KEY)
    server.requests.clear()
    ours(server, our_call)
    mine = wire(only(server, method, path_part), KEY)
    assert differences(mine, theirs) == []
    assert mine.auth == ("authorization", "Bearer <key>")


def test_chat_completions_with_a_json_schema(server):
    req = TextRequest(script="옛날 옛적에 호랑이가 살았다.", language="ko")
    compare(
        server, "POST", "/chat/completions",
        lambda c: c.chat.completions.create(
            model=default_model("openai", "text"),
            messages=[{"role": "user", "content": scene_split_prompt(req)}],
            response_format={
                "type": "json_schema",
                "json_schema": {"name": "scenes", "strict": True, "schema": SCENES_SCHEMA},
            },
        ),
        lambda p: p.split_script(req),
    )


def test_image_generations(server):
    req = ImageRequest(prompt="a tiger under a pine tree", ratio="9:16", resolution="720p", negative_prompt="text")
    compare(
        server, "POST", "/images/generations",
        lambda c: c.images.generate(
            model=default_model("openai", "image"), prompt=image_prompt_with_references(req.prompt, req.negative_prompt, ()),
            n=1, size="1024x1536", quality="high", output_format="png",
        ),
        lambda p: p.generate_image(req),
    )


def test_image_edits_carry_one_image_part_per_reference(server):
    refs = (ReferenceImage(PNG, "image/png", "민지"), ReferenceImage(PNG, "image/png", None))
    req = ImageRequest(prompt="민지 walks to school", ratio="9:16", resolution="480p", references=refs)
    compare(
        server, "POST", "/images/edits",
        lambda c: c.images.edit(
            model=default_model("openai", "image"),
            prompt=image_prompt_with_references(req.prompt, req.negative_prompt, refs),
            image=[(f"reference-{i}.png", r.data, r.mime) for i, r in enumerate(refs, start=1)],
            n=1, size="1024x1536", quality="high", output_format="png",
        ),
        lambda p: p.generate_image(req),
    )
    parts = wire(only(server, "POST", "/images/edits"), KEY).body
    assert parts["image[]"] == ["file image/png", "file image/png"]


def test_the_model_list(server):
    compare(server, "GET", "/models", lambda c: c.models.list(), lambda p: p.list_models())
