"""The project list on the left: model, filter, delegate, title dialog, panel."""

from __future__ import annotations

from .model import ProjectListModel
from .panel import ProjectSidebar
from .proxy import ProjectFilterProxy
from .title_dialog import TitleDialog

__all__ = ["ProjectFilterProxy", "ProjectListModel", "ProjectSidebar", "TitleDialog"]
