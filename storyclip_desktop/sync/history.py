"""Scene history: texts that lost a same-field conflict, and bringing one back (which
is an ordinary edit, so it syncs like any other and wins as the latest write)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select

from ..domain.validation import SCENE_TEXT_FIELDS
from ..services.errors import NotFound
from ..services.views import SceneView
from ..store.models import Scene
from .tables import SceneHistory

if TYPE_CHECKING:
    from ..services.app import Services


@dataclass(frozen=True)
class HistoryEntry:
    id: int
    project_id: int
    scene_id: str
    field: str
    value: str | None  # the text that lost
    winner: str | None  # the text kept instead
    user_id: int | None
    created_at: datetime | None


def scene_history(services: Services, project_id: int, scene_id: str | None = None) -> list[HistoryEntry]:
    with services.db.sessions() as s:
        q = select(SceneHistory).where(SceneHistory.project_id == project_id)
        if scene_id is not None:
            pk = s.scalar(select(Scene.id).where(Scene.project_id == project_id, Scene.scene_id == scene_id))
            q = q.where(SceneHistory.scene_pk == pk)
        rows = s.scalars(q.order_by(SceneHistory.created_at, SceneHistory.id)).all()
        return [
            HistoryEntry(r.id, r.project_id, r.scene_id, r.field, r.value, r.winner, r.user_id, r.created_at)
            for r in rows
        ]


def restore(services: Services, history_id: int) -> SceneView:
    """Put the kept text back into its scene field."""
    with services.db.sessions() as s:
        h = s.get(SceneHistory, history_id)
        if h is None:
            raise NotFound(f"no scene history entry {history_id}")
        label = s.scalar(select(Scene.scene_id).where(Scene.id == h.scene_pk))
        if label is None:
            raise NotFound(f"the scene of history entry {history_id} was deleted")
        field, project_id, raw = h.field, h.project_id, h.value
    value: object = raw
    if raw is not None and field not in SCENE_TEXT_FIELDS:
        try:  # a non-text value (a duration) was kept as its JSON
            value = json.loads(raw)
        except ValueError:
            value = raw
    return services.scenes.edit(project_id, label, {field: value})
