"""Asset versions: every generated image, clip and narration is a numbered version; the
scene (or the project, for narration) points at the chosen one."""

from __future__ import annotations

from sqlalchemy import literal, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from ..domain import naming
from ..domain import validation as v
from ..domain.catalog import ASSET_TYPES
from ..domain.status import SceneAction, SceneStatus, can, next_status
from ..store.models import Asset, AssetVersionCounter, Scene
from .base import ServiceBase
from .convert import asset_view, scene_view
from .errors import NotFound
from .views import AssetVersion, SceneView

STORAGE_URL_MAX = 300


def shown_image_id(s: Session, scene: Scene) -> int | None:
    """The asset id of the image version the scene shows: a version number made offline
    is provisional and renumbered by the server, the id is not."""
    if scene.image_version is None:
        return None
    return s.scalar(
        select(Asset.id).where(
            Asset.parents_id == naming.scene_parents_id(scene.project_id, scene.scene_id),
            Asset.type == "image",
            Asset.version == scene.image_version,
        )
    )


class AssetService(ServiceBase):
    def next_version(self, s: Session, parents_id: str, type_: str) -> int:
        """One UPSERT ... RETURNING: concurrent callers always get distinct numbers. On
        the secured shared store the counter is the security part's to write: its
        SECURITY DEFINER function draws the number (and checks the caller may edit)."""
        if self.access.secured:
            return s.execute(
                text("SELECT storyclip_next_asset_version(:p, :t)"), {"p": parents_id, "t": type_}
            ).scalar_one()
        ins = (pg_insert if self.db.is_postgres else sqlite_insert)(AssetVersionCounter)
        stmt = ins.values(parents_id=parents_id, type=type_, last_version=1).on_conflict_do_update(
            index_elements=["parents_id", "type"],
            set_={"last_version": AssetVersionCounter.last_version + 1},
        ).returning(AssetVersionCounter.last_version)
        return s.execute(stmt).scalar_one()

    def add_scene_version(
        self,
        project_id: int,
        scene_id: str,
        type_: str,
        storage_url: str,
        metadata: dict | None = None,
        *,
        make_current: bool = True,
    ) -> tuple[AssetVersion, SceneView]:
        """Record a new image or clip version and (by default) point the scene at it,
        advancing or rewinding its status as the state machine says."""
        if type_ not in ("image", "clip"):
            raise v.ValidationError("type", "a scene version is an image or a clip")
        _check_url(storage_url)
        with self._transaction() as s:
            scene = self._scene(s, project_id, scene_id)
            parents = naming.scene_parents_id(project_id, scene_id)
            action = SceneAction.GENERATE_IMAGE if type_ == "image" else SceneAction.GENERATE_CLIP
            if make_current:
                status = next_status(scene.status, action)  # refuse before spending a number
            asset = self._insert(s, project_id, parents, type_, storage_url, metadata)
            if make_current:
                scene.status = status.value
                if type_ == "image":
                    scene.image_version = asset.version
                else:
                    scene.clip_version = asset.version
            s.flush()
            self._record(
                s, "add_asset_version", project_id, scene_id=scene_id, type=type_,
                version=asset.version, storage_url=storage_url, metadata=metadata or {},
                make_current=make_current, asset_id=asset.id, scene_pk=scene.id,
            )
            return asset_view(asset), scene_view(scene)

    def add_narration_version(
        self, project_id: int, storage_url: str, metadata: dict | None = None
    ) -> AssetVersion:
        _check_url(storage_url)
        with self._transaction() as s:
            project = self._project(s, project_id)
            parents = naming.project_parents_id(project_id)
            asset = self._insert(s, project_id, parents, "narration", storage_url, metadata)
            project.narration_version = asset.version
            self._record(
                s, "add_asset_version", project_id, scene_id=None, type="narration",
                version=asset.version, storage_url=storage_url, metadata=metadata or {},
                make_current=True, asset_id=asset.id,
            )
            return asset_view(asset)

    def versions(self, project_id: int, scene_id: str | None = None, type_: str | None = None) -> list[AssetVersion]:
        """All versions of a scene (or, with scene_id None, the project's narrations)."""
        with self.db.sessions() as s:
            self._project(s, project_id)
            parents = (
                naming.scene_parents_id(project_id, scene_id)
                if scene_id
                else naming.project_parents_id(project_id)
            )
            q = select(Asset).where(Asset.parents_id == parents)
            if type_:
                q = q.where(Asset.type == type_)
            rows = s.scalars(q.order_by(Asset.type, Asset.version)).all()
            return [asset_view(a) for a in rows]

    def current(
        self, project_id: int, scene_ids: list[str] | None = None
    ) -> dict[str, dict[str, AssetVersion]]:
        """The image and clip each scene points at, in one query:
        {scene_id: {"image": AssetVersion, "clip": AssetVersion}} (absent when none)."""
        with self.db.sessions() as s:
            self._project(s, project_id)
            q = select(Scene.scene_id, Asset).join(
                Asset,
                (Asset.project_id == Scene.project_id)
                & (Asset.parents_id == literal(f"{project_id}-").concat(Scene.scene_id))
                & (
                    ((Asset.type == "image") & (Asset.version == Scene.image_version))
                    | ((Asset.type == "clip") & (Asset.version == Scene.clip_version))
                ),
            ).where(Scene.project_id == project_id)
            if scene_ids is not None:
                q = q.where(Scene.scene_id.in_(scene_ids))
            out: dict[str, dict[str, AssetVersion]] = {}
            for scene_id, asset in s.execute(q):
                out.setdefault(scene_id, {})[asset.type] = asset_view(asset)
            return out

    def choose(self, project_id: int, scene_id: str, type_: str, version: int) -> SceneView:
        """'Use this version'. Choosing another image after it was confirmed puts the
        scene back to 'image' for review (and the clip becomes stale)."""
        if type_ not in ("image", "clip"):
            raise v.ValidationError("type", "choose an image or a clip version")
        with self._transaction() as s:
            scene = self._scene(s, project_id, scene_id)
            parents = naming.scene_parents_id(project_id, scene_id)
            exists = s.scalar(
                select(Asset.id).where(
                    Asset.parents_id == parents, Asset.type == type_, Asset.version == version
                )
            )
            if exists is None:
                raise NotFound(f"scene {scene_id} has no {type_} v{version}")
            if type_ == "image":
                if scene.image_version != version:
                    scene.image_version = version
                    if can(scene.status, SceneAction.GENERATE_IMAGE):
                        scene.status = next_status(scene.status, SceneAction.GENERATE_IMAGE).value
            else:
                scene.clip_version = version
                if scene.status == SceneStatus.IMAGE_CONFIRMED.value:
                    scene.status = SceneStatus.CLIP.value
            s.flush()
            self._record(
                s, "choose_version", project_id, scene_id=scene_id, type=type_, version=version,
                asset_id=exists, scene_pk=scene.id,
            )
            return scene_view(scene)

    def choose_narration(self, project_id: int, version: int) -> None:
        with self._transaction() as s:
            project = self._project(s, project_id)
            exists = s.scalar(
                select(Asset.id).where(
                    Asset.parents_id == naming.project_parents_id(project_id),
                    Asset.type == "narration",
                    Asset.version == version,
                )
            )
            if exists is None:
                raise NotFound(f"project {project_id} has no narration v{version}")
            project.narration_version = version
            self._record(
                s, "choose_version", project_id, scene_id=None, type="narration", version=version,
                asset_id=exists,
            )

    def _insert(self, s: Session, project_id: int, parents: str, type_: str, url: str, metadata: dict | None) -> Asset:
        if type_ not in ASSET_TYPES:
            raise v.ValidationError("type", f"must be one of {', '.join(ASSET_TYPES)}")
        asset = Asset(
            id=self.ids.next_id(),
            parents_id=parents,
            version=self.next_version(s, parents, type_),
            user_id=self.user_id,
            type=type_,
            storage_url=url,
            metadata_=dict(metadata or {}),
            project_id=project_id,
        )
        s.add(asset)
        s.flush()
        return asset


def _check_url(url: str) -> None:
    if not url or len(url) > STORAGE_URL_MAX:
        raise v.ValidationError("storage_url", f"must be 1..{STORAGE_URL_MAX} characters")
