"""`build.spec` keeps building a one-folder app that starts and works (make dist)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_pyinstaller_folder_runs_version_demo_and_list(tmp_path):
    pytest.importorskip("PyInstaller", reason="install the dist extra: pip install -e '.[dist]'")
    subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
         "--distpath", str(tmp_path / "dist"), "--workpath", str(tmp_path / "build"), "build.spec"],
        cwd=ROOT, check=True, capture_output=True, timeout=900,
    )
    exe = tmp_path / "dist" / "storyclip" / "storyclip"
    env = dict(os.environ, STORYCLIP_DATA_DIR=str(tmp_path / "data"), STORYCLIP_CONFIG_DIR=str(tmp_path / "cfg"))

    def run(*args: str) -> str:
        out = subprocess.run([str(exe), *args], env=env, capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        return out.stdout

    assert "storyclip, version" in run("--version")
    pid = int(run("demo").strip())
    [project] = json.loads(run("project", "list", "--json"))
    assert project["id"] == pid and project["scene_count"] > 0
    bad = subprocess.run([str(exe), "scene", "move", str(pid), "S99", "--to", "1"], env=env, capture_output=True, text=True)
    assert bad.returncode == 1 and bad.stderr.strip().endswith("has no scene S99")
