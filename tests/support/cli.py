"""The `storyclip` command run in-process, as a terminal would run it."""

from __future__ import annotations

import pytest

from storyclip_desktop.cli.main import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `storyclip ARGV...`."""
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def keyless(monkeypatch: pytest.MonkeyPatch, node: str) -> None:
    """No provider key in the environment or the keychain, so every job runs on the
    Local preview; jobs are polled quickly; ids come from installation `node`."""
    for name in ("OPENAI", "GEMINI", "SEEDANCE", "ELEVENLABS"):
        monkeypatch.delenv(f"STORYCLIP_{name}_API_KEY", raising=False)
    monkeypatch.setattr("storyclip_desktop.keychain.has_secret", lambda name: False)
    monkeypatch.setenv("STORYCLIP_NODE", node)
    monkeypatch.setenv("STORYCLIP_JOB_POLL_S", "0.05")
