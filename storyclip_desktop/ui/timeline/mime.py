"""The drag payload of timeline cards: which scenes of which project are moving."""

from __future__ import annotations

import json

from PySide6.QtCore import QByteArray, QMimeData

MIME_TYPE = "application/x-storyclip-scene-ids"


def encode(project_id: int, scene_ids: list[str]) -> QMimeData:
    data = QMimeData()
    payload = json.dumps({"project_id": project_id, "scene_ids": scene_ids})
    data.setData(MIME_TYPE, QByteArray(payload.encode()))
    # Plain text too, so dropping cards into a text field pastes their ids.
    data.setText(" ".join(scene_ids))
    return data


def decode(data: QMimeData | None) -> tuple[int, list[str]] | None:
    """(project_id, scene_ids), or None when the payload is not ours or is damaged."""
    if data is None or not data.hasFormat(MIME_TYPE):
        return None
    try:
        payload = json.loads(bytes(data.data(MIME_TYPE).data()).decode())
        pid = int(payload["project_id"])
        ids = [str(s) for s in payload["scene_ids"]]
    except (ValueError, KeyError, TypeError):
        return None
    return (pid, ids) if ids else None
