"""The project page's 'Characters & style' panel: the style reference and each named
character with their reference images; add a character, add an image from a file,
remove a character. Image requests of scenes that name a character carry its images."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...services.views import AssetVersion, ProjectReferences
from .. import errors, theme
from ..commands import CommandContext
from ..ops import Changes
from .thumbs import thumb

IMAGE_FILTER = "Images (*.png *.jpg *.jpeg *.webp)"
SHOWN = 4  # thumbnails per row; the rest are counted


class CharactersPanel(QWidget):
    changed = Signal(object)  # project id: characters or references changed

    def __init__(self, ctx: CommandContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.project_id: int | None = None
        self.refs: ProjectReferences | None = None
        # Tests answer the file dialog through this (path or None).
        self.choose_file = self._ask_file

        self.rows = QVBoxLayout()
        self.rows.setSpacing(4)
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("New character (민지, Jun…)")
        self.name_edit.setMaxLength(20)
        self.name_edit.returnPressed.connect(self._add_from_edit)
        self.add_button = QPushButton(theme.icon("add"), "Add")
        self.add_button.setToolTip("Add a character to this project")
        self.add_button.clicked.connect(self._add_from_edit)
        add_row = QHBoxLayout()
        add_row.setSpacing(6)
        add_row.addWidget(self.name_edit, 1)
        add_row.addWidget(self.add_button)
        self.hint = theme.set_role(QLabel(
            "Scenes that name a character send its images with every image request, "
            "so it looks the same in each shot."), "hint")
        self.hint.setWordWrap(True)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(8)
        lay.addLayout(add_row)
        lay.addLayout(self.rows)
        lay.addWidget(self.hint)
        lay.addStretch(1)
        ctx.events.projectChanged.connect(self._on_project_changed)
        ctx.ops.busyChanged.connect(self._on_busy)

    # ---- public ---------------------------------------------------------------------

    def set_project(self, project_id: int | None) -> None:
        self.project_id = project_id
        self.refresh()

    def refresh(self) -> None:
        """Re-read the cast off the GUI thread; the rows shown stay until it arrives."""
        pid = self.project_id
        if pid is None:
            self.refs = None
            self._rebuild()
            return

        def show(refs: ProjectReferences | None) -> None:
            if pid == self.project_id:
                self.refs = refs
                self._rebuild()

        self.ctx.ops.read(lambda: self.ctx.services.references.get(pid), show, key="characters",
                          failure=lambda e: (show(None), self.ctx.reporter.report(e)))

    def add_character(self, name: str, *, then: Callable[[object], object] | None = None) -> bool:
        """Add `name` off the GUI thread; False if nothing was asked (no project, or an
        add still on its way: no double submit). `then(result)` once it landed."""
        if self.project_id is None:
            return False
        pid, references = self.project_id, self.ctx.services.references
        return self._write(lambda: references.add_character(pid, name), ("character-add", pid), then)

    def remove_character(self, name: str, *, ask: bool = True,
                         then: Callable[[object], object] | None = None) -> bool:
        if self.project_id is None:
            return False
        if ask and not errors.confirm(
            self, "Remove character",
            f"Remove {name}? Its reference images stay in the project's history; scenes that "
            "name it no longer send them.", "Remove",
        ):
            return False
        pid, references = self.project_id, self.ctx.services.references
        return self._write(lambda: references.remove_character(pid, name), ("character-remove", pid, name), then)

    def add_image(self, character: str | None, path: Path | str | None = None, *,
                  then: Callable[[AssetVersion], object] | None = None) -> bool:
        """A reference image from a file, for `character` (None: the style), stored off
        the GUI thread; `then(reference)` once it landed. False if nothing was asked."""
        if self.project_id is None:
            return False
        path = path if path is not None else self.choose_file(character)
        if not path:
            return False
        from ...jobs.reference_import import add_reference_file

        pid, services, file = self.project_id, self.ctx.services, Path(path)
        return self._write(
            lambda: add_reference_file(services, pid, file, character=character, style=character is None),
            ("reference-image", pid, character), then)

    # ---- internals ------------------------------------------------------------------

    def _ask_file(self, character: str | None) -> str | None:
        title = f"Reference image for {character}" if character else "Style reference image"
        path, _ = QFileDialog.getOpenFileName(self, title, "", IMAGE_FILTER)
        return path or None

    def _add_from_edit(self) -> None:
        # Cleared once added; on failure what the user typed stays, with the reason.
        self.add_character(self.name_edit.text(), then=lambda _r: self.name_edit.clear())

    def _write(self, change: Callable[[], Any], busy: tuple, then: Callable[[Any], object] | None) -> bool:
        """One change to the references, off the GUI thread: on failure its one-line
        error is shown; once done, this panel and every view of the project refresh
        (the project's change notice)."""
        pid = self.project_id

        def landed(result: Any) -> None:
            self.changed.emit(pid)
            if then is not None:
                then(result)

        return self.ctx.ops.write(change, changes=Changes(pid, project=True), initiator=self, busy=busy,
                                  success=landed, failure=self.ctx.reporter.report)

    def _on_busy(self, key: object, busy: bool) -> None:
        if key == ("character-add", self.project_id):
            self.add_button.setEnabled(not busy)  # grey until the character is in

    def _on_project_changed(self, project_id: object) -> None:
        if project_id == self.project_id:
            self.refresh()

    def _rebuild(self) -> None:
        while self.rows.count():
            item = self.rows.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        if self.refs is None:
            return
        self.rows.addWidget(self._row(None, "Style", "the look of every scene", self.refs.style))
        for c in self.refs.characters:
            self.rows.addWidget(self._row(c.name, c.name, c.label, c.references))

    def _row(self, character: str | None, title: str, sub: str, refs: tuple[AssetVersion, ...]) -> QFrame:
        row = QFrame()
        row.setProperty("role", "card")
        row.setObjectName(f"reference-row-{character or 'style'}")
        lay = QHBoxLayout(row)
        lay.setContentsMargins(10, 4, 6, 4)
        lay.setSpacing(8)
        names = QVBoxLayout()
        names.setSpacing(0)
        head = QLabel(title)
        font = head.font()
        font.setBold(True)
        head.setFont(font)
        names.addWidget(head)
        names.addWidget(theme.set_role(QLabel(sub), "hint"))
        head.setToolTip(sub)
        holder = QWidget()
        holder.setMinimumWidth(88)
        holder.setLayout(names)
        lay.addWidget(holder)
        for av in refs[-SHOWN:]:
            lay.addWidget(thumb(av, row))
        if len(refs) > SHOWN:
            lay.addWidget(theme.set_role(QLabel(f"+{len(refs) - SHOWN}"), "hint"))
        if not refs:
            lay.addWidget(theme.set_role(QLabel("no images yet"), "hint"))
        lay.addStretch(1)
        buttons = [("add", f"Add a reference image for {title if character else 'the style'}…",
                    lambda: self.add_image(character))]
        if character is not None:
            buttons.append(("delete", f"Remove {character}", lambda: self.remove_character(character)))
        for icon, tip, slot in buttons:
            button = QToolButton(row)
            button.setIcon(theme.icon(icon))
            button.setToolTip(tip)
            button.setAutoRaise(True)
            button.clicked.connect(slot)
            lay.addWidget(button, 0, Qt.AlignmentFlag.AlignVCenter)
        return row
