"""Use cases: what an editor or reviewer does. The window and the CLI both call these."""

from .app import Services
from .errors import Conflict, Forbidden, NotFound, QuotaExceeded, ServiceError

__all__ = ["Services", "ServiceError", "NotFound", "Conflict", "Forbidden", "QuotaExceeded"]
