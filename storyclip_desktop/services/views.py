"""What services hand to the window and the CLI: plain frozen values, never ORM rows,
so nothing above the services can reach back into a session."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class ProjectSummary:
    id: int
    title: str
    description: str | None
    scene_count: int
    status_counts: dict[str, int]
    updated_at: datetime | None


@dataclass(frozen=True)
class Preferences:
    project_id: int
    image_gen_model: str
    video_gen_model: str
    voice_gen_model: str
    stability: float
    resolution: str
    ratio: str
    custom_style: str | None
    split_rule: str | None


@dataclass(frozen=True)
class ProjectDetail:
    id: int
    user_id: int
    title: str
    description: str | None
    script: str | None
    narration_version: int | None
    preferences: Preferences
    scene_count: int
    status_counts: dict[str, int]
    created_at: datetime | None
    updated_at: datetime | None


@dataclass(frozen=True)
class SceneView:
    id: int
    project_id: int
    scene_id: str
    order: int
    status: str
    scene_json: dict
    image_version: int | None
    clip_version: int | None
    no_subject: bool
    updated_at: datetime | None = None
    # The comment of the reject that put the scene where it is (None once it moved on).
    rejection: str | None = None

    @property
    def narration(self) -> str:
        return str(self.scene_json.get("narration") or "")

    @property
    def rejected(self) -> bool:
        return self.rejection is not None

    @property
    def edited_fields(self) -> tuple[str, ...]:
        """Prompt fields the editor typed by hand: generation leaves them alone unless asked."""
        marks = self.scene_json.get(EDITED_KEY) or []
        return tuple(f for f in marks if isinstance(f, str) and str(self.scene_json.get(f) or "").strip())

    @property
    def replaced(self) -> list[dict]:
        """Prompt texts generation replaced, oldest first ({"fields": {...}, "at": iso})."""
        return [r for r in (self.scene_json.get(REPLACED_KEY) or []) if isinstance(r, dict)]


# Keys of scene_json the services keep beside the texts (they sync with the scene).
EDITED_KEY = "edited_by_hand"
REPLACED_KEY = "replaced_by_generation"


@dataclass(frozen=True)
class DeletedScene:
    """Everything a deleted scene had, so undo brings back the same scene: its id and
    label (its media versions are found by the label again), status, chosen versions,
    position and review history."""

    scene: SceneView
    after_pk: int | None  # the scene it followed; None: it was first
    reviews: list[dict]


@dataclass(frozen=True)
class Review:
    action: str
    from_status: str
    to_status: str
    comment: str | None
    user_id: int
    created_at: datetime | None


@dataclass(frozen=True)
class MoveResult:
    order: list[int]  # scene pks in their new order
    written: int  # rows whose order changed
    positions: dict[int, int] = field(default_factory=dict)  # pk -> new position
    previous: list[int] = field(default_factory=list)  # scene pks in the order before


@dataclass(frozen=True)
class AssetVersion:
    id: int
    parents_id: str
    type: str
    version: int
    storage_url: str
    metadata: dict
    created_at: datetime | None


@dataclass(frozen=True)
class TokenUsage:
    type: str
    usage: int
    limit: int

    @property
    def remaining(self) -> int:
        return max(self.limit - self.usage, 0)

    @property
    def fraction(self) -> float:
        return self.usage / self.limit if self.limit else 1.0


@dataclass(frozen=True)
class Reservation:
    request_key: str
    token_type: str
    amount: int
    state: str


@dataclass(frozen=True)
class CharacterView:
    """A named character and its reference images (newest last)."""

    id: int
    project_id: int
    label: str  # C1, C2, ...: names its references' parents_id
    name: str
    references: tuple[AssetVersion, ...] = ()


@dataclass(frozen=True)
class ProjectReferences:
    style: tuple[AssetVersion, ...]
    characters: tuple[CharacterView, ...]

    def character(self, name: str) -> CharacterView | None:
        key = name.casefold()
        return next((c for c in self.characters if c.name.casefold() == key), None)
