"""A real project made once per module by the real job engine with the Local preview
providers (prompts, images, clips, narration: real files through the bundled ffmpeg),
then copied for every test so each one starts from the same store and media.

Scenes: S1 and S2 have clips, S3 only an image, S4 nothing (a title card), S5 no
narration text (its span is its set duration)."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from storyclip_desktop.services import Services

NARRATIONS = [
    "옛날 옛적에 호랑이가 살았어요. Once upon a time a tiger lived in the hills.",
    "호랑이는 떡을 좋아했어요. The tiger loved rice cakes more than anything.",
    "어느 날 할머니가 길을 걸었어요. One day a grandmother walked along the road.",
    "그리고 모두 행복하게 살았어요. And they all lived happily ever after.",
]


def _run(sv: Services, ids: list[int]) -> None:
    from tests.jobs.helpers import engine

    async def main() -> None:
        eng = engine(sv)
        try:
            await eng.submit(ids)
            jobs = await eng.wait(ids)
        finally:
            await eng.aclose()
        bad = [j for j in jobs if j.state != "succeeded"]
        assert not bad, [(j.kind, j.scene_id, j.error) for j in bad]

    asyncio.run(main())


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("handoff-made")
    media, db = root / "media", root / "store.sqlite3"
    mp = pytest.MonkeyPatch()
    mp.setenv("STORYCLIP_MEDIA_DIR", str(media))
    mp.setenv("STORYCLIP_DATA_DIR", str(root / "data"))
    mp.setenv("STORYCLIP_CONFIG_DIR", str(root / "config"))
    try:
        sv = Services.open(f"sqlite:///{db}", node=1)
        pid = sv.projects.create("여우 Fox")
        sv.scenes.split(pid, chunks=NARRATIONS)
        sv.scenes.add(pid, "")  # S5: no narration; its span is the duration set below
        sv.scenes.set_timing(pid, "S5", duration=2)
        _run(sv, sv.generation.prompts(pid, ["S1", "S2", "S3", "S4"]).job_ids)
        for sid in ("S1", "S2", "S3"):
            sv.reviews.confirm(pid, sid)
        _run(sv, sv.generation.images(pid, ["S1", "S2", "S3"]).job_ids)
        for sid in ("S1", "S2"):
            sv.reviews.confirm(pid, sid)
        _run(sv, sv.generation.clips(pid, ["S1", "S2"]).job_ids)
        _run(sv, sv.generation.narration(pid).job_ids)
        sv.close()
    finally:
        mp.undo()
    return {"root": root, "media": media, "db": db, "project_id": pid}


@pytest.fixture
def services(made: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The made store, copied for this test; the media folder (and its segment cache) is shared."""
    db = tmp_path / "store.sqlite3"
    shutil.copy2(made["db"], db)
    monkeypatch.setenv("STORYCLIP_MEDIA_DIR", str(made["media"]))
    sv = Services.open(f"sqlite:///{db}", node=1)
    yield sv
    sv.close()


@pytest.fixture
def pid(made: dict) -> int:
    return made["project_id"]
