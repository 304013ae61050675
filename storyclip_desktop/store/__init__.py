"""Persistence: SQLAlchemy models, migrations, repositories (and later, sync)."""
from . import characters_model as characters_model  # noqa: F401  (registers project_character)
from . import exports_model as exports_model  # noqa: F401  (registers video_export)
from . import jobs_model as jobs_model  # noqa: F401  (registers the job table on Base.metadata)
from . import model_choice_model as model_choice_model  # noqa: F401  (registers project_model)
