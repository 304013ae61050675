"""File > Export video…: resolution, subtitles (burn, sidecar, none), style with a preview
frame, music and its level, the output file; which scenes are placeholders; then the
export job's progress with Cancel, and the earlier exports with Play and Show in folder."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...domain.subtitle_style import PRESETS, SAFE_AREAS
from ..ops import Changes, Ops
from .exports_list import ExportsList
from .preview_frame import FrameMaker

if TYPE_CHECKING:
    from ...domain.render_plan import RenderPlan
    from ...services.app import Services

RESOLUTIONS = ("480p", "720p", "1080p")
SUBTITLES = (("burn", "Burned into the picture"), ("sidecar", "Sidecar files (SRT, VTT)"), ("none", "None"))
POLL_MS = 400
SOURCE_WORDS = {"image": "still image", "card": "title card"}


def placeholder_text(plan: RenderPlan) -> str:
    items = [f"{s.scene_id} ({SOURCE_WORDS.get(s.source, s.source)})" for s in plan.placeholders]
    if not items:
        return "Every scene has a clip."
    return "Placeholders (no clip yet): " + ", ".join(items)


class ExportVideoDialog(QDialog):
    def __init__(self, services: Services, project_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Export video"))
        self.setObjectName("exportVideoDialog")
        self.services = services
        self.project_id = project_id
        self.job_id: int | None = None
        self.plan: RenderPlan | None = None
        self._frame_request = 0
        # Its own lane: the project and the render plan (several reads) come off the GUI
        # thread; what the editor chooses waits until the project is in.
        self._lane = Ops(lambda _e: None, self)

        self.resolution = QComboBox(self)
        self.resolution.addItems(RESOLUTIONS)
        self.subtitles = QComboBox(self)
        for key, label in SUBTITLES:
            self.subtitles.addItem(label, key)
        self.style = QComboBox(self)
        for name in PRESETS:
            self.style.addItem(name.capitalize(), name)
        self.safe_area = QComboBox(self)
        for key, area in SAFE_AREAS.items():
            self.safe_area.addItem(area.label, key)
        self.music = QLineEdit(self)
        self.music.setPlaceholderText(self.tr("No music"))
        self.music.setClearButtonEnabled(True)
        music_browse = QPushButton(self.tr("Browse…"), self)
        self.music_level = QDoubleSpinBox(self)
        self.music_level.setRange(-40.0, 6.0)
        self.music_level.setSingleStep(1.0)
        self.music_level.setValue(-16.0)
        self.music_level.setSuffix(" dB")
        self.music_level.setToolTip(self.tr("The music's level before it ducks under the voice"))
        self.out = QLineEdit(self)
        out_browse = QPushButton(self.tr("Browse…"), self)
        self.replace = QCheckBox(self.tr("Replace the file if it exists"), self)

        music_row = QHBoxLayout()
        music_row.addWidget(self.music, 1)
        music_row.addWidget(music_browse)
        music_row.addWidget(self.music_level)
        out_row = QHBoxLayout()
        out_row.addWidget(self.out, 1)
        out_row.addWidget(out_browse)
        form = QFormLayout()
        form.addRow(self.tr("Resolution"), self.resolution)
        form.addRow(self.tr("Subtitles"), self.subtitles)
        form.addRow(self.tr("Style"), self.style)
        form.addRow(self.tr("Keep clear for"), self.safe_area)
        form.addRow(self.tr("Music"), music_row)
        form.addRow(self.tr("Save as"), out_row)
        form.addRow("", self.replace)

        self.frame = QLabel(self)
        self.frame.setObjectName("exportPreviewFrame")
        self.frame.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.frame.setFixedSize(216, 384)
        self.frame.setStyleSheet("background: #111; color: #aaa; border-radius: 4px;")
        self.frame.setText(self.tr("Preview…"))
        self.frame.setWordWrap(True)

        self.placeholders = QLabel(self)
        self.placeholders.setWordWrap(True)
        self.stale = QLabel(self)
        self.stale.setWordWrap(True)
        self.stale.setStyleSheet("color: #d9822b;")
        self.error = QLabel(self)
        self.error.setWordWrap(True)
        self.error.setObjectName("exportError")
        self.error.setStyleSheet("color: #e5484d;")
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 1000)
        self.progress.hide()
        self.status = QLabel(self)

        left = QVBoxLayout()
        left.addLayout(form)
        left.addWidget(self.placeholders)
        left.addWidget(self.stale)
        left.addStretch(1)
        top = QHBoxLayout()
        top.addLayout(left, 1)
        top.addWidget(self.frame, 0, Qt.AlignmentFlag.AlignTop)

        self.export_button = QPushButton(self.tr("Export"), self)
        self.export_button.setProperty("primary", True)
        self.export_button.setDefault(True)
        self.cancel_button = QPushButton(self.tr("Cancel export"), self)
        self.cancel_button.hide()
        close = QPushButton(self.tr("Close"), self)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.export_button)
        buttons.addWidget(close)

        earlier = QGroupBox(self.tr("Exported videos"), self)
        self.exports = ExportsList(services, project_id, earlier)
        QVBoxLayout(earlier).addWidget(self.exports)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.error)
        layout.addWidget(self.progress)
        layout.addLayout(buttons)
        layout.addWidget(earlier, 1)
        self.resize(760, 720)

        self.frames = FrameMaker(self)
        self.frames.ready.connect(self._on_frame)
        self.frames.failed.connect(self._on_frame_failed)
        self._refresh_timer = QTimer(self, singleShot=True, interval=250, timeout=self._refresh_frame)
        self._poll = QTimer(self, interval=POLL_MS, timeout=self._check_job)
        music_browse.clicked.connect(self._pick_music)
        out_browse.clicked.connect(self._pick_out)
        self.export_button.clicked.connect(self.start)
        # Grey while the export is being asked for: one click, one export.
        self._lane.busyChanged.connect(
            lambda key, busy: self.export_button.setEnabled(not busy) if key == "start" and self.job_id is None else None)
        self.cancel_button.clicked.connect(self.cancel)
        close.clicked.connect(self.close)
        for combo in (self.subtitles, self.style, self.safe_area):
            combo.currentIndexChanged.connect(self._refresh_timer.start)
        for w in (self.resolution, self.out, self.export_button):
            w.setEnabled(False)
        self.status.setText(self.tr("Reading the project…"))
        self._lane.read(lambda: services.projects.get(project_id), self._opened,
                        failure=lambda e: (self.status.clear(), self._fail(e)))

    def _opened(self, project: object) -> None:
        self.resolution.setCurrentText(project.preferences.resolution)  # type: ignore[attr-defined]
        if not self.out.text():
            self.out.setText(str(Path.home() / f"{_safe_name(project.title)}.mp4"))  # type: ignore[attr-defined]
        for w in (self.resolution, self.out, self.export_button):
            w.setEnabled(True)
        self.status.clear()
        self.resolution.currentTextChanged.connect(self._replan)
        self._replan()

    # ---- what will be rendered ----------------------------------------------------

    def _replan(self) -> None:
        """The plan at the chosen resolution, read off the GUI thread (a newer choice
        supersedes one still waiting)."""
        render_plan, pid, resolution = self.services.render_plan, self.project_id, self.resolution.currentText()
        self._lane.read(lambda: render_plan.plan(pid, resolution=resolution, strict=False), self._planned,
                        failure=self._plan_failed, key="plan")

    def _plan_failed(self, e: BaseException) -> None:
        self.plan = None
        self._fail(e)
        self.placeholders.clear()
        self.frame.setText(self.tr("No preview"))

    def _planned(self, plan: RenderPlan) -> None:
        self.plan = plan
        self.placeholders.setText(placeholder_text(self.plan))
        self.stale.setText(self.plan.stale.reason if self.plan.stale else "")
        self.stale.setVisible(bool(self.plan.stale))
        self._refresh_timer.start()

    def _settings(self):  # noqa: ANN202 - RenderSettings
        from ...media.render.pipeline import RenderSettings

        style = PRESETS[self.style.currentData()].with_safe_area(self.safe_area.currentData())
        return RenderSettings(subtitles=self.subtitles.currentData(), style=style)

    def _refresh_frame(self) -> None:
        if self.plan is None:
            return
        root = self.services.render_plan.media_root / ".render" / "segments"
        self._frame_request = self.frames.request(self.plan, self._settings(), root)

    def _on_frame(self, n: int, path: str) -> None:
        if n != self._frame_request:
            return
        pix = QPixmap(path)
        Path(path).unlink(missing_ok=True)
        self.frame.setPixmap(pix.scaled(self.frame.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                        Qt.TransformationMode.SmoothTransformation))

    def _on_frame_failed(self, n: int, message: str) -> None:
        if n == self._frame_request:
            self.frame.setText(message)

    # ---- choosing files -------------------------------------------------------------

    def _pick_music(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("Background music"), str(Path.home()), self.tr("Audio (*.mp3 *.m4a *.aac *.wav *.flac *.ogg)")
        )
        if path:
            self.music.setText(path)

    def _pick_out(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Save the video as"), self.out.text(), "MP4 (*.mp4)")
        if path:
            if not path.lower().endswith(".mp4"):
                path += ".mp4"
            self.out.setText(path)
            self.replace.setChecked(Path(path).exists())  # the file dialog asked already

    # ---- the export job -------------------------------------------------------------

    def request(self):  # noqa: ANN201 - ExportRequest
        from ...services.export import ExportRequest

        music = self.music.text().strip()
        return ExportRequest(
            project_id=self.project_id, out=Path(self.out.text().strip()).expanduser(),
            resolution=self.resolution.currentText(), subtitles=self.subtitles.currentData(),
            style=self.style.currentData(), safe_area=self.safe_area.currentData(),
            music=Path(music).expanduser() if music else None, music_db=self.music_level.value(),
            overwrite=self.replace.isChecked(),
        )

    def start(self) -> bool:
        """Ask for the export (checked and queued off the GUI thread); False when one is
        already being asked for. Its job id lands in `job_id`, or its one-line reason in
        the error line."""
        self.error.clear()
        try:
            request = self.request()
        except Exception as e:  # noqa: BLE001 - one line the editor can act on
            self._fail(e)
            return False
        exports = self.services.exports
        return self._lane.write(lambda: exports.start(request), changes=Changes(self.project_id),
                                busy="start", success=self._started, failure=self._fail)

    def _started(self, started: object) -> None:
        self.job_id = started.job_id  # type: ignore[attr-defined]
        self.progress.setValue(0)
        self.progress.show()
        self.cancel_button.show()
        self.export_button.setEnabled(False)
        self.status.setText(self.tr("Exporting… (job %1)").replace("%1", str(self.job_id)))
        self._poll.start()

    def cancel(self) -> None:
        if self.job_id is not None:
            # Marking the row is enough wherever the job runs: its engine stops ffmpeg.
            records, job_id = self.services.generation.records, self.job_id
            self._lane.write(lambda: records.cancel(job_id, None), changes=Changes(self.project_id),
                             success=lambda _r: self._check_job(), failure=self._fail)

    def _check_job(self) -> None:
        """Read the job's row off the GUI thread; a look still on its way is not asked again."""
        if self.job_id is None:
            return
        records, job_id = self.services.generation.records, self.job_id
        self._lane.read(lambda: records.find(job_id), self._checked, busy="job-check")

    def _checked(self, job: object) -> None:
        if job is None:
            self._poll.stop()
            return
        self.progress.setValue(round(job.progress * 1000))  # type: ignore[attr-defined]
        if not job.terminal:  # type: ignore[attr-defined]
            return
        self._poll.stop()
        self.cancel_button.hide()
        self.export_button.setEnabled(True)
        if job.state == "succeeded":  # type: ignore[attr-defined]
            self.progress.setValue(1000)
            self.status.setText(self.tr("Exported %1").replace("%1", Path(job.result["path"]).name))  # type: ignore[attr-defined]
            self.exports.reload()
        else:
            self.progress.hide()
            self.status.setText(self.tr("Cancelled") if job.state == "cancelled" else "")  # type: ignore[attr-defined]
            if job.state == "failed":  # type: ignore[attr-defined]
                self._fail(job.error or "the export failed")  # type: ignore[attr-defined]

    def _fail(self, e: BaseException | str) -> None:
        text = e if isinstance(e, str) else getattr(e, "message", None) or str(e)
        self.error.setText(" ".join(str(text).split()))

    def done(self, r: int) -> None:  # noqa: D401 - QDialog's
        self._poll.stop()
        super().done(r)


def _safe_name(title: str) -> str:
    keep = "".join(c if c.isalnum() or c in " -_" else "_" for c in title).strip()
    return keep or "short"
