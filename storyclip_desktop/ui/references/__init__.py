"""Characters and the style with their reference images: the project page's panel, the
inspector's character picker and the preview's version menu."""

from __future__ import annotations

from .characters_panel import CharactersPanel
from .picker import CharacterPicker

__all__ = ["CharacterPicker", "CharactersPanel"]
