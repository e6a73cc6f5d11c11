"""Logging in, the first administrator, passwords, the audit log and exchange keys."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QDate
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gridvisit.core.auth import Login
from gridvisit.core.clock import today_local
from gridvisit.core.errors import GridVisitError, ValidationError
from gridvisit.core.services import Services
from gridvisit.core.services.audit import AuditFilter, AuditLine
from gridvisit.ui import fmt
from gridvisit.ui.dialogs.common import error_label, fit_to_screen
from gridvisit.ui.table_model import Column, RowTableModel


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
        self.create = create
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
            self.result_login = self.create(
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


class AuditDialog(QDialog):
    """Supervisors browse and filter the audit log and check its hash chain."""

    def __init__(
        self, services: Services, parent: QWidget | None = None, *, device: str = ""
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Audit log"))
        self.services = services
        # Whose log: this database's own, or a laptop's trail as its packages brought
        # it to the sub-district (issue 15).
        self.source = QComboBox(self)
        self.source.addItem(self.tr("This computer"), "")
        for device_id, label in services.audit_log.devices():
            self.source.addItem(label, device_id)
        self.source.setCurrentIndex(max(0, self.source.findData(device)))
        self.source.setVisible(self.source.count() > 1)
        # Beijing's today: on a laptop left on UTC the machine's date is still yesterday
        # for eight hours, and the log opened on 共 0 条.
        today = QDate(today_local(services.ctx.now()))
        self.date_from = QDateEdit(today.addDays(-30), self)
        self.date_to = QDateEdit(today, self)
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.actor = QComboBox(self)
        self._fill_actors()
        self.source.currentIndexChanged.connect(lambda _i: (self._fill_actors(), self.reload()))
        self.text = QLineEdit(self)
        self.text.setPlaceholderText(self.tr("Action, e.g. 登录 or 查看完整号码"))
        search = QPushButton(self.tr("Filter"), self)
        search.clicked.connect(self.reload)
        self.text.returnPressed.connect(self.reload)
        verify = QPushButton(self.tr("Verify integrity"), self)
        verify.clicked.connect(self.verify)
        self.model: RowTableModel[AuditLine] = RowTableModel(
            [
                Column(
                    self.tr("No."), lambda e: str(e.id), align_right=True, sort_key=lambda e: e.id
                ),
                Column(self.tr("Time"), lambda e: fmt.when(e.at)),
                Column(self.tr("User"), lambda e: e.actor),
                Column(self.tr("Action"), lambda e: e.action_label),
                Column(self.tr("Details"), lambda e: e.what),
            ],
            key=lambda e: e.id,
            parent=self,
        )
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.status = QLabel(self)
        bar = QHBoxLayout()
        bar.addWidget(self.source)
        for label, widget in (
            (self.tr("Date from"), self.date_from),
            (self.tr("to"), self.date_to),
            (self.tr("User"), self.actor),
        ):
            bar.addWidget(QLabel(label, self))
            bar.addWidget(widget)
        bar.addWidget(self.text, 1)
        bar.addWidget(search)
        bar.addWidget(verify)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        layout.addWidget(close)
        fit_to_screen(self, 1000, 600)
        self.reload()

    def reload(self) -> None:
        flt = AuditFilter(
            date_from=self.date_from.date().toPython(),  # type: ignore[arg-type]
            date_to=self.date_to.date().toPython(),  # type: ignore[arg-type]
            actor=str(self.actor.currentData() or ""),
            text=self.text.text().strip(),
            device=self.device,
        )
        rows = self.services.audit_log.entries(flt)
        self.model.set_rows(rows)
        for col, width in enumerate((60, 140, 100, 140)):
            self.table.setColumnWidth(col, width)
        self.status.setText(self.tr("{n} entries").format(n=len(rows)))

    @property
    def device(self) -> str:
        return str(self.source.currentData() or "")

    def _fill_actors(self) -> None:
        self.actor.clear()
        self.actor.addItem(self.tr("All users"), "")
        for name in self.services.audit_log.actors(self.device):
            self.actor.addItem(name, name)

    def verify(self) -> None:
        verdict = self.services.audit_log.verify(self.device)
        if verdict.ok:
            QMessageBox.information(
                self,
                self.tr("Audit log"),
                self.tr("The audit log is intact: {n} entries, hash chain complete.").format(
                    n=verdict.entries
                ),
            )
        else:
            box = QMessageBox(
                QMessageBox.Icon.Critical,
                self.tr("Audit log"),
                self.tr("The audit log was changed outside the program: {n} problem(s).").format(
                    n=len(verdict.problems)
                ),
                parent=self,
            )
            box.setDetailedText("\n".join(verdict.problems))
            box.exec()
            box.deleteLater()


__all__ = [
    "AuditDialog",
    "ChangePasswordDialog",
    "FirstAdminDialog",
    "LoginDialog",
]
