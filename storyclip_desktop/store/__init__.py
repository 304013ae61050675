"""Persistence: SQLAlchemy models, migrations, repositories (and later, sync)."""
from . import jobs_model as jobs_model  # noqa: F401  (registers the job table on Base.metadata)
