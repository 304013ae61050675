"""Settings: API keys (one row per provider with masked fields, Save, Test and Remove)
and Models (the exact model each family uses, which ones the key can use, which are
retired).

Keys go to the OS keychain through jobs.keys (a key test is a provider call); when
there is none the dialog says they are kept for this session only. Every keychain read,
key test and model list is a blocking call: it runs off the GUI thread through a runner
with the ops layer's `read` signature (the window's `Ops`, or one of the dialog's own),
so the window never waits.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable
from typing import Any, Protocol

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..domain import providers as provider_facts
from ..jobs.keys import KeyCheck, KeyService
from ..services.errors import one_line
from ..services.models import FamilyModels, ModelChoiceService, ModelOption
from .ops import Ops

FIELD_MIN_WIDTH = 300  # wide enough for "API key (sk-…)" and "saved — type to replace"
LIST_STALE_S = 24 * 3600  # a key's model list older than this is fetched again on open


class Runner(Protocol):
    """What the dialog needs of the ops layer (ui/ops Ops.read has this signature)."""

    def read(
        self, fn: Callable[[], Any], success: Callable[[Any], object], *,
        failure: Callable[[BaseException], object] | None = None,
        key: Hashable | None = None, busy: Hashable | None = None,
    ) -> bool: ...


class ProviderKeyRow(QObject):
    """One provider: a label, one masked field per key entry (Kling has two, each on a
    line of its own), Save / Test / Remove, and a status line."""

    def __init__(self, provider: provider_facts.Provider, grid: QGridLayout, line: int, dialog: SettingsDialog) -> None:
        super().__init__(dialog)
        self.provider = provider
        self.dialog = dialog
        parent = grid.parentWidget()
        self.fields: list[QLineEdit] = []
        grid.addWidget(QLabel(provider.label, parent), line, 0)
        for i, key in enumerate(provider.keys):
            field = QLineEdit(parent)
            field.setEchoMode(QLineEdit.EchoMode.Password)
            field.setPlaceholderText(key.placeholder)
            field.setObjectName(f"key_{key.entry}")
            field.setMinimumWidth(FIELD_MIN_WIDTH)
            field.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            grid.addWidget(field, line + i, 1)
            self.fields.append(field)
        self.save_button = QPushButton("Save", parent)
        self.test_button = QPushButton("Test", parent)
        self.remove_button = QPushButton("Remove", parent)
        for i, b in enumerate((self.save_button, self.test_button, self.remove_button)):
            grid.addWidget(b, line, 2 + i)
        self.status = QLabel("", parent)
        self.status.setWordWrap(True)
        self.status.setMinimumWidth(220)
        grid.addWidget(self.status, line, 5)
        self.lines = len(provider.keys)
        self.save_button.clicked.connect(self.save)
        self.test_button.clicked.connect(self.test)
        self.remove_button.clicked.connect(self.remove)

    @property
    def keys(self) -> KeyService:
        return self.dialog.keys

    def show_stored(self, present: list[bool]) -> None:
        for field, key, has in zip(self.fields, self.provider.keys, present, strict=True):
            field.setPlaceholderText("saved — type to replace" if has else key.placeholder)
        self.status.setText("Saved." if all(present) else ("" if not any(present) else "Incomplete."))

    def _run(self, fn: Callable[[], Any], success: Callable[[Any], object]) -> None:
        self.dialog.runner.read(
            fn, success, failure=lambda e: self.status.setText(one_line(e)), busy=("settings", self.provider.name)
        )

    def save(self) -> None:
        values = [f.text().strip() for f in self.fields]
        if not any(values):
            self.status.setText("Type a key first.")
            return

        def done(in_keychain: bool) -> None:
            for f in self.fields:
                f.clear()
            self.status.setText("Saved." if in_keychain else "Saved for this session only.")
            self.dialog.keysChanged.emit(self.provider.name)
            self.dialog.refresh()
            self.dialog.fetch_models(self.provider.name)  # a new key: which models may it use?

        self.status.setText("Saving…")
        self._run(lambda: self.keys.save(self.provider.name, values), done)

    def test(self) -> None:
        typed = [f.text().strip() for f in self.fields]

        def done(result: KeyCheck) -> None:
            self.status.setText(result.message)
            if result.ok:
                self.dialog.refresh_models()

        self.status.setText("Testing…")
        self._run(lambda: self.keys.check(self.provider.name, typed), done)

    def remove(self) -> None:
        def done(_: object) -> None:
            self.status.setText("Removed.")
            self.dialog.keysChanged.emit(self.provider.name)
            self.dialog.refresh()

        self._run(lambda: self.keys.remove(self.provider.name), done)


def option_text(o: ModelOption) -> str:
    marks = [o.note] if o.note else []
    if o.available is False:
        marks.append("not offered to this key")
    if o.default:
        marks.append("default")
    return f"{o.label} — {o.id}" + (f"  ({'; '.join(marks)})" if marks else "")


class FamilyModelRow(QObject):
    """One family (GPT images, Gemini text, Seedance clips, ...): a choice of model."""

    def __init__(self, grid: QGridLayout, line: int, dialog: SettingsDialog, family: FamilyModels) -> None:
        super().__init__(dialog)
        self.dialog = dialog
        self.provider, self.kind = family.provider, family.kind
        parent = grid.parentWidget()
        self.label = QLabel(family.label, parent)
        self.combo = QComboBox(parent)
        self.combo.setObjectName(f"model_{family.provider}_{family.kind}")
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.availability = QLabel("", parent)
        self.availability.setWordWrap(True)
        self.availability.setProperty("role", "hint")
        # The choice on one line, what the key can use under it: both stay readable.
        grid.addWidget(self.label, 2 * line, 0)
        grid.addWidget(self.combo, 2 * line, 1)
        grid.addWidget(self.availability, 2 * line + 1, 1)
        self.options: list[ModelOption] = []
        self._filling = False
        self.combo.currentIndexChanged.connect(self._picked)
        self.show(family)

    def show(self, family: FamilyModels) -> None:
        self._filling = True
        self.options = list(family.options)
        self.combo.clear()
        model = self.combo.model()
        for i, o in enumerate(self.options):
            self.combo.addItem(option_text(o), o.id)
            if o.status == "retired" and isinstance(model, QStandardItemModel):
                model.item(i).setEnabled(False)  # a retired model cannot be chosen
            if o.chosen:
                self.combo.setCurrentIndex(i)
        self._filling = False
        offered = sum(1 for o in self.options if o.available)
        if not family.lists_models:
            text = f"{provider_facts.label(family.provider)} publishes no model list; these are the documented ids."
        elif family.listed_at is None:
            text = "Test the key to see which of these it can use."
        else:
            text = f"Your key can use {offered} of these."
        chosen = next((o for o in self.options if o.chosen), None)
        if chosen is not None and chosen.status != "current":
            text = f"{chosen.id} {chosen.note}. " + text
        self.availability.setText(text)

    def _picked(self, index: int) -> None:
        if self._filling or not 0 <= index < len(self.options):
            return
        model_id = self.options[index].id
        models = self.dialog.models
        assert models is not None

        def done(_: object) -> None:
            self.dialog.refresh_models()

        def failed(e: BaseException) -> None:
            self.availability.setText(one_line(e))
            self.dialog.refresh_models()

        project = self.dialog.model_project
        self.dialog.runner.read(
            lambda: models.choose(self.provider, self.kind, model_id, project), done, failure=failed,
            busy=("settings-model", self.provider, self.kind),
        )


class SettingsDialog(QDialog):
    """Emits keysChanged(provider) after a save or removal: the job engine's provider
    factory should forget() its clients then."""

    keysChanged = Signal(str)
    refreshed = Signal()
    modelsRefreshed = Signal()

    def __init__(
        self, parent: QWidget | None = None, *, keys: KeyService | None = None,
        models: ModelChoiceService | None = None, runner: Runner | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings")
        self.models = models
        self.keys = keys or KeyService(models)
        # The window hands its operations layer; on its own (tests, screenshots) the
        # dialog runs its own, on the same one mechanism.
        self.runner: Runner = runner or Ops(lambda _e: None, self)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._keys_page(), "API keys")
        self.model_rows: dict[tuple[str, str], FamilyModelRow] = {}
        if models is not None:
            self.tabs.addTab(self._models_page(), "Models")
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(close)
        self.refresh()
        self.refresh_models()

    def _keys_page(self) -> QWidget:
        page = QWidget(self)
        self.backend_message = QLabel("Checking the system keychain…", page)
        self.backend_message.setWordWrap(True)
        grid = QGridLayout()
        page.setLayout(QVBoxLayout())
        holder = QWidget(page)
        holder.setLayout(grid)
        grid.setColumnStretch(1, 1)
        self.rows: dict[str, ProviderKeyRow] = {}
        line = 0
        for p in provider_facts.PROVIDERS:
            row = ProviderKeyRow(p, grid, line, self)
            self.rows[p.name] = row
            line += row.lines
        hint = QLabel(
            "Without a key, that step uses the free Local preview. Keys are never written to a file.", page
        )
        hint.setWordWrap(True)
        for w in (self.backend_message, holder, hint):
            page.layout().addWidget(w)
        page.layout().addStretch(1)
        return page

    def _models_page(self) -> QWidget:
        page = QWidget(self)
        page.setObjectName("models_page")
        self.models_grid = QGridLayout()
        self.models_grid.setColumnStretch(1, 1)
        self.models_grid.setVerticalSpacing(2)
        holder = QWidget(page)
        holder.setLayout(self.models_grid)
        intro = QLabel(
            "The project's image and video settings pick the family (Gemini or GPT, Seedance or "
            "Kling); here you choose the exact model each family uses. Retired models cannot be "
            "chosen; Test a key to see which models it can use.", page,
        )
        intro.setWordWrap(True)
        # Every project, or the open one only (this person's own choice for it).
        self.scope = QComboBox(page)
        self.scope.setObjectName("model_scope")
        self.scope.addItem("For every project", None)
        self.scope.currentIndexChanged.connect(lambda _i: self.refresh_models())
        self.scope.setEnabled(False)
        layout = QVBoxLayout(page)
        layout.addWidget(intro)
        layout.addWidget(self.scope, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(holder)
        layout.addStretch(1)
        return page

    def set_project(self, project_id: int | None, title: str = "") -> None:
        """The window's open project: Models may then be chosen for it alone."""
        if self.models is None:
            return
        while self.scope.count() > 1:
            self.scope.removeItem(1)
        if project_id is not None:
            self.scope.addItem(f"For this project only ({title or f'project {project_id}'})", project_id)
        self.scope.setEnabled(project_id is not None)
        self.scope.setCurrentIndex(0)

    @property
    def model_project(self) -> int | None:
        """The project the Models tab chooses for; None: every project."""
        return self.scope.currentData() if self.models is not None else None

    def refresh(self) -> None:
        """Re-read which keys exist and whether the keychain works (off the GUI thread)."""
        keys = self.keys

        def work() -> tuple[Any, dict[str, list[bool]]]:
            return keys.backend(), {p: keys.present(p) for p in self.rows}

        def done(value: tuple[Any, dict[str, list[bool]]]) -> None:
            status, present = value
            self.backend_message.setText(status.message)
            self.backend_message.setProperty("usable", status.usable)
            for p, row in self.rows.items():
                row.show_stored(present[p])
            self._fetch_stale({p for p, has in present.items() if has and all(has)})
            self.refreshed.emit()

        self.runner.read(work, done, failure=lambda e: self.backend_message.setText(one_line(e)), key="settings-keys")

    def fetch_models(self, provider: str) -> None:
        """Ask the provider which models the saved key may use (network, off the GUI
        thread); the Models tab shows the answer. Quiet: the key row keeps its status."""
        if self.models is None or not (p := provider_facts.get(provider)) or not p.lists_models:
            return
        keys = self.keys
        self.runner.read(
            lambda: keys.check(provider), lambda _r: self.refresh_models(),
            failure=lambda _e: None, key=("settings-list", provider),
        )

    def _fetch_stale(self, with_keys: set[str]) -> None:
        models = self.models
        if models is None:
            return

        def done(families: list[FamilyModels]) -> None:
            now = time.time()
            stale = {f.provider for f in families if f.lists_models and (f.listed_at or 0) < now - LIST_STALE_S}
            for provider in sorted(stale & with_keys):
                self.fetch_models(provider)

        self.runner.read(models.families, done, failure=lambda _e: None, key="settings-stale")

    def refresh_models(self) -> None:
        """Re-read the model choices and the key's lists (models.json; no network)."""
        models = self.models
        if models is None:
            return

        def done(families: list[FamilyModels]) -> None:
            for i, f in enumerate(families):
                row = self.model_rows.get((f.provider, f.kind))
                if row is None:
                    self.model_rows[(f.provider, f.kind)] = FamilyModelRow(self.models_grid, i, self, f)
                else:
                    row.show(f)
            self.modelsRefreshed.emit()

        project = self.model_project
        self.runner.read(lambda: models.families(project), done, key="settings-models")
