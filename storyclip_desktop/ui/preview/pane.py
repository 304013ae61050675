"""The preview pane: the selected scene's picture or clip, large and letterboxed at the
project's ratio; its versions to flip through, use, or compare; and the narration."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QBoxLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from .. import theme
from ..commands import ChooseVersion, CommandContext
from ..errors import message_for
from ..imaging import ImageLoader, local_path
from ..timeline.status_style import status_style
from .aspect import DEFAULT_RATIO, parse_ratio
from .compare import CompareView
from .media_view import MediaView
from .narration import NarrationBar
from .versions import VersionStrip

if TYPE_CHECKING:
    from ...services import Services
    from ...services.views import AssetVersion, SceneView

SIDE_WIDTH = 264  # the column beside the picture: scene, narration, versions, actions
SIDE_MIN = 212
COMPARE_NEEDS = 760  # below this pane width, comparing hides the side column


class PreviewPane(QWidget):
    versionChosen = Signal(str)  # scene_id whose image or clip version changed
    errorOccurred = Signal(str)

    def __init__(self, services: Services, parent: QWidget | None = None, *, loader: ImageLoader | None = None,
                 ctx: CommandContext | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("preview")
        self.services = services
        # Choosing a version is an undoable command on the window's write path.
        self.ctx = ctx or CommandContext.standalone(services, self.errorOccurred.emit, self)
        self.project_id: int | None = None
        self.scene: SceneView | None = None
        self.versions: list[AssetVersion] = []
        self.previewed: AssetVersion | None = None
        self.ratio = DEFAULT_RATIO
        self._narration_project: int | None = None
        self._wanted: tuple[int, str] | None = None  # the scene asked for, until it arrives
        self._filling = False

        self.title = QLabel(self)
        tfont = QFont(self.title.font())
        tfont.setBold(True)
        tfont.setPointSizeF(tfont.pointSizeF() * 1.25)
        self.title.setFont(tfont)
        self.badge = QLabel(self)
        self.badge.hide()
        self.subtitle = QLabel(self)
        self.subtitle.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        header = QHBoxLayout()
        header.setSpacing(8)
        header.addWidget(self.title)
        header.addWidget(self.badge)
        header.addStretch(1)
        self._header = header
        # The scene's narration beside the picture: reviewers judge the picture against it.
        self.narration_text = QLabel(self)
        self.narration_text.setWordWrap(True)
        self.narration_text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.narration_text.setMaximumHeight(self.narration_text.fontMetrics().lineSpacing() * 6 + 4)
        self.narration_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        # What the reviewer asked for, while the scene stands rejected.
        self.rejection = QLabel(self)
        self.rejection.setObjectName("rejectionNote")
        self.rejection.setWordWrap(True)
        self.rejection.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.rejection.hide()

        self.media = MediaView(self, loader=loader)
        self.compare = CompareView(self, loader=loader)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.media)
        self.stack.addWidget(self.compare)

        self.strip = VersionStrip(self)
        self.use_button = QPushButton(self.tr("Use this version"), self)
        self.use_button.setToolTip(self.tr("Make the previewed version the scene's current one"))
        self.use_button.setProperty("primary", True)  # the theme's accent button
        self.compare_button = QPushButton(self.tr("Compare"), self)
        self.compare_button.setCheckable(True)
        self.compare_button.setToolTip(self.tr("Show two versions side by side"))
        self.info = QLabel(self)
        self.info.setWordWrap(True)
        actions = QHBoxLayout()
        actions.setSpacing(8)
        actions.addWidget(self.use_button, 1)
        actions.addWidget(self.compare_button, 1)
        self._actions = actions
        from .version_menu import VersionMenu

        self.version_menu = VersionMenu(self, actions)  # "Use as reference for…", same seed

        self.narration = NarrationBar(self)

        # The picture takes the whole height (a 9:16 frame is height-bound); everything
        # about it sits in one column beside it, read top to bottom as a reviewer does:
        # which scene, what it says, what was asked, which version, then act.
        self.side = QWidget(self)
        self.side.setObjectName("previewSide")
        self.side.setFixedWidth(SIDE_WIDTH)
        side = QVBoxLayout(self.side)
        side.setContentsMargins(0, 0, 0, 0)
        side.setSpacing(6)
        side.addLayout(header)
        side.addWidget(self.subtitle)
        side.addWidget(self.narration_text)
        side.addWidget(self.rejection)
        side.addWidget(self.strip, 1)
        side.addLayout(actions)
        side.addWidget(self.info)
        side.addWidget(self.narration)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 6, 10, 6)
        layout.setSpacing(10)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.side)

        self.strip.versionClicked.connect(self.preview)
        self.use_button.clicked.connect(self.use_previewed)
        self.compare_button.toggled.connect(self.set_comparing)
        self.compare.left.changed.connect(self._on_compare_pick)
        self.compare.right.changed.connect(self._on_compare_pick)
        self.show_scene(None, None)

    # -- public API ----------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        # A narrow pane (a 1024-wide window) keeps more of its width for the picture.
        side = max(SIDE_MIN, min(SIDE_WIDTH, round(self.width() * 0.34)))
        self.side.setFixedWidth(side)
        self._fit_actions()
        self._place_actions()
        super().resizeEvent(event)

    def add_header_widget(self, widget: QWidget) -> None:
        """A control for the whole project (Play all) at the right of the scene's title."""
        self._header.addWidget(widget)

    def _fit_actions(self) -> None:
        """The buttons side by side when their words fit the column (its width is fixed,
        so a row that does not fit would cut their text), else one above the other."""
        row = self._actions
        shown = [w for i in range(row.count()) if (w := row.itemAt(i).widget()) is not None and not w.isHidden()]
        need = sum(w.sizeHint().width() for w in shown) + row.spacing() * max(0, len(shown) - 1)
        row.setDirection(QBoxLayout.Direction.LeftToRight if need <= self.side.width()
                         else QBoxLayout.Direction.TopToBottom)

    def _place_actions(self) -> None:
        """Comparing in a narrow pane: the side column gives its width to the two
        pictures, and its two buttons move above them."""
        narrow = self.compare_button.isChecked() and self.width() < COMPARE_NEEDS
        target = self.compare.bar if narrow else self._actions
        if target.indexOf(self.use_button) < 0:
            for b in (self.use_button, self.compare_button):
                (self._actions if narrow else self.compare.bar).removeWidget(b)
                target.addWidget(b, 1)
                b.show()
        self.side.setVisible(not narrow)

    def toggle_playback(self) -> bool:
        """Space: the scene's clip when it shows one, else the project's narration."""
        if self.stack.currentWidget() is self.media and self.media.showing_clip():
            self.media.toggle_playback()
            return True
        transport = self.narration.transport
        if transport is not None and transport.isEnabled():
            transport.toggle()
            return True
        return False

    def show_project(self, project_id: int | None) -> None:
        """Load the project's frame ratio and its chosen narration for playback (read off
        the GUI thread; the frame keeps its ratio until the new one arrives)."""
        self._narration_project = project_id
        if project_id is None:
            self.project_id = None
            self.narration.load(None)
            return
        sv = self.services

        def read() -> tuple[float, object, int | None]:
            ratio = parse_ratio(sv.preferences.get(project_id).ratio)
            path, version = None, sv.projects.get(project_id).narration_version
            if version is not None:
                for av in sv.assets.versions(project_id, None, "narration"):
                    if av.version == version:
                        path = local_path(av.storage_url)
            return ratio, path, version

        def show(got: tuple[float, object, int | None]) -> None:
            if self._narration_project != project_id:
                return  # another project is open by now
            self.ratio, path, version = got
            self.narration.load(path, version)
            self.media.set_ratio(self.ratio)
            self.compare.set_ratio(self.ratio)

        self.ctx.ops.read(read, show, key="preview-project", failure=lambda e: self._error(message_for(e)))

    def show_scene(self, project_id: int | None, scene_id: str | None) -> None:
        """Show a scene's current clip (when it is the latest step) or image. Read off
        the GUI thread: the scene shown stays until the new one arrives, and of quick
        clicks only the last is read."""
        if project_id != self._narration_project:
            self.show_project(project_id)
        wanted = (project_id, scene_id) if project_id is not None and scene_id is not None else None
        self._wanted = wanted
        if wanted is None:
            self.project_id = project_id
            self._clear()
            return
        sv = self.services

        def show(got: tuple[SceneView, list[AssetVersion]]) -> None:
            if self._wanted != wanted:
                return  # another scene was asked for meanwhile
            self._wanted = None
            self.project_id = project_id
            self.info.clear()
            self.compare_button.setChecked(False)
            self.scene, self.versions = got
            self.strip.versions.set_versions(self.versions, self._current())
            self.previewed = None
            self.preview(self._default_version())
            self._update_header()

        def failed(exc: BaseException) -> None:
            if self._wanted != wanted:
                return
            self._wanted = None
            self.project_id = project_id
            self.scene, self.versions = None, []
            self.strip.versions.set_versions([], {})
            self.previewed = None
            self.media.show_message(message_for(exc))
            self._error(message_for(exc))
            self._update_actions()

        self.ctx.ops.read(lambda: (sv.scenes.get(*wanted), sv.assets.versions(*wanted)), show,
                          key="preview-select", failure=failed)

    def _clear(self) -> None:
        self.info.clear()
        self.compare_button.setChecked(False)
        self.scene, self.versions = None, []
        self.title.setText(self.tr("Preview"))
        self.narration_text.clear()
        self.rejection.hide()
        self.badge.hide()
        self.subtitle.setText(self.tr("Select a scene in the timeline"))
        self.strip.versions.set_versions([], {})
        self.previewed = None
        self.media.show_message(self.tr("No scene selected"))
        self._update_actions()

    def refresh(self, reveal: tuple[str, int | None] | None = None) -> None:
        """Re-read the scene shown (it changed) off the GUI thread, keeping the version
        on screen, or showing `reveal` (type, version: a job just made it)."""
        if self.scene is None or self.project_id is None:
            return
        pid, sid = self.project_id, self.scene.scene_id

        def read() -> tuple[SceneView, list[AssetVersion]]:
            return self.services.scenes.get(pid, sid), self.services.assets.versions(pid, sid)

        def show(got: tuple[SceneView, list[AssetVersion]]) -> None:
            if self.scene is None or (self.project_id, self.scene.scene_id) != (pid, sid):
                return  # another scene is shown by now
            keep = self.previewed
            self.scene, self.versions = got
            self.strip.versions.set_versions(self.versions, self._current())
            self.previewed = None
            self.preview(self._find(keep.type, keep.version) if keep else self._default_version())
            self._update_header()
            if reveal is not None:
                self.reveal_version(*reveal)

        self.ctx.ops.read(read, show, key=("preview", pid, sid),
                          failure=lambda e: self._error(message_for(e)))

    def reveal_version(self, type_: str, version: int | None) -> bool:
        """Show one version (a job just made it); False when the scene has no such one."""
        av = self._find(type_, version)
        if av is None:
            return False
        if self.compare_button.isChecked():
            self.compare_button.setChecked(False)
        self.preview(av)
        return True

    def preview(self, av: AssetVersion | None) -> None:
        """Show one version large (it does not change which version the scene uses)."""
        if av is not None and self.previewed is not None and _same(av, self.previewed):
            return
        self.previewed = av
        self.media.show_version(av, self._empty_text())
        self.strip.select(av)
        if self.compare_button.isChecked() and av is not None:
            self.compare.right.pick(av.type, av.version)
        self._update_actions()
        self._update_header()

    def use_previewed(self) -> None:
        """'Use this version': the scene now points at the previewed version; the state
        machine decides the status (a new image after confirmation goes back to review)."""
        av, scene, pid = self.previewed, self.scene, self.project_id
        if av is None or scene is None or pid is None:
            return
        before = scene.image_version if av.type == "image" else scene.clip_version
        cmd = ChooseVersion(self.ctx, pid, scene.scene_id, av.type, av.version, before,
                            on_landed=lambda view: self._chosen(view, av))
        def done(ok: bool) -> None:
            if not ok:
                self.info.clear()
            self._update_actions()

        if self.ctx.push(cmd, initiator=self, busy=("versions", pid, scene.scene_id), done=done):
            self.info.setText(self.tr("Saving…"))
            self._update_actions()  # no second click until the store answered

    def _chosen(self, view: SceneView, av: AssetVersion) -> None:
        """The choice (or its undo) is stored: show the marks, if the scene is still here."""
        if self.scene is None or (self.project_id, self.scene.scene_id) != (view.project_id, view.scene_id):
            return
        self.scene = view
        chosen = view.image_version if av.type == "image" else view.clip_version
        self.info.setText(self.tr("Now using") + f" {av.type} v{chosen}")
        self.strip.versions.set_current(self._current())
        if self.compare_button.isChecked():
            # Keep both picks; only the "in use" marks change.
            left, right = self.compare.versions_shown()
            self.compare.set_versions(self.versions, left, right, self._current())
        self._update_actions()
        self._update_header()
        self.versionChosen.emit(view.scene_id)

    def set_comparing(self, on: bool) -> None:
        if on and len(self.versions) < 2:
            self.compare_button.setChecked(False)
            return
        self.compare_button.setText(self.tr("Done comparing") if on else self.tr("Compare"))
        self._fit_actions()
        self._place_actions()
        if on:
            self.media.stop()
            self._fill_compare()
            self.stack.setCurrentWidget(self.compare)
        else:
            self.compare.stop()
            self.stack.setCurrentWidget(self.media)
            if self.previewed is not None:
                self.media.show_version(self.previewed, self._empty_text())

    # -- internals -----------------------------------------------------------------------

    def _fill_compare(self) -> None:
        """Left: the version in use; right: the one previewed (or the newest other)."""
        kind = self.previewed.type if self.previewed else "image"
        in_use = self._find(kind, self._current().get(kind))
        left = in_use or (self.versions[0] if self.versions else None)
        right = self.previewed
        if right is None or (left is not None and _same(left, right)):
            others = [v for v in self.versions if left is None or not _same(v, left)]
            same_kind = [v for v in others if v.type == kind]
            right = (same_kind or others or [None])[-1]
        if left is not None and right is not None and (right.type, right.version) < (left.type, left.version):
            left, right = right, left  # read as the version strip does: v1 | v2
        self.compare.set_ratio(self.ratio)
        self._filling = True  # the panes announce their first picks; the previewed one stays
        try:
            self.compare.set_versions(self.versions, left, right, self._current())
        finally:
            self._filling = False

    def _on_compare_pick(self, av: AssetVersion | None) -> None:
        # The pane picked last is the candidate: "Use this version" applies to it.
        if av is not None and self.compare_button.isChecked() and not self._filling:
            self.previewed = av
            self.strip.select(av)
            self._update_actions()
            self._update_header()

    def _current(self) -> dict[str, int | None]:
        s = self.scene
        return {"image": s.image_version, "clip": s.clip_version} if s else {}

    def _find(self, type_: str, version: int | None) -> AssetVersion | None:
        return next((v for v in self.versions if v.type == type_ and v.version == version), None)

    def _default_version(self) -> AssetVersion | None:
        s = self.scene
        if s is None:
            return None
        # A clip is what the scene will look like only while it is not stale.
        if s.status == "clip" and s.clip_version is not None:
            clip = self._find("clip", s.clip_version)
            if clip is not None:
                return clip
        return self._find("image", s.image_version) or self._find("clip", s.clip_version)

    def _empty_text(self) -> str:
        return self.tr("No image yet — confirm the prompt, then generate one")

    def _update_actions(self) -> None:
        av = self.previewed
        in_use = av is not None and self._current().get(av.type) == av.version
        saving = self.scene is not None and self.ctx.ops.is_busy(
            ("versions", self.project_id, self.scene.scene_id))
        self.use_button.setEnabled(av is not None and not in_use and not saving)
        self.use_button.setText(self.tr("In use") if in_use else self.tr("Use this version"))
        self.use_button.setToolTip(
            f"{self.tr('Make the scene use')} {av.type} v{av.version}" if av is not None else ""
        )
        self.compare_button.setEnabled(len(self.versions) >= 2)
        self._fit_actions()

    def _update_header(self) -> None:
        s = self.scene
        if s is None:
            return
        self.title.setText(s.scene_id)
        narration = " ".join(s.narration.split())
        self.narration_text.setText(narration or self.tr("(no narration)"))
        self.narration_text.setToolTip(narration)
        style = status_style(s.status, s.rejected)
        if s.rejected:
            self.rejection.setText(f"<b>{self.tr('Rejected')}:</b> {html.escape(s.rejection or '')}")
            self.rejection.setStyleSheet(theme.rejection_note_style())
        self.rejection.setVisible(s.rejected)
        self.badge.setText(style.label)
        self.badge.setStyleSheet(
            f"QLabel {{ background: {style.fill.name()}; color: {style.text.name()};"
            " border-radius: 9px; padding: 2px 9px; font-weight: 600; }"
        )
        self.badge.show()
        av = self.previewed
        if av is None:
            self.subtitle.setText(self.tr("No versions yet"))
            return
        in_use = self._current().get(av.type) == av.version
        note = self.tr("in use") if in_use else self.tr("preview only")
        self.subtitle.setText(f"{av.type} v{av.version} · {note}")

    def _error(self, message: str) -> None:
        self.info.setText(f"⚠ {message}")
        self.errorOccurred.emit(message)


def _same(a: AssetVersion, b: AssetVersion) -> bool:
    return (a.type, a.version) == (b.type, b.version)
