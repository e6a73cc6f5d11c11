"""Logging in, the first administrator, passwords, and the account menu's actions (the
audit log window itself is ui/dialogs/audit.py)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from gridvisit.core.auth import Login
from gridvisit.core.errors import GridVisitError, ValidationError
from gridvisit.core.services import Services
from gridvisit.ui.dialogs.audit import AuditDialog
from gridvisit.ui.dialogs.common import error_label


def _password_field(parent: QWidget) -> QLineEdit:
    field = QLineEdit(parent)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


def _buttons(dialog: QDialog, ok_text: str, accept: Callable[[], None]) -> QDialogButtonBox:
    """OK (the default: Enter submits) and Cancel."""
    box = QDialogButtonBox(dialog)
    box.addButton(ok_text, QDialogButtonBox.ButtonRole.AcceptRole).setDefault(True)
    cancel = QCoreApplication.translate("SecurityDialogs", "Cancel")
    box.addButton(cancel, QDialogButtonBox.ButtonRole.RejectRole)
    box.accepted.connect(accept)
    box.rejected.connect(dialog.reject)
    return box


def _message(exc: GridVisitError) -> str:
    if isinstance(exc, ValidationError):
        return ";".join(exc.errors.values())
    return f"{exc.message}\n{exc.hint}".strip()


class LoginDialog(QDialog):
    """Asks for user name and password and tries them; `attempt` does the real work
    (core.auth.login) and raises GridVisitError with the reason."""

    def __init__(
        self,
        db_label: str,
        attempt: Callable[[str, str], Login],
        user: str = "",
        parent: QWidget | None = None,
        *,
        hint: str = "",
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Log in to gridvisit"))
        self.attempt = attempt
        self.result_login: Login | None = None
        self.username = QLineEdit(user, self)
        self.password = _password_field(self)
        self.error = error_label(self)
        form = QFormLayout()
        form.addRow(self.tr("Database:"), QLabel(db_label, self))
        form.addRow(self.tr("User name:"), self.username)
        form.addRow(self.tr("Password:"), self.password)
        if hint:
            form.addRow("", QLabel(hint, self))
        buttons = _buttons(self, self.tr("Log in"), self.try_login)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        (self.password if user else self.username).setFocus()
        self.setMinimumWidth(420)

    def try_login(self) -> None:
        try:
            self.result_login = self.attempt(self.username.text().strip(), self.password.text())
        except GridVisitError as exc:
            self.error.setText(_message(exc))
            self.error.show()
            self.password.selectAll()
            self.password.setFocus()
            return
        self.accept()


class FirstAdminDialog(QDialog):
    """The first start: who is the first sub-district administrator."""

    def __init__(
        self, create: Callable[[str, str, str], Login], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Create the first administrator"))
        # Not `self.create`: that would hide QWidget.create().
        self.create_admin = create
        self.result_login: Login | None = None
        intro = QLabel(
            self.tr(
                "This is the first start. Create the administrator account. The data on this "
                "computer is encrypted with a key that only your password opens: keep the "
                "password safe, it cannot be recovered."
            ),
            self,
        )
        intro.setWordWrap(True)
        self.username = QLineEdit("admin", self)
        self.display_name = QLineEdit(self)
        self.password = _password_field(self)
        self.again = _password_field(self)
        self.error = error_label(self)
        form = QFormLayout()
        form.addRow(self.tr("User name:"), self.username)
        form.addRow(self.tr("Name:"), self.display_name)
        form.addRow(self.tr("Password (8+ characters):"), self.password)
        form.addRow(self.tr("Password again:"), self.again)
        buttons = _buttons(self, self.tr("Create"), self.try_create)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.display_name.setFocus()
        self.setMinimumWidth(460)

    def try_create(self) -> None:
        if self.password.text() != self.again.text():
            self.error.setText(self.tr("The two passwords differ."))
            self.error.show()
            return
        try:
            self.result_login = self.create_admin(
                self.username.text().strip(), self.display_name.text().strip(), self.password.text()
            )
        except GridVisitError as exc:
            self.error.setText(_message(exc))
            self.error.show()
            return
        self.accept()


class ChangePasswordDialog(QDialog):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Change password"))
        self.services = services
        self.old = _password_field(self)
        self.new = _password_field(self)
        self.again = _password_field(self)
        self.error = error_label(self)
        form = QFormLayout()
        form.addRow(self.tr("Current password:"), self.old)
        form.addRow(self.tr("New password (8+ characters):"), self.new)
        form.addRow(self.tr("New password again:"), self.again)
        buttons = _buttons(self, self.tr("Change"), self.try_change)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def try_change(self) -> None:
        if self.new.text() != self.again.text():
            self.error.setText(self.tr("The two new passwords differ."))
            self.error.show()
            return
        try:
            self.services.users.change_own_password(self.old.text(), self.new.text())
        except GridVisitError as exc:
            self.error.setText(_message(exc))
            self.error.show()
            return
        self.accept()


__all__ = [
    "AuditDialog",
    "ChangePasswordDialog",
    "FirstAdminDialog",
    "LoginDialog",
]
