"""The scene's JSON fields as a form. Each field commits when it loses focus, or after a
short pause in typing (at once for the spin box and checkbox), and says whether what
is shown is saved; text the service refuses stays in the field."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QPlainTextEdit,
    QSpinBox,
    QWidget,
)

from ...domain.validation import DURATION_RANGE
from ...services.views import SceneView
from .. import theme

TEXT_FIELDS = (
    ("narration", "&Narration", 96, "What the voice says in this scene"),
    ("image_prompt", "&Image prompt", 96, "What the image shows"),
    ("motion_prompt", "&Motion prompt", 64, "How the camera and subject move"),
    ("negative_prompt", "N&egative prompt", 56, "What to keep out of the frame"),
)
AUTO = DURATION_RANGE[0] - 1  # the spin box's "Auto" value: no duration key
PAUSE_MS = 1200  # typing stopped this long: save
# What a clip shorter than its scene does (scene_json["fit"]; hold = no key)
FITS = (("Hold the last frame", "hold"), ("Loop the clip", "loop"), ("Slow it down (to 0.8x)", "slow"))


class SceneFieldsForm(QWidget):
    edited = Signal(dict, object)  # {field: new value or None}, no_subject or None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.scene: SceneView | None = None
        self._loading = False
        form = QFormLayout(self)
        form.setContentsMargins(16, 16, 16, 16)
        form.setVerticalSpacing(4)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapAllRows)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.state = QLabel()
        self.state.setObjectName("fieldsState")
        self.state.setProperty("role", "hint")
        form.addRow(self.state)
        self.state.hide()  # shown while there is something to say
        self._pause = QTimer(self, singleShot=True, interval=PAUSE_MS)
        self._pause.timeout.connect(self.commit_pending)
        self.edits: dict[str, QPlainTextEdit] = {}
        for field, label, height, hint in TEXT_FIELDS:
            edit = QPlainTextEdit()
            edit.setTabChangesFocus(True)
            edit.setPlaceholderText(hint)
            edit.setFixedHeight(height)
            edit.setAccessibleName(label.replace("&", ""))
            edit.installEventFilter(self)
            edit.textChanged.connect(self._on_typing)
            self.edits[field] = edit
            caption = QLabel(label)
            caption.setBuddy(edit)
            caption.setContentsMargins(0, 8, 0, 0)
            form.addRow(caption, edit)
        self.duration = QSpinBox()
        self.duration.setRange(AUTO, DURATION_RANGE[1])
        self.duration.setSpecialValueText("Auto")
        self.duration.setSuffix(" s")
        self.duration.setKeyboardTracking(False)
        self.duration.setAccessibleName("Duration in seconds")
        self.duration.valueChanged.connect(self._on_duration)
        self.no_subject = QCheckBox("No &subject (scenery only)")
        self.no_subject.setToolTip("The image shows no person or main character")
        self.no_subject.toggled.connect(self._on_no_subject)
        caption = QLabel("&Duration")
        caption.setBuddy(self.duration)
        caption.setContentsMargins(0, 8, 0, 0)
        form.addRow(caption, self.duration)
        self.lasts = theme.set_role(QLabel(), "hint")  # "Lasts 4.6 s · from the narration"
        self.lasts.setAccessibleName("Scene duration")
        form.addRow(self.lasts)
        self.fit = QComboBox()
        for text, value in FITS:
            self.fit.addItem(text, value)
        self.fit.setToolTip("When the clip is shorter than the scene; a longer clip is trimmed")
        self.fit.setAccessibleName("Short clip")
        self.fit.currentIndexChanged.connect(self._on_fit)
        caption = QLabel("Short &clip")
        caption.setBuddy(self.fit)
        form.addRow(caption, self.fit)
        form.addRow(self.no_subject)

    def set_scene(self, scene: SceneView | None) -> None:
        """Show `scene`; for the same scene, fields with unsaved text keep it."""
        same = scene is not None and self.scene is not None and scene.scene_id == self.scene.scene_id \
            and scene.project_id == self.scene.project_id
        old = self.scene
        self.scene = scene
        self._loading = True
        try:
            for field, edit in self.edits.items():
                value = _text(scene, field)
                if not same or edit.toPlainText() == _text(old, field):
                    if edit.toPlainText() != value:
                        edit.setPlainText(value)
            d = scene.scene_json.get("duration") if scene else None
            self.duration.setValue(d if isinstance(d, int) else AUTO)
            fit = scene.scene_json.get("fit") if scene else None
            self.fit.setCurrentIndex(max(0, self.fit.findData(fit if fit else "hold")))
            self.no_subject.setChecked(bool(scene and scene.no_subject))
        finally:
            self._loading = False
        self.setEnabled(scene is not None)
        unsaved = scene is not None and any(e.toPlainText() != _text(scene, f) for f, e in self.edits.items())
        if not same:
            self._set_state("")
        elif not unsaved and self.state.text():
            self._set_state("Saved")

    def _set_state(self, text: str) -> None:
        self.state.setText(text)
        self.state.setVisible(bool(text))

    def _on_typing(self) -> None:
        if self._loading or self.scene is None:
            return
        self._set_state("Edited · saves when you pause")
        self._pause.start()

    def set_timing(self, text: str) -> None:
        """How long the scene lasts in the short (from the render plan)."""
        self.lasts.setText(text)
        self.lasts.setVisible(bool(text))

    def _on_fit(self, _index: int) -> None:
        if self._loading or self.scene is None:
            return
        value = self.fit.currentData()
        new = None if value == "hold" else value
        if self.scene.scene_json.get("fit") != new:
            self.edited.emit({"fit": new}, None)

    def commit_pending(self) -> None:
        for field in self.edits:
            self._commit_text(field)

    def _commit_text(self, field: str) -> None:
        if self._loading or self.scene is None:
            return
        text = self.edits[field].toPlainText()
        if text == _text(self.scene, field):
            return
        value: str | None = text if (text.strip() or field == "narration") else None
        self._pause.stop()
        self._set_state("Saving…")
        self.edited.emit({field: value}, None)

    def _on_duration(self, value: int) -> None:
        if self._loading or self.scene is None:
            return
        new = None if value == AUTO else value
        if self.scene.scene_json.get("duration") != new:
            self.edited.emit({"duration": new}, None)

    def _on_no_subject(self, checked: bool) -> None:
        if not self._loading and self.scene is not None and checked != self.scene.no_subject:
            self.edited.emit({}, checked)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusOut:
            for field, edit in self.edits.items():
                if obj is edit:
                    self._commit_text(field)
        return super().eventFilter(obj, event)


def _text(scene: SceneView | None, field: str) -> str:
    if scene is None:
        return ""
    value = scene.scene_json.get(field)
    return value if isinstance(value, str) else ""
