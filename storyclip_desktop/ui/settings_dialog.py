"""API keys: one row per provider with a masked field, Save, Test and Remove.

Keys go to the OS keychain (keychain.py); when there is none the dialog says they are
kept for this session only. Keychain reads and key tests run on a worker thread (a
locked keyring may prompt, a test is a network call), so the window never waits.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from .. import keychain


@dataclass(frozen=True)
class ProviderRow:
    provider: str  # keychain.PROVIDER_ENTRIES key and provider module name
    label: str
    entries: tuple[tuple[str, str], ...]  # (keychain entry, field placeholder)


ROWS = (
    ProviderRow("openai", "OpenAI", (("openai", "API key (sk-…)"),)),
    ProviderRow("gemini", "Gemini", (("gemini", "API key"),)),
    ProviderRow("seedance", "Seedance", (("seedance", "ARK API key"),)),
    ProviderRow("kling", "Kling", (("kling_access", "Access key"), ("kling_secret", "Secret key"))),
    ProviderRow("elevenlabs", "ElevenLabs", (("elevenlabs", "API key"),)),
)


class _Background(QObject):
    """Runs blocking calls on a daemon thread; the result comes back as a queued signal
    on the GUI thread (works with or without qasync)."""

    done = Signal(object, object)  # callback, (ok, value)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # A method of this GUI-thread object: Qt queues the call across threads.
        self.done.connect(self._deliver)

    @Slot(object, object)
    def _deliver(self, callback: Callable[[bool, Any], None], result: tuple[bool, Any]) -> None:
        callback(*result)

    def run(self, fn: Callable[[], Any], callback: Callable[[bool, Any], None]) -> None:
        def work() -> None:
            try:
                result = (True, fn())
            except Exception as exc:  # reported to the row, never raised into Qt
                result = (False, exc)
            try:
                self.done.emit(callback, result)
            except RuntimeError:  # the dialog was closed and deleted meanwhile
                pass

        threading.Thread(target=work, daemon=True, name="storyclip-settings").start()


async def _check(provider: str, values: list[str]) -> None:
    from ..providers.http import make_client

    async with make_client(read_timeout=20.0) as client:
        if provider == "openai":
            from ..providers.openai import check_key
        elif provider == "gemini":
            from ..providers.gemini import check_key
        elif provider == "seedance":
            from ..providers.seedance import check_key
        elif provider == "elevenlabs":
            from ..providers.elevenlabs import check_key
        else:
            from ..providers.kling import check_key
        await check_key(client, *values)


def check_provider_key(provider: str, values: list[str]) -> str:
    """One line for the row: whether the provider accepted the key. Never the key."""
    from ..providers.base import ProviderError

    try:
        asyncio.run(_check(provider, values))
    except ProviderError as e:
        return e.message
    except Exception as e:
        label = next((r.label for r in ROWS if r.provider == provider), provider)
        return f"Could not reach {label} ({type(e).__name__})."
    return "The key works."


class ProviderKeyRow(QObject):
    def __init__(self, row: ProviderRow, grid: QGridLayout, line: int, dialog: SettingsDialog) -> None:
        super().__init__(dialog)
        self.row = row
        self.dialog = dialog
        parent = dialog
        self.fields: list[QLineEdit] = []
        grid.addWidget(QLabel(row.label, parent), line, 0)
        box = QWidget(parent)
        inner = QVBoxLayout(box)
        inner.setContentsMargins(0, 0, 0, 0)
        for entry, placeholder in row.entries:
            field = QLineEdit(parent)
            field.setEchoMode(QLineEdit.EchoMode.Password)
            field.setPlaceholderText(placeholder)
            field.setObjectName(f"key_{entry}")
            inner.addWidget(field)
            self.fields.append(field)
        grid.addWidget(box, line, 1)
        self.save_button = QPushButton("Save", parent)
        self.test_button = QPushButton("Test", parent)
        self.remove_button = QPushButton("Remove", parent)
        for i, b in enumerate((self.save_button, self.test_button, self.remove_button)):
            grid.addWidget(b, line, 2 + i)
        self.status = QLabel("", parent)
        self.status.setWordWrap(True)
        grid.addWidget(self.status, line, 5)
        self.save_button.clicked.connect(self.save)
        self.test_button.clicked.connect(self.test)
        self.remove_button.clicked.connect(self.remove)

    def entries(self) -> list[str]:
        return [e for e, _ in self.row.entries]

    def show_stored(self, present: list[bool]) -> None:
        for field, (_, placeholder), has in zip(self.fields, self.row.entries, present, strict=True):
            field.setPlaceholderText("saved — type to replace" if has else placeholder)
        self.status.setText("Saved." if all(present) else ("" if not any(present) else "Incomplete."))

    def save(self) -> None:
        values = [f.text().strip() for f in self.fields]
        if not any(values):
            self.status.setText("Type a key first.")
            return
        pairs = [(e, v) for e, v in zip(self.entries(), values, strict=True) if v]

        def work() -> bool:
            return all([keychain.set_secret(e, v) for e, v in pairs])

        def done(ok: bool, value: Any) -> None:
            if not ok:
                self.status.setText(getattr(value, "args", [""])[0] or "Could not save the key.")
                return
            for f in self.fields:
                f.clear()
            self.status.setText("Saved." if value else "Saved for this session only.")
            self.dialog.keysChanged.emit(self.row.provider)
            self.dialog.refresh()

        self.status.setText("Saving…")
        self.dialog.background.run(work, done)

    def test(self) -> None:
        typed = [f.text().strip() for f in self.fields]

        def work() -> str:
            values = [t or (keychain.get_secret(e) or "") for t, e in zip(typed, self.entries(), strict=True)]
            if not all(values):
                return "No key to test: type one or save one first."
            return check_provider_key(self.row.provider, values)

        self.status.setText("Testing…")
        self.dialog.background.run(work, lambda ok, value: self.status.setText(value if ok else "Test failed."))

    def remove(self) -> None:
        def work() -> None:
            for e in self.entries():
                keychain.delete_secret(e)

        def done(ok: bool, value: Any) -> None:
            self.status.setText("Removed." if ok else str(value))
            if ok:
                self.dialog.keysChanged.emit(self.row.provider)
                self.dialog.refresh()

        self.dialog.background.run(work, done)


class SettingsDialog(QDialog):
    """Emits keysChanged(provider) after a save or removal: the job engine's provider
    factory should forget() its clients then."""

    keysChanged = Signal(str)
    refreshed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Settings — API keys")
        self.background = _Background(self)
        self.backend_message = QLabel("Checking the system keychain…", self)
        self.backend_message.setWordWrap(True)
        grid = QGridLayout()
        self.rows = {r.provider: ProviderKeyRow(r, grid, i, self) for i, r in enumerate(ROWS)}
        hint = QLabel(
            "Without a key, that step uses the free Local preview. Keys are never written to a file.", self
        )
        hint.setWordWrap(True)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.backend_message)
        layout.addLayout(grid)
        layout.addWidget(hint)
        layout.addWidget(close)
        self.refresh()

    def refresh(self) -> None:
        """Re-read which keys exist and whether the keychain works (off the GUI thread)."""

        def work() -> tuple[keychain.KeyringStatus, dict[str, list[bool]]]:
            status = keychain.backend_status()
            present = {p: [keychain.has_secret(e) for e in row.entries()] for p, row in self.rows.items()}
            return status, present

        def done(ok: bool, value: Any) -> None:
            if ok:
                status, present = value
                self.backend_message.setText(status.message)
                self.backend_message.setProperty("usable", status.usable)
                for p, row in self.rows.items():
                    row.show_stored(present[p])
            self.refreshed.emit()

        self.background.run(work, done)
