"""Gemini generateContent (structured text; image output with reference parts and a
seed) and the model list, as `google-genai` 3.x sends them and as StoryClip does. The
SDK's default API version is the stable v1: StoryClip must use the same path."""

from __future__ import annotations

from google import genai
from google.genai import types

from storyclip_desktop.domain.model_catalog import default_model
from storyclip_desktop.providers.base import ImageRequest, ReferenceImage, TextRequest
from storyclip_desktop.providers.gemini import GeminiProvider
from storyclip_desktop.providers.prompts import (
    GEMINI_SCENES_SCHEMA,
    image_prompt_with_references,
    scene_split_prompt,
)

from .conftest import ONE_TRY, run_ours
from .wire import PNG, differences, only, wire

KEY = "AIza-oracle-gemini-0123456789"


def sdk(server) -> genai.Client:
    # Only the host is ours: the API version and path are the SDK's own defaults.
    return genai.Client(api_key=KEY, http_options=types.HttpOptions(base_url=server.url))


def compare(server, method: str, path_part: str, sdk_call, our_call) -> None:
    sdk_call(sdk(server))
    theirs = wire(only(server, method, path_part), KEY)
    server.requests.clear()
    run_ours(lambda client: GeminiProvider(api_key=KEY, client=client, base_url=server.url, retry=ONE_TRY), our_call)
    mine = wire(only(server, method, path_part), KEY)
    assert differences(mine, theirs) == []
    assert mine.auth == ("x-goog-api-key", "<key>") and mine.path.startswith("/v1/")


def test_structured_text(server):
    req = TextRequest(script="옛날 옛적에 호랑이가 살았다.")
    model = default_model("gemini", "text")
    compare(
        server, "POST", ":generateContent",
        lambda c: c.models.generate_content(
            model=model,
            contents=[types.Content(role="user", parts=[types.Part(text=scene_split_prompt(req))])],
            config=types.GenerateContentConfig(
                response_mime_type="application/json", response_schema=GEMINI_SCENES_SCHEMA
            ),
        ),
        lambda p: p.split_script(req),
    )


def test_image_with_references_and_a_seed(server):
    refs = (ReferenceImage(PNG, "image/png", "민지"), ReferenceImage(PNG, "image/png", None))
    req = ImageRequest(prompt="민지 walks to school", ratio="9:16", resolution="480p", seed=1234, references=refs)
    compare(
        server, "POST", ":generateContent",
        lambda c: c.models.generate_content(
            model=default_model("gemini", "image"),
            contents=[
                types.Content(
                    role="user",
                    parts=[
                        types.Part(text=image_prompt_with_references(req.prompt, req.negative_prompt, refs)),
                        *(types.Part(inline_data=types.Blob(mime_type=r.mime, data=r.data)) for r in refs),
                    ],
                )
            ],
            config=types.GenerateContentConfig(
                response_modalities=["IMAGE"], image_config=types.ImageConfig(aspect_ratio="9:16"), seed=1234
            ),
        ),
        lambda p: p.generate_image(req),
    )


def test_the_model_list(server):
    compare(server, "GET", "/models", lambda c: list(c.models.list()), lambda p: p.list_models(pages=1))
