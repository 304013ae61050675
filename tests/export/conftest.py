import contextlib
import subprocess
from pathlib import Path

import pytest

from storyclip_desktop.media.render.segments import SegmentCache


@pytest.fixture
def cache(tmp_path: Path) -> SegmentCache:
    return SegmentCache(tmp_path / "segments")


@contextlib.contextmanager
def tmpfs(path: Path, size: str, *, read_only: bool = False):
    """A tiny real filesystem (root only): for a full disk or a read-only folder."""
    path.mkdir(parents=True, exist_ok=True)
    opts = f"size={size}" + (",ro" if read_only else "")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(path)], capture_output=True)
    if r.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (not root?)")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)
