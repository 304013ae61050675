"""The async job engine: queue, per-provider limits, retries, cancel and resume."""

from .engine import JobEngine
from .events import JobEvent
from .limits import DEFAULT_LIMITS
from .providers import ProviderFactory

__all__ = ["JobEngine", "JobEvent", "DEFAULT_LIMITS", "ProviderFactory"]
