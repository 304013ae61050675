"""The exact model per family on both stores: a person's choice for one project, the
choice for every project, and the catalogue default, in that order."""

from __future__ import annotations

import pytest

from storyclip_desktop.domain.validation import ValidationError


def test_project_choice_then_every_project_then_the_default(services):
    sv = services
    pid = sv.projects.create("민지의 하루")
    other = sv.projects.create("other")
    assert sv.models.chosen("gemini", "image", pid) == "gemini-3.1-flash-image"
    sv.models.choose("gemini", "image", "gemini-2.5-flash-image")
    sv.models.choose("gemini", "image", "gemini-3-pro-image", project_id=pid)
    sv.models.choose("gemini", "image", "gemini-3.1-flash-lite-image", project_id=pid)  # replaces it
    assert sv.models.chosen("gemini", "image", pid) == "gemini-3.1-flash-lite-image"
    assert sv.models.chosen("gemini", "image", other) == "gemini-2.5-flash-image"
    assert sv.models.chosen("gemini", "prompt", pid) == "gemini-3.8-flash"  # prompts use the text model
    assert sv.models.project_choices(pid) == {"gemini/image": "gemini-3.1-flash-lite-image"}
    sv.models.clear("gemini", "image", project_id=pid)
    assert sv.models.chosen("gemini", "image", pid) == "gemini-2.5-flash-image"
    sv.models.clear("gemini", "image")
    assert sv.models.chosen("gemini", "image", pid) == "gemini-3.1-flash-image"


def test_refused_choices_change_nothing(services):
    sv = services
    pid = sv.projects.create("p")
    with pytest.raises(ValidationError, match="seedance makes no image"):
        sv.models.choose("seedance", "image", "seedance-1-5-pro-251215", project_id=pid)
    with pytest.raises(ValidationError, match="gpt-4.1-nano was retired 2026-10-23"):
        sv.models.choose("openai", "text", "gpt-4.1-nano", project_id=pid)
    sv.models.remember_available("openai", ["gpt-5.5"])
    with pytest.raises(ValidationError, match="gpt-7-preview is not offered to this openai key"):
        sv.models.choose("openai", "text", "gpt-7-preview")
    assert sv.models.project_choices(pid) == {}
    assert sv.models.chosen("openai", "text", pid) == "gpt-5.5"
