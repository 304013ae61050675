"""Sign in to the team's shared store: email, password, and whether to remember the
password in the system keychain. A widget only: the caller stores the password
(shared.login.remember_password / remember_for_session) and connects."""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..domain import validation as v


@dataclass(frozen=True)
class Credentials:
    email: str
    password: str = field(repr=False)  # never printed, logged or shown
    remember: bool


class LoginDialog(QDialog):
    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        server: str = "",
        email: str = "",
        keyring_usable: bool = True,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sign in to the shared store")
        self._result: Credentials | None = None

        self.server_label = QLabel(server)
        self.email_edit = QLineEdit(email)
        self.email_edit.setPlaceholderText("you@example.com")
        self.password_edit = QLineEdit()
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.remember_box = QCheckBox("Remember the password in the system keychain")
        self.remember_box.setChecked(keyring_usable)
        if not keyring_usable:
            self.remember_box.setEnabled(False)
            self.remember_box.setToolTip(
                "No system keychain is available: the password is kept for this session only."
            )
        self.error_label = QLabel()
        self.error_label.setStyleSheet("color: #b00020")
        self.error_label.setWordWrap(True)
        self.error_label.hide()

        form = QFormLayout()
        if server:
            form.addRow("Server", self.server_label)
        form.addRow("Email", self.email_edit)
        form.addRow("Password", self.password_edit)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Sign in")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.remember_box)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

        self.email_edit.textChanged.connect(self._update_ok)
        self.password_edit.textChanged.connect(self._update_ok)
        self._update_ok()
        (self.password_edit if email else self.email_edit).setFocus()

    @property
    def ok_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def show_error(self, message: str) -> None:
        """After a failed sign-in: say why and let the person retype the password."""
        self.error_label.setText(message)
        self.error_label.show()
        self.password_edit.clear()
        self.password_edit.setFocus()

    def credentials(self) -> Credentials | None:
        """What was entered, once the dialog was accepted; None if cancelled."""
        return self._result

    def accept(self) -> None:
        if not self._valid():
            return
        self._result = Credentials(
            email=self.email_edit.text().strip().lower(),
            password=self.password_edit.text(),
            remember=self.remember_box.isChecked(),
        )
        # The line edit need not hold the password any longer than this.
        self.password_edit.clear()
        super().accept()

    def _valid(self) -> bool:
        try:
            v.email(self.email_edit.text().strip())
        except v.ValidationError:
            return False
        return bool(self.password_edit.text())

    def _update_ok(self) -> None:
        self.ok_button.setEnabled(self._valid())
