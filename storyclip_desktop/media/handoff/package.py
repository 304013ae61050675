"""The export folder appears whole or not at all: everything is written into a hidden
sibling folder, which is renamed to the chosen name only once complete (one rename on
one filesystem), and removed if anything fails."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ...domain.handoff import HandoffError


def check_target(out: Path) -> None:
    """The folder to create: new, or existing and empty (nothing of the user's is replaced)."""
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise HandoffError(f"{out} already exists and is not an empty folder; choose a new folder")
    if not out.parent.is_dir():
        raise HandoffError(f"{out.parent} is not a folder")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def staging(out: Path) -> Iterator[Path]:
    check_target(out)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.part-", dir=out.parent))
    tmp.chmod(0o777 & ~_umask())  # mkdtemp makes it private; the export is an ordinary folder
    try:
        yield tmp
        if out.exists():
            out.rmdir()  # empty, checked above; a rename cannot replace a folder portably
        tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
