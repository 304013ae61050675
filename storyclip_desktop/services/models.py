"""Which exact model each provider kind uses (Settings › Models), and which models a key
may use. The seed's image/video values pick the family (Gemini, GPT, Seedance, Kling);
the model id within it is chosen here: per project (`project_model`, this person's own
choice), else for every project (config_dir()/models.json), else the catalogue default.

The list of models a key may use is fetched from the provider by `refresh` (a network
call: run it off the GUI thread) and kept in models.json, so Settings can show it at
once next time and mark what the key cannot use."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import delete, func, select

from ..config import config_dir
from ..domain import providers as provider_facts
from ..domain.model_catalog import CATALOGUE, RETIRED, api_kind, default_model, known, models_for
from ..domain.validation import ValidationError
from ..store.model_choice_model import ProjectModel
from .base import EDIT, ServiceBase

_FILE = "models.json"
_lock = threading.Lock()


@dataclass(frozen=True)
class ModelOption:
    """One row of Settings › Models."""

    id: str
    label: str
    status: str  # current | retiring | retired
    note: str  # "retired 2026-10-23 (use …)", "" when current
    available: bool | None  # the key may use it; None: not known (no key, or no list)
    default: bool  # the catalogue's default
    chosen: bool  # what jobs use now


@dataclass(frozen=True)
class FamilyModels:
    provider: str
    kind: str
    label: str  # "GPT images", "Gemini text", ...
    options: tuple[ModelOption, ...]
    listed_at: float | None  # when the key's model list was fetched; None: never
    lists_models: bool


def _path() -> Path:
    return config_dir() / _FILE


def _read() -> dict:
    try:
        raw = json.loads(_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return raw if isinstance(raw, dict) else {}


def _write(data: dict) -> None:
    path = _path()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
    tmp.replace(path)  # never a half-written file


def _slot(provider: str, kind: str) -> str:
    return f"{provider}/{api_kind(kind)}"


class ModelChoiceService(ServiceBase):
    # ---- what jobs use --------------------------------------------------------------

    def chosen(self, provider: str, kind: str, project_id: int | None = None) -> str:
        kind = api_kind(kind)
        if project_id is not None:
            with self.db.sessions() as s:
                row = s.get(ProjectModel, (self.user_id, project_id, provider, kind))
                if row is not None:
                    return row.model
        with _lock:
            found = (_read().get("choices") or {}).get(_slot(provider, kind))
        return str(found) if found else default_model(provider, kind)

    def choose(self, provider: str, kind: str, model: str, project_id: int | None = None) -> str:
        """Use `model` for this provider kind (in one project, or in every project).
        Refuses an id the catalogue marks retired, and one the key's list does not have."""
        kind = api_kind(kind)
        model = model.strip()
        self._check(provider, kind, model)
        if project_id is None:
            with _lock:
                data = _read()
                data.setdefault("choices", {})[_slot(provider, kind)] = model
                _write(data)
            return model
        with self._transaction() as s:
            self._require_role(s, project_id, EDIT)
            row = s.get(ProjectModel, (self.user_id, project_id, provider, kind))
            if row is None:
                s.add(ProjectModel(user_id=self.user_id, project_id=project_id, provider=provider, kind=kind, model=model))
            else:
                row.model, row.updated_at = model, func.now()
        return model

    def clear(self, provider: str, kind: str, project_id: int | None = None) -> None:
        """Back to the choice for every project (or to the catalogue default)."""
        kind = api_kind(kind)
        if project_id is None:
            with _lock:
                data = _read()
                (data.get("choices") or {}).pop(_slot(provider, kind), None)
                _write(data)
            return
        with self._transaction() as s:
            s.execute(
                delete(ProjectModel).where(
                    ProjectModel.user_id == self.user_id, ProjectModel.project_id == project_id,
                    ProjectModel.provider == provider, ProjectModel.kind == kind,
                )
            )

    def project_choices(self, project_id: int) -> dict[str, str]:
        """"provider/kind" -> model for the rows this person set on the project."""
        with self.db.sessions() as s:
            rows = s.execute(
                select(ProjectModel.provider, ProjectModel.kind, ProjectModel.model).where(
                    ProjectModel.user_id == self.user_id, ProjectModel.project_id == project_id
                )
            ).all()
        return {_slot(p, k): m for p, k, m in rows}

    # ---- what Settings shows --------------------------------------------------------

    def families(self, project_id: int | None = None, today: date | None = None) -> list[FamilyModels]:
        """Every provider kind with its models, marks and the key's availability. Reads
        models.json and the store only: no network."""
        with _lock:
            listed = _read().get("available") or {}
        out = []
        for cat in CATALOGUE:
            info = provider_facts.get(cat.provider)
            seen = listed.get(cat.provider) or {}
            ids = seen.get("ids")
            current = self.chosen(cat.provider, cat.kind, project_id)
            extra = () if cat.find(current) else (current,)  # a choice the catalogue lacks
            options = []
            for mid in (*cat.ids, *extra):
                m = cat.find(mid)
                options.append(
                    ModelOption(
                        id=mid,
                        label=m.label if m and m.label else mid,
                        status=m.status(today) if m else "current",
                        note=m.note(today) if m else "not in StoryClip's list",
                        available=(mid in ids) if isinstance(ids, list) else None,
                        default=mid == cat.default,
                        chosen=mid == current,
                    )
                )
            family = info.family if info and info.family else (info.label if info else cat.provider)
            out.append(
                FamilyModels(
                    cat.provider, cat.kind, f"{family} {_KIND_WORDS[cat.kind]}", tuple(options),
                    seen.get("at"), bool(info and info.lists_models),
                )
            )
        return out

    def remember_available(self, provider: str, ids: list[str] | None) -> None:
        """Keep the key's model list (None: the provider has none; forget it)."""
        with _lock:
            data = _read()
            avail = data.setdefault("available", {})
            if ids is None:
                avail.pop(provider, None)
            else:
                avail[provider] = {"at": time.time(), "ids": sorted(set(ids))}
            _write(data)

    # ---- helpers --------------------------------------------------------------------

    def _check(self, provider: str, kind: str, model: str) -> None:
        if models_for(provider, kind) is None:
            raise ValidationError("provider", f"{provider} makes no {kind}")
        if not model:
            raise ValidationError("model", "is empty")
        info = known(provider, kind, model)
        if info is not None and info.status() == RETIRED:
            raise ValidationError("model", f"{model} was {info.note()}; choose another")
        with _lock:
            ids = ((_read().get("available") or {}).get(provider) or {}).get("ids")
        if info is None and isinstance(ids, list) and model not in ids:
            raise ValidationError("model", f"{model} is not offered to this {provider} key")


_KIND_WORDS = {"text": "text", "image": "images", "clip": "clips", "narration": "voice"}

