"""Characters and reference images: a project's style reference and its named characters
(민지, Jun), each with reference images that image requests carry, so a character looks
the same in every scene. A reference is an asset of type `reference` under the
character's parents_id (`<project>-C<n>`) or the style's (`<project>-style`), numbered
and synced like every other version; a scene names its characters in its JSON."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..domain import characters as chars
from ..domain import naming
from ..domain import validation as v
from ..store.characters_model import Character
from ..store.models import Asset
from .assets import AssetService, _check_url
from .base import ServiceBase
from .convert import asset_view
from .errors import Conflict, NotFound
from .scenes import SceneService
from .views import AssetVersion, CharacterView, ProjectReferences, SceneView

REFERENCE = "reference"
# What one image request carries at most: the newest style reference and the newest
# few of each named character (Gemini takes a handful of images per request, OpenAI's
# edits up to 16; more references slow the call and blur the likeness).
STYLE_PER_REQUEST = 1
PER_CHARACTER = 3
PER_REQUEST = 10


class ReferenceService(ServiceBase):
    def __init__(self, *args: object, scenes: SceneService, assets: AssetService, **kw: object) -> None:
        super().__init__(*args, **kw)  # type: ignore[arg-type]
        self._scenes = scenes
        self._assets = assets

    # ---- reading ------------------------------------------------------------------

    def get(self, project_id: int) -> ProjectReferences:
        """The style references and the characters with theirs, in one read."""
        with self.db.sessions() as s:
            self._project(s, project_id)
            rows = s.scalars(
                select(Character).where(Character.project_id == project_id).order_by(Character.id)
            ).all()
            assets = s.scalars(
                select(Asset)
                .where(Asset.project_id == project_id, Asset.type == REFERENCE)
                .order_by(Asset.version)
            ).all()
        by_parents: dict[str, list[AssetVersion]] = {}
        for a in assets:
            by_parents.setdefault(a.parents_id, []).append(asset_view(a))
        style = tuple(by_parents.get(naming.style_parents_id(project_id), ()))
        people = tuple(
            CharacterView(
                c.id, c.project_id, c.label, c.name,
                tuple(by_parents.get(naming.character_parents_id(project_id, c.label), ())),
            )
            for c in rows
        )
        return ProjectReferences(style, people)

    def characters(self, project_id: int) -> list[CharacterView]:
        return list(self.get(project_id).characters)

    def suggest(self, project_id: int, scene_id: str) -> list[str]:
        """Characters the scene's narration or prompts mention ("민지가 웃는다" names 민지)."""
        scene = self._scenes.get(project_id, scene_id)
        return suggest_for([c.name for c in self.characters(project_id)], scene)

    def for_scene(self, project_id: int, scene: SceneView) -> list[dict]:
        """What an image request of `scene` carries: the newest style reference, then the
        newest references of each character the scene names (the order it names them)."""
        refs = self.get(project_id)
        out: list[dict] = [_ref(a, None) for a in refs.style[-STYLE_PER_REQUEST:]]
        for who in scene.scene_json.get("characters") or []:
            c = refs.character(str(who))
            if c is not None:
                out += [_ref(a, c.name) for a in c.references[-PER_CHARACTER:]]
        return out[:PER_REQUEST]

    # ---- characters ---------------------------------------------------------------

    def add_character(self, project_id: int, name: str) -> CharacterView:
        name = v.character_name(name)
        with self._transaction() as s:
            self._project(s, project_id, lock=True)
            if self._find(s, project_id, name) is not None:
                raise Conflict(f"project {project_id} already has a character named {name}")
            label = naming.character_label(next_label_number(s, project_id))
            c = Character(id=self.ids.next_id(), project_id=project_id, user_id=self.user_id, label=label, name=name)
            s.add(c)
            s.flush()
            self._record(s, "add_character", project_id, id=c.id, label=label, name=name)
            return CharacterView(c.id, project_id, label, name)

    def remove_character(self, project_id: int, name: str) -> None:
        """The character goes; its reference images stay as versions (nothing made with
        them loses its record), and scenes that named it simply carry no reference for it."""
        with self._transaction() as s:
            self._project(s, project_id, lock=True)
            c = self._find(s, project_id, v.character_name(name))
            if c is None:
                raise NotFound(f"project {project_id} has no character named {name}")
            cid, cname = c.id, c.name
            s.delete(c)
            s.flush()
            self._record(s, "remove_character", project_id, character_id=cid, name=cname)

    def link(self, project_id: int, scene_id: str, names: list[str]) -> SceneView:
        """Set the characters a scene shows (replacing the list; [] clears it)."""
        wanted = v.scene_characters(list(names))
        known = {c.name.casefold(): c.name for c in self.characters(project_id)}
        unknown = [n for n in wanted if n.casefold() not in known]
        if unknown:
            raise NotFound(f"project {project_id} has no character named {', '.join(unknown)}")
        return self._scenes.edit(project_id, scene_id, {"characters": [known[n.casefold()] for n in wanted] or None})

    # ---- references ---------------------------------------------------------------

    def add(
        self, project_id: int, storage_url: str, *, character: str | None = None,
        style: bool = False, metadata: dict | None = None,
    ) -> AssetVersion:
        """A new reference image (a file the editor chose, already in the media library)
        for a character, or for the style with style=True."""
        if (character is None) == (not style):
            raise v.ValidationError("reference", "is for one character or for the style")
        _check_url(storage_url)
        with self._transaction() as s:
            self._project(s, project_id, lock=True)
            c = None
            if character is not None:
                c = self._find(s, project_id, v.character_name(character))
                if c is None:
                    raise NotFound(f"project {project_id} has no character named {character}")
                parents = naming.character_parents_id(project_id, c.label)
            else:
                parents = naming.style_parents_id(project_id)
            meta = dict(metadata or {})
            meta["for"] = c.name if c is not None else "style"
            asset = self._assets._insert(s, project_id, parents, REFERENCE, storage_url, meta)
            self._record(
                s, "add_reference", project_id, asset_id=asset.id, character_id=c.id if c else None,
                character=c.name if c else None, style=c is None, storage_url=storage_url,
                metadata=meta, version=asset.version,
            )
            return asset_view(asset)

    def add_from_asset(
        self, project_id: int, asset_id: int, *, character: str | None = None, style: bool = False
    ) -> AssetVersion:
        """'Use as reference for 민지…': any image version of the project becomes one of
        the character's (or the style's) references; the file is shared, not copied."""
        with self.db.sessions() as s:
            self._project(s, project_id)
            src = s.get(Asset, asset_id)
            if src is None or src.project_id != project_id:
                raise NotFound(f"project {project_id} has no version with id {asset_id}")
            if src.type not in ("image", REFERENCE):
                raise v.ValidationError("reference", f"must be an image, not a {src.type}")
            source = {"asset_id": src.id, "type": src.type, "version": src.version, "parents_id": src.parents_id}
            url = src.storage_url
            keep = {k: src.metadata_.get(k) for k in ("width", "height", "mime") if src.metadata_.get(k)}
        return self.add(project_id, url, character=character, style=style, metadata={**keep, "source": source})

    # ---- helpers ------------------------------------------------------------------

    @staticmethod
    def _find(s: Session, project_id: int, name: str) -> Character | None:
        return s.scalars(
            select(Character).where(
                Character.project_id == project_id, func.lower(Character.name) == name.lower()
            ).order_by(Character.id).limit(1)
        ).first()


def suggest_for(names: list[str], scene: SceneView) -> list[str]:
    """Which of `names` the scene's narration and prompts mention."""
    j = scene.scene_json
    return chars.suggest(names, *(str(j.get(k) or "") for k in ("narration", "image_prompt", "motion_prompt")))


def _ref(a: AssetVersion, character: str | None) -> dict:
    return {
        "asset_id": a.id, "version": a.version, "storage_url": a.storage_url,
        "character": character, "mime": a.metadata.get("mime") or "image/png",
    }


def next_label_number(s: Session, project_id: int) -> int:
    """Above every label in use and every label whose references still exist, so a new
    character never inherits a removed one's images."""
    numbers = [_number(x) for x in s.scalars(select(Character.label).where(Character.project_id == project_id))]
    for parents in s.scalars(
        select(Asset.parents_id).where(Asset.project_id == project_id, Asset.type == REFERENCE).distinct()
    ):
        numbers.append(_number(parents.rsplit("-", 1)[-1]))
    return max((n for n in numbers if n is not None), default=0) + 1


def _number(label: str) -> int | None:
    if label.startswith(naming.CHARACTER_PREFIX) and label[1:].isdigit():
        return int(label[1:])
    return None
