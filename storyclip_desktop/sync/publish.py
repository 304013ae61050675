"""`storyclip project publish ID`: move a local project, with its scenes, reviews and
asset versions (their files copied to the shared media folder), to the team server.
One server transaction, claimed in sync_mutation like any change, so publishing again
after a crash does nothing twice. Version numbers are drawn from the server's counter
on the way (the project is new there, so they normally stay 1..n)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, delete, select, text
from sqlalchemy.orm import Session

from ..domain import naming
from ..store.models import Asset, PendingChange, Project, Scene, SceneReview, VideoPreference
from . import media
from .errors import SyncError
from .link import Identity
from .mutators.side import ServerSide
from .replica import mark_synced
from .tables import SHARED, sync_base, sync_project


@dataclass(frozen=True)
class Published:
    project_id: int
    scenes: int
    assets: int
    missing_media: int
    renumbered: dict[str, dict[int, int]]  # "parents/type" -> {local version: server version}


def publish(
    local: Engine, server: Engine, identity: Identity, side: ServerSide, project_id: int,
    owner_id: int, shared_dir: Path | None,
) -> Published:
    with Session(local) as s:
        project = s.get(Project, project_id)
        if project is None or project.user_id != owner_id:
            raise SyncError(f"no local project with id {project_id}")
        mode = s.execute(select(sync_project.c.mode).where(sync_project.c.project_id == project_id)).scalar()
        in_base = s.execute(select(sync_base.c.row_id).where(sync_base.c.project_id == project_id).limit(1)).first()
        if mode == SHARED or (mode is None and in_base is not None):
            raise SyncError(f"project {project_id} is already shared")
        pref = s.scalars(select(VideoPreference).where(VideoPreference.project_id == project_id)).first()
        scenes = s.scalars(select(Scene).where(Scene.project_id == project_id).order_by(Scene.order)).all()
        assets = s.scalars(
            select(Asset).where(Asset.project_id == project_id).order_by(Asset.parents_id, Asset.type, Asset.version)
        ).all()
        reviews = s.scalars(
            select(SceneReview).where(SceneReview.scene_pk.in_([sc.id for sc in scenes])).order_by(SceneReview.id)
        ).all()
        s.expunge_all()
    shared = {a.id: media.share(a.storage_url, shared_dir) for a in assets}

    mutation_id = side.new_id()
    renumbered: dict[str, dict[int, int]] = defaultdict(dict)
    with server.connect() as conn, conn.begin():
        conn.execute(
            text(
                "INSERT INTO sync_mutation (client_id, mutation_id, user_id, project_id, kind, outcome) "
                "VALUES (:c, :m, :u, :p, 'publish_project', 'applied')"
            ),
            {"c": identity.client_id, "m": mutation_id, "u": identity.user_id, "p": project_id},
        )
        exists = conn.execute(text("SELECT 1 FROM project WHERE id = :p"), {"p": project_id}).first()
        if exists is None:
            with Session(bind=conn, join_transaction_mode="create_savepoint") as ss:
                _insert(ss, side, identity.user_id, project, pref, scenes, assets, reviews, shared, renumbered)
                ss.commit()
    with local.begin() as c:
        c.execute(delete(PendingChange.__table__).where(PendingChange.__table__.c.project_id == project_id))
        c.execute(delete(sync_project).where(sync_project.c.project_id == project_id))
        mark_synced(c, project_id, 0)  # cursor 0: the next pull takes it in full
    return Published(
        project_id, len(scenes), len(assets), sum(1 for x in shared.values() if x.missing), dict(renumbered)
    )


def _insert(s: Session, side: ServerSide, me: int, project, pref, scenes, assets, reviews, shared, renumbered) -> None:  # noqa: ANN001
    s.add(
        Project(
            id=project.id, user_id=me, title=project.title, description=project.description, script=project.script
        )
    )
    s.flush()
    s.execute(text("SELECT storyclip_sync_bump(:p)"), {"p": project.id})
    if pref is not None:
        s.add(
            VideoPreference(
                **{c.key: getattr(pref, c.key) for c in VideoPreference.__mapper__.column_attrs if c.key not in (
                    "created_at", "updated_at")}
            )
        )
    # Numbers come from the server's counter, in the local order.
    for a in assets:
        new_version = side.next_version(s, a.parents_id, a.type)
        renumbered[f"{a.parents_id}/{a.type}"][a.version] = new_version
        url = shared[a.id]
        metadata = dict(a.metadata_ or {}, **({"media": "missing"} if url.missing else {}))
        s.add(
            Asset(
                id=a.id, parents_id=a.parents_id, version=new_version, user_id=me, type=a.type,
                storage_url=url.url, metadata_=metadata, project_id=project.id,
            )
        )
    for sc in scenes:
        parents = naming.scene_parents_id(project.id, sc.scene_id)
        s.add(
            Scene(
                id=sc.id, project_id=project.id, user_id=me, status=sc.status, scene_id=sc.scene_id,
                scene_json=dict(sc.scene_json or {}), order=sc.order, no_subject=sc.no_subject,
                image_version=_renum(renumbered, parents, "image", sc.image_version),
                clip_version=_renum(renumbered, parents, "clip", sc.clip_version),
            )
        )
    s.flush()
    for r in reviews:
        s.add(
            SceneReview(
                id=r.id, scene_pk=r.scene_pk, user_id=me, action=r.action, from_status=r.from_status,
                to_status=r.to_status, comment=r.comment,
            )
        )
    if project.narration_version is not None:
        s.get(Project, project.id).narration_version = _renum(
            renumbered, naming.project_parents_id(project.id), "narration", project.narration_version
        )
    s.flush()


def _renum(renumbered: dict, parents: str, type_: str, version: int | None) -> int | None:
    if version is None:
        return None
    return renumbered.get(f"{parents}/{type_}", {}).get(version, version)
