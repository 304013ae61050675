"""What an operation changed, in the terms the views refresh by."""

from __future__ import annotations

from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Changes:
    """`project_id` is the project touched (None: none, or several). Views refresh what
    is marked and nothing else; an empty Changes (a read) refreshes nothing."""

    project_id: int | None = None
    projects: bool = False  # the project list: titles, counts, progress
    project: bool = False  # the project's title, script or preferences
    scenes: bool = False  # scenes added, removed or replaced
    order: bool = False  # the scenes' order
    scene_ids: frozenset[str] = field(default_factory=frozenset)  # fields or status changed
    versions: bool = False  # a chosen image or clip version
    reviews: bool = False  # a review decision was made or taken back
    tokens: bool = False  # token usage may have moved

    def __or__(self, other: Changes) -> Changes:
        same = other.project_id in (None, self.project_id) or self.project_id is None
        return Changes(
            (self.project_id if self.project_id is not None else other.project_id) if same else None,
            projects=self.projects or other.projects, project=self.project or other.project,
            scenes=self.scenes or other.scenes, order=self.order or other.order,
            scene_ids=self.scene_ids | other.scene_ids, versions=self.versions or other.versions,
            reviews=self.reviews or other.reviews, tokens=self.tokens or other.tokens,
        )

    def touches_scene(self, project_id: int | None, scene_id: str | None) -> bool:
        return (project_id is not None and self.project_id == project_id
                and (self.scenes or scene_id in self.scene_ids))

    def for_project(self, project_id: int) -> Changes:
        return replace(self, project_id=project_id)

