"""The centre page for a project: script, video settings, split."""

from __future__ import annotations

from .page import ProjectPage

__all__ = ["ProjectPage"]
