"""A project's video preferences: models, voice, stability, frame, style, split rule."""

from __future__ import annotations

from sqlalchemy import select

from ..domain import validation as v
from ..store.models import VideoPreference
from .base import ServiceBase
from .convert import preferences_view
from .errors import NotFound
from .views import Preferences

_VALIDATORS = v.PREFERENCE_FIELDS
FIELDS = tuple(_VALIDATORS)


class PreferenceService(ServiceBase):
    def get(self, project_id: int) -> Preferences:
        with self.db.sessions() as s:
            return preferences_view(self._row(s, project_id))

    def update(self, project_id: int, **changes: object) -> Preferences:
        """Validates every field first, so one bad value changes nothing."""
        unknown = set(changes) - set(_VALIDATORS)
        if unknown:
            raise v.ValidationError(sorted(unknown)[0], "is not a video preference")
        clean = {k: _VALIDATORS[k](val) for k, val in changes.items()}
        with self._transaction() as s:
            row = self._row(s, project_id)
            for k, val in clean.items():
                setattr(row, k, val)
            if clean:
                self._record(s, "edit_preferences", project_id, fields=clean)
            s.flush()
            return preferences_view(row)

    def _row(self, s, project_id: int) -> VideoPreference:  # noqa: ANN001
        self._project(s, project_id)
        row = s.scalars(select(VideoPreference).where(VideoPreference.project_id == project_id)).first()
        if row is None:
            raise NotFound(f"project {project_id} has no video preferences")
        return row
