"""`storyclip character / reference / scene characters / generate same-seed`, end to end
on the Local preview: the references reach the image and its version records them."""

from __future__ import annotations

import io
import json

import pytest
from PIL import Image

from storyclip_desktop.services import Services
from tests.support.cli import keyless, run


@pytest.fixture(autouse=True)
def no_keys(monkeypatch):
    keyless(monkeypatch, node="12")


def _png(path, rgb):
    Image.new("RGB", (160, 240), rgb).save(path, format="PNG")
    return str(path)


def test_characters_references_and_same_seed_from_the_command_line(capsys, tmp_path):
    script = tmp_path / "s.txt"
    script.write_text("민지가 바다를 본다.\n\n갈매기가 난다.", encoding="utf-8")
    code, out, err = run(capsys, "project", "create", "--title", "바다", "--script-file", str(script))
    pid = out.strip()
    run(capsys, "scene", "split", pid)
    assert run(capsys, "character", "add", pid, "민지")[1].strip() == "민지 (C1)"
    assert run(capsys, "character", "add", pid, "Jun")[1].strip() == "Jun (C2)"
    code, out, err = run(capsys, "reference", "add", pid, "--character", "민지", _png(tmp_path / "m.png", (250, 0, 250)))
    assert code == 0, err
    assert out.strip().startswith("민지: reference v1")
    # Bad input: one line, non-zero, nothing recorded.
    (tmp_path / "notes.txt").write_text("not an image")
    code, out, err = run(capsys, "reference", "add", pid, "--style", str(tmp_path / "notes.txt"))
    assert code == 1 and err.strip() == "storyclip: file: notes.txt: not a PNG, JPEG or WebP image"
    code, out, err = run(capsys, "reference", "add", pid, "--character", "수아", _png(tmp_path / "s.png", (0, 0, 0)))
    assert code == 1 and "no character named 수아" in err
    code, out, _ = run(capsys, "character", "list", pid, "--json")
    listed = json.loads(out)
    assert [(c["name"], len(c["references"])) for c in listed["characters"]] == [("민지", 1), ("Jun", 0)]
    assert listed["style"] == []

    code, out, _ = run(capsys, "scene", "characters", pid, "S1")
    assert out.splitlines() == ["S1: no characters", "its text names: 민지 (set them with --suggested)"]
    code, out, _ = run(capsys, "scene", "characters", pid, "S1", "--suggested")
    assert out.strip() == "S1: 민지"
    code, out, err = run(capsys, "scene", "characters", pid, "S2", "Nobody")
    assert code == 1 and "no character named Nobody" in err

    sv = Services.open()
    for label in ("S1", "S2"):
        sv.scenes.edit(int(pid), label, {"image_prompt": f"{label} at the sea"})
        sv.reviews.confirm(int(pid), label)
    code, out, err = run(capsys, "generate", "images", pid, "--wait")
    assert code == 0, err
    (s1,) = sv.assets.versions(int(pid), "S1", "image")
    (s2,) = sv.assets.versions(int(pid), "S2", "image")
    minji = sv.references.get(int(pid)).character("민지").references[0]
    assert s1.metadata["references"] == [{"asset_id": minji.id, "version": 1, "character": "민지"}]
    assert s2.metadata["references"] == []
    assert isinstance(s1.metadata["seed"], int)
    # The reference's magenta is drawn into S1's local preview card, not into S2's.
    from storyclip_desktop.jobs.media_out import resolve
    from storyclip_desktop.media.library import MediaLibrary

    def magenta(url):
        img = Image.open(io.BytesIO(resolve(MediaLibrary(), url).read_bytes())).convert("RGB")
        return sum(1 for px in img.get_flattened_data() if px[0] > 240 and px[1] < 10 and px[2] > 240)

    assert magenta(s1.storage_url) > 1000 and magenta(s2.storage_url) == 0

    code, out, err = run(capsys, "generate", "same-seed", pid, "S1", "--image", "1", "--wait")
    assert code == 0, err
    assert f"with seed {s1.metadata['seed']}" in out
    again = [a for a in sv.assets.versions(int(pid), "S1", "image") if a.version == 2][0]
    assert again.metadata["seed"] == s1.metadata["seed"]
    assert resolve(MediaLibrary(), again.storage_url).read_bytes() == resolve(MediaLibrary(), s1.storage_url).read_bytes()
    code, out, err = run(capsys, "generate", "same-seed", pid, "S1", "--image", "7")
    assert code == 1 and "no image v7" in err

    # A generated image can become a reference; the style too.
    code, out, err = run(capsys, "reference", "use", pid, "S1", "--style")
    assert code == 0 and out.strip() == "style: reference v1 from S1 image v2"
    sv.close()
