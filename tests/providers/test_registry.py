"""One registry: every provider the app names has its keys, label, catalogue, factory and
key check in one place, and the job factory builds what the catalogue names."""

from __future__ import annotations

from storyclip_desktop import keychain
from storyclip_desktop.domain import providers as facts
from storyclip_desktop.domain.model_catalog import CATALOGUE, RETIRED, default_model
from storyclip_desktop.providers.http import RetryPolicy
from storyclip_desktop.providers.registry import REGISTRY, build


def test_every_provider_is_registered_with_a_catalogue_for_what_it_makes():
    assert set(REGISTRY) == {p.name for p in facts.PROVIDERS}
    for p in facts.PROVIDERS:
        for kind in p.kinds:
            models = p.catalogue(kind)
            assert models is not None and models.default in models.ids, (p.name, kind)
            assert models.find(models.default).status() != RETIRED, (p.name, kind)
    assert {(m.provider, m.kind) for m in CATALOGUE} == {(p.name, k) for p in facts.PROVIDERS for k in p.kinds}


def test_keychain_entries_and_variables_come_from_the_registry():
    assert keychain.ENV_VARS == {
        "openai": "STORYCLIP_OPENAI_API_KEY", "gemini": "STORYCLIP_GEMINI_API_KEY",
        "seedance": "STORYCLIP_SEEDANCE_API_KEY", "kling_access": "STORYCLIP_KLING_ACCESS_KEY",
        "kling_secret": "STORYCLIP_KLING_SECRET_KEY", "elevenlabs": "STORYCLIP_ELEVENLABS_API_KEY",
    }
    assert facts.key_entries("kling") == ("kling_access", "kling_secret")


def test_the_factory_builds_each_provider_with_the_model_asked_for():
    one = RetryPolicy(max_attempts=1)
    for p in facts.PROVIDERS:
        for kind in p.kinds:
            model = default_model(p.name, kind)
            made = build(kind, p.name, model, ["k1", "k2"], client=None, retry=one)
            assert made.name == p.name
            assert model in {getattr(made, a, None) for a in ("model", "text_model", "image_model")}
            assert "k1" not in repr(made)
    assert type(build("image", "local", "local-preview", [], client=None, retry=one)).__name__ == "LocalImageProvider"
