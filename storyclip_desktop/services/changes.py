"""What changed in the store since a token, so the window follows changes made outside
it: the CLI, another process, a sync pull into the local file, another person on the
shared store.

On SQLite `PRAGMA data_version` tells, without reading any table, whether any other
connection committed since the last look; only then is a snapshot taken and compared.
PostgreSQL has no such counter, so a snapshot is taken on every look (a few aggregate
queries). A `ChangeFeed` keeps its own connection for the counter, so it belongs to
one thread (the watcher's).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from ..store.models import Asset, Project, Scene, SceneReview

if TYPE_CHECKING:
    from .app import Services


@dataclass(frozen=True)
class Snapshot:
    projects: dict[int, tuple] = field(default_factory=dict)  # project id -> its row and scene tallies
    project_id: int | None = None  # the project looked at closely
    scenes: dict[str, tuple] = field(default_factory=dict)  # its scenes: label -> what a card shows
    order: tuple[str, ...] = ()
    reviews: tuple = ()
    assets: tuple = ()


@dataclass(frozen=True)
class Token:
    data_version: int | None
    snapshot: Snapshot


@dataclass(frozen=True)
class StoreChange:
    """What differs between two snapshots, in the terms the views refresh by."""

    projects: frozenset[int] = frozenset()  # added, removed, renamed or their scenes changed
    project_id: int | None = None
    project: bool = False  # the watched project's own row (title, script)
    scenes: bool = False  # its scenes were added, removed or reordered
    scene_ids: frozenset[str] = frozenset()  # its scenes whose fields, status or versions changed
    versions: bool = False  # new media versions
    reviews: bool = False

    @property
    def empty(self) -> bool:
        return not (self.projects or self.project or self.scenes or self.scene_ids or self.versions or self.reviews)


class ChangeFeed:
    def __init__(self, services: Services) -> None:
        self.services = services
        self.db = services.db
        self._raw: Any = None  # the DBAPI connection PRAGMA data_version is asked on

    def token(self, project_id: int | None) -> Token:
        return Token(self.data_version(), self.snapshot(project_id))

    def since(self, token: Token | None, project_id: int | None) -> tuple[StoreChange, Token]:
        """The change since `token` (everything counts as new without one) and the
        token to ask with next time."""
        version = self.data_version()
        if (token is not None and version is not None and version == token.data_version
                and project_id == token.snapshot.project_id):
            return StoreChange(project_id=project_id), token
        snap = self.snapshot(project_id)
        new = Token(version, snap)
        if token is None:
            return StoreChange(project_id=project_id), new
        return diff(token.snapshot, snap), new

    def data_version(self) -> int | None:
        if self.db.is_postgres:
            return None
        if self._raw is None:
            self._raw = self.db.engine.raw_connection()
        cur = self._raw.cursor()
        try:
            cur.execute("PRAGMA data_version")
            return int(cur.fetchone()[0])
        finally:
            cur.close()

    def snapshot(self, project_id: int | None) -> Snapshot:
        sv = self.services
        visible = [Project.user_id == sv.user_id] if sv.access.owner_only else []
        with self.db.sessions() as s:
            projects: dict[int, tuple] = {
                pid: (title, str(updated), len(script or ""))
                for pid, title, updated, script in s.execute(
                    select(Project.id, Project.title, Project.updated_at, Project.script).where(*visible))
            }
            tallies: dict[int, list] = {}
            for pid, status, n, latest in s.execute(
                select(Scene.project_id, Scene.status, func.count(), func.max(Scene.updated_at))
                .group_by(Scene.project_id, Scene.status)
            ):
                tallies.setdefault(pid, []).append((status, n, str(latest)))
            projects = {pid: (*row, tuple(sorted(tallies.get(pid, [])))) for pid, row in projects.items()}
            if project_id is None or project_id not in projects:
                return Snapshot(projects, project_id)
            rows = s.execute(
                select(Scene.scene_id, Scene.order, Scene.status, Scene.image_version, Scene.clip_version,
                       Scene.no_subject, Scene.scene_json, Scene.updated_at)
                .where(Scene.project_id == project_id).order_by(Scene.order, Scene.id)
            ).all()
            scenes = {r[0]: (r[2], r[3], r[4], r[5], repr(r[6]), str(r[7])) for r in rows}
            reviews = tuple(s.execute(
                select(func.count(), func.max(SceneReview.id)).join(Scene, Scene.id == SceneReview.scene_pk)
                .where(Scene.project_id == project_id)
            ).one())
            assets = tuple(s.execute(
                select(func.count(), func.max(Asset.id)).where(Asset.project_id == project_id)
            ).one())
            return Snapshot(projects, project_id, scenes, tuple(r[0] for r in rows), reviews, assets)

    def close(self) -> None:
        if self._raw is not None:
            self._raw.close()
            self._raw = None


def diff(old: Snapshot, new: Snapshot) -> StoreChange:
    ids = set(old.projects) | set(new.projects)
    projects = frozenset(p for p in ids if old.projects.get(p) != new.projects.get(p))
    pid = new.project_id
    if pid is None or old.project_id != pid:
        return StoreChange(projects, pid, project=pid is not None, scenes=pid is not None)
    own_old, own_new = old.projects.get(pid), new.projects.get(pid)
    return StoreChange(
        projects=projects,
        project_id=pid,
        project=(own_old or ())[:3] != (own_new or ())[:3],
        scenes=old.order != new.order,
        scene_ids=frozenset(k for k in new.scenes if k in old.scenes and old.scenes[k] != new.scenes[k]),
        versions=old.assets != new.assets,
        reviews=old.reviews != new.reviews,
    )
