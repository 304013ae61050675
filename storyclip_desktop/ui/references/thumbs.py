"""Small square thumbnails of reference images, read once per file and kept."""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QLabel, QWidget

from ...services.views import AssetVersion
from ..imaging.paths import local_path

SIDE = 36


@lru_cache(maxsize=256)
def _scaled(path: str, side: int) -> QPixmap:
    pm = QPixmap(path)
    if pm.isNull():
        return pm
    return pm.scaled(QSize(side, side), Qt.AspectRatioMode.KeepAspectRatioByExpanding,
                     Qt.TransformationMode.SmoothTransformation).copy(0, 0, side, side)


def thumb(av: AssetVersion, parent: QWidget | None = None, side: int = SIDE) -> QLabel:
    """A thumbnail label; a file this machine does not have shows as a grey 'missing'."""
    label = QLabel(parent)
    label.setFixedSize(side, side)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    path = local_path(av.storage_url)
    pm = _scaled(str(path), side) if path is not None and path.is_file() else QPixmap()
    source = av.metadata.get("source")
    origin = f" from {source['parents_id'].rsplit('-', 1)[-1]} {source['type']} v{source['version']}" if isinstance(source, dict) else ""
    label.setToolTip(f"reference v{av.version}{origin}")
    if pm.isNull():
        label.setText("?")
        label.setStyleSheet("QLabel { background: palette(mid); border-radius: 4px; }")
        label.setToolTip(label.toolTip() + " (file not on this machine)")
    else:
        label.setPixmap(pm)
    return label
