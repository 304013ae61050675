"""Video preferences: every change is one undoable `preferences.update`. The combos
offer only catalog values; free-text fields count characters and refuse over-limit
text without clearing it."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from ...domain import catalog
from ...domain.validation import CUSTOM_STYLE_MAX, SPLIT_RULE_MAX
from ...services.views import Preferences
from .. import theme
from ..commands import CommandContext, SetPreferences
from ..errors import field_label
from .counter import CharCounter, over_limit_reason

STABILITY_STEPS = 20  # 0.05 per step

_CHOICES = {
    "image_gen_model": catalog.IMAGE_MODELS,
    "video_gen_model": catalog.VIDEO_MODELS,
    "voice_gen_model": catalog.VOICE_MODELS,
    "resolution": catalog.RESOLUTIONS,
    "ratio": catalog.RATIOS,
}


class PreferencesForm(QWidget):
    def __init__(self, ctx: CommandContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.project_id: int | None = None
        self.prefs: Preferences | None = None
        self._loading = False

        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.setHorizontalSpacing(16)
        form.setVerticalSpacing(8)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.combos: dict[str, QComboBox] = {}
        for field, options in _CHOICES.items():
            combo = QComboBox()
            combo.addItems(list(options))
            combo.setAccessibleName(field_label(field))
            combo.currentTextChanged.connect(lambda value, f=field: self._commit(f, value))
            self.combos[field] = combo
        form.addRow("&Image model", self.combos["image_gen_model"])
        form.addRow("&Video model", self.combos["video_gen_model"])
        form.addRow("V&oice", self.combos["voice_gen_model"])

        self.stability = QSlider(Qt.Orientation.Horizontal)
        self.stability.setRange(0, STABILITY_STEPS)
        self.stability.setPageStep(2)
        self.stability.setAccessibleName("Stability")
        self.stability_value = QLabel("0.50")
        self.stability_value.setMinimumWidth(self.stability_value.fontMetrics().horizontalAdvance("0.000"))
        self.stability_value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.stability.valueChanged.connect(self._on_stability)
        self.stability.sliderReleased.connect(lambda: self._on_stability(self.stability.value()))
        row = QHBoxLayout()
        row.setSpacing(8)
        row.addWidget(self.stability, 1)
        row.addWidget(self.stability_value)
        stability_label = QLabel("&Stability")
        stability_label.setBuddy(self.stability)
        form.addRow(stability_label, row)
        form.addRow("&Resolution", self.combos["resolution"])
        form.addRow("R&atio", self.combos["ratio"])

        self.style_edit = QLineEdit()
        self.style_edit.setPlaceholderText("e.g. warm film photography")
        self.style_edit.setAccessibleName("Custom style")
        self.style_counter = CharCounter(CUSTOM_STYLE_MAX)
        self.style_edit.textChanged.connect(lambda t: self._count(self.style_edit, self.style_counter, t))
        self.style_edit.editingFinished.connect(lambda: self._commit_text("custom_style", self.style_edit.text()))
        form.addRow("Custom st&yle", self._with_counter(self.style_edit, self.style_counter))

        self.rule_edit = QPlainTextEdit()
        self.rule_edit.setPlaceholderText("How to cut the script into scenes, e.g. one scene per sentence, 3–6 s each")
        self.rule_edit.setAccessibleName("Split rule")
        self.rule_edit.setTabChangesFocus(True)
        self.rule_edit.setFixedHeight(88)
        self.rule_counter = CharCounter(SPLIT_RULE_MAX)
        self.rule_edit.textChanged.connect(
            lambda: self._count(self.rule_edit, self.rule_counter, self.rule_edit.toPlainText())
        )
        self.rule_edit.installEventFilter(self)
        rule_label = QLabel("Spli&t rule")
        rule_label.setBuddy(self.rule_edit)
        form.addRow(rule_label, self._with_counter(self.rule_edit, self.rule_counter))
        self.reason = theme.set_role(QLabel(), "error")
        self.reason.setWordWrap(True)
        self.reason.hide()

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(8)
        lay.addLayout(form)
        lay.addWidget(self.reason)
        lay.addStretch(1)
        ctx.events.projectChanged.connect(self._on_project_changed)
        self.setEnabled(False)

    def tab_chain(self) -> list[QWidget]:
        """Fields in the order they appear (the combos were created first)."""
        c = self.combos
        return [c["image_gen_model"], c["video_gen_model"], c["voice_gen_model"], self.stability,
                c["resolution"], c["ratio"], self.style_edit, self.rule_edit]

    @staticmethod
    def _with_counter(field: QWidget, counter: CharCounter) -> QWidget:
        box = QWidget()
        v = QVBoxLayout(box)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(2)
        v.addWidget(field)
        v.addWidget(counter, 0, Qt.AlignmentFlag.AlignRight)
        return box

    def set_project(self, project_id: int | None) -> None:
        self._flush_rule()
        self.project_id = project_id
        self.prefs = None  # no change is taken until this project's settings arrive
        self.reload()

    def reload(self) -> None:
        """Re-read the settings off the GUI thread; the fields keep their values meanwhile."""
        pid = self.project_id
        if pid is None:
            self.prefs = None
            self.setEnabled(False)
            return

        def failed(exc: BaseException) -> None:
            if pid == self.project_id:
                self.prefs = None
                self.setEnabled(False)
                self.ctx.reporter.report(exc)

        self.ctx.ops.read(lambda: self.ctx.services.preferences.get(pid),
                          lambda p: pid == self.project_id and self._show(p), key="preferences",
                          failure=failed)

    def _show(self, p: Preferences) -> None:
        self.prefs = p
        self.setEnabled(True)
        self._loading = True
        try:
            for field, combo in self.combos.items():
                combo.setCurrentText(getattr(p, field))
            self.stability.setValue(round(p.stability * STABILITY_STEPS))
            self.stability_value.setText(f"{p.stability:.2f}")
            if self.style_edit.text() != (p.custom_style or ""):
                self.style_edit.setText(p.custom_style or "")
            if self.rule_edit.toPlainText() != (p.split_rule or ""):
                self.rule_edit.setPlainText(p.split_rule or "")
        finally:
            self._loading = False
        self.reason.hide()

    def _on_stability(self, step: int) -> None:
        value = round(step / STABILITY_STEPS, 2)
        self.stability_value.setText(f"{value:.2f}")
        if not self.stability.isSliderDown():
            self._commit("stability", value)

    def _commit_text(self, field: str, text: str) -> None:
        limit = CUSTOM_STYLE_MAX if field == "custom_style" else SPLIT_RULE_MAX
        problem = over_limit_reason(field_label(field), len(text), limit)
        if problem:
            self.reason.setText(problem)
            self.reason.show()
            return
        self._commit(field, text.strip() or None)

    def _commit(self, field: str, value: object) -> None:
        if self._loading or self.prefs is None or getattr(self.prefs, field) == value:
            return
        cmd = SetPreferences(self.ctx, self.project_id, {field: getattr(self.prefs, field)},
                             {field: value}, field_label(field).lower())
        if not self.ctx.push(cmd) and (field in self.combos or field == "stability"):
            self.reload()  # a refused choice snaps back to what is stored; typed text stays

    def _count(self, edit: QWidget, counter: CharCounter, text: str) -> None:
        fits = counter.update_count(text)
        theme.set_invalid(edit, not fits)
        if fits:
            self.reason.hide()

    def _flush_rule(self) -> None:
        if self.prefs is not None and self.rule_edit.toPlainText() != (self.prefs.split_rule or ""):
            self._commit_text("split_rule", self.rule_edit.toPlainText())
        if self.prefs is not None and self.style_edit.text() != (self.prefs.custom_style or ""):
            self._commit_text("custom_style", self.style_edit.text())

    def _on_project_changed(self, project_id: object) -> None:
        if project_id == self.project_id:
            self.reload()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.rule_edit and event.type() == QEvent.Type.FocusOut:
            self._commit_text("split_rule", self.rule_edit.toPlainText())
        return super().eventFilter(obj, event)
