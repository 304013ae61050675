"""The comparison must fail when StoryClip's request is wrong in the ways that matter:
a planted wrong body key, auth form, auth header or path each shows up as a difference."""

from __future__ import annotations

import dataclasses

import pytest

from storyclip_desktop.providers.base import ImageRequest

from .test_openai_oracle import KEY, ours, sdk
from .wire import Wire, differences, only, wire


@pytest.fixture
def pair(server):
    req = ImageRequest(prompt="a tiger", ratio="9:16", resolution="480p")
    sdk(server).images.generate(model="gpt-image-2.6-sunburst", prompt="a tiger", n=1, size="1024x1536",
                                quality="high", output_format="png")
    theirs = wire(only(server, "POST", "/images/generations"), KEY)
    server.requests.clear()
    ours(server, lambda p: p.generate_image(req))
    mine = wire(only(server, "POST", "/images/generations"), KEY)
    assert differences(mine, theirs) == []
    return mine, theirs


def _renamed(body: dict, old: str, new: str) -> dict:
    return {new if k == old else k: v for k, v in body.items()}


@pytest.mark.parametrize(
    ("plant", "expected"),
    [
        (lambda w: dataclasses.replace(w, body=_renamed(w.body, "output_format", "format")),
         "body.format: StoryClip sends it, the SDK does not"),
        (lambda w: dataclasses.replace(w, body={**w.body, "n": "string='1'"}),
         "body.n: StoryClip \"string='1'\", SDK 'integer=1'"),
        (lambda w: dataclasses.replace(w, auth=("authorization", "Token <key>")),
         "auth: StoryClip ('authorization', 'Token <key>'), SDK ('authorization', 'Bearer <key>')"),
        (lambda w: dataclasses.replace(w, auth=("x-api-key", "<key>")),
         "auth: StoryClip ('x-api-key', '<key>'), SDK ('authorization', 'Bearer <key>')"),
        (lambda w: dataclasses.replace(w, path="/v1beta/images/generations"),
         "path: StoryClip '/v1beta/images/generations', SDK '/v1/images/generations'"),
    ],
)
def test_a_planted_mistake_is_a_difference(pair, plant, expected):
    mine, theirs = pair
    planted: Wire = plant(mine)
    assert expected in differences(planted, theirs)
