"""The operations layer: every service call from the window runs through `Ops`
(docs/architecture.md, "Operations")."""

from .changes import Changes
from .runner import Ops

__all__ = ["Changes", "Ops"]
