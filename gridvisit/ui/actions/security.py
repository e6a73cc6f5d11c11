"""The Account menu's commands: password, audit log, revealing a resident's full
numbers, this computer's keys and the registered computers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QMessageBox

from gridvisit.core.errors import GridVisitError, ValidationError
from gridvisit.ui import files
from gridvisit.ui.actions import ActionGroup
from gridvisit.ui.dialogs.audit import AuditDialog
from gridvisit.ui.dialogs.security import ChangePasswordDialog


def error_message(exc: GridVisitError) -> str:
    if isinstance(exc, ValidationError):
        return ";".join(exc.errors.values())
    return f"{exc.message}\n{exc.hint}".strip()


class SecurityActions(ActionGroup):
    """The Account menu: password, audit log, reveal, exchange keys, registered
    computers; each offered only where the role may do it."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.act_password = self.action(
            "change_password", self.tr("Change &password…"), self.change_password
        )
        self.act_audit = self.action("audit_log", self.tr("&Audit log…"), self.audit_log)
        self.act_export_key = self.action(
            "export_key", self.tr("Export this computer's public &key…"), self.export_public_key
        )
        self.act_trust = self.action(
            "trust_subdistrict",
            self.tr("Import the sub-district's public key…"),
            self.trust_subdistrict,
        )
        self.act_register = self.action(
            "registered_computers", self.tr("Registered computers…"), self.devices
        )
        self.act_identity = self.action(
            "identity", self.tr("This computer's identity…"), self.identity
        )
        self.act_key_guide = self.action(
            "key_guide", self.tr("Key exchange &guide…"), self.key_guide
        )
        window.households.reveal_requested.connect(self.reveal)

    def menu_actions(self, *more: QAction) -> list[QAction | None]:
        """The Account menu, None for a separator; `more` after the password."""
        return [
            self.act_password,
            *more,
            self.act_audit,
            None,
            self.act_key_guide,
            self.act_export_key,
            self.act_trust,
            self.act_register,
            self.act_identity,
        ]

    def key_guide(self) -> None:
        from gridvisit.ui.dialogs.key_setup import KeySetupDialog

        dialog = KeySetupDialog(self.services, self, self.window)
        dialog.exec()
        dialog.deleteLater()

    def _fail(self, exc: GridVisitError) -> None:
        QMessageBox.warning(self.window, self.tr("Failed"), error_message(exc))

    def change_password(self) -> None:
        dialog = ChangePasswordDialog(self.services, self.window)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            QMessageBox.information(
                self.window, self.tr("Change password"), self.tr("Password changed.")
            )
        dialog.deleteLater()

    def audit_log(self) -> None:
        try:
            dialog = AuditDialog(self.services, self.window)
        except GridVisitError as exc:
            self._fail(exc)
            return
        dialog.exec()
        dialog.deleteLater()

    def reveal(self, resident: Any) -> None:
        try:
            id_number = self.services.households.reveal(resident.id, "id_number")
            phone = self.services.households.reveal(resident.id, "phone")
        except GridVisitError as exc:
            self._fail(exc)
            return
        QMessageBox.information(
            self.window,
            self.tr("Full numbers"),
            self.tr(
                "{name}\nID number: {id}\nPhone: {phone}\n\nThis viewing is recorded in the audit log."
            ).format(name=resident.name, id=id_number or "—", phone=phone or "—"),
        )

    def export_public_key(self) -> None:
        path = files.save_file(
            self.window,
            self.tr("Export this computer's public key"),
            "gridvisit.pub",
            "*.pub",
            suffix=".pub",
            purpose="keys",
        )
        if not path:
            return
        try:
            public = self.services.keys.create(
                Path(path), self.services.ctx.actor.display_name or ""
            )
        except GridVisitError as exc:
            self._fail(exc)
            return
        QMessageBox.information(
            self.window,
            self.tr("Public key"),
            self.tr(
                "Saved {path}.\nFingerprint: {fp}\nCheck the fingerprint with the other side by phone."
            ).format(path=path, fp=public.fingerprint),
        )

    def _import_key(self, title: str, do: Callable[[Path], Any]) -> None:
        path = files.open_file(self.window, title, "*.pub", purpose="keys")
        if not path:
            return
        try:
            result = do(Path(path))
        except GridVisitError as exc:
            self._fail(exc)
            return
        public = result[0] if isinstance(result, tuple) else result
        QMessageBox.information(
            self.window,
            title,
            self.tr(
                "Imported {name}.\nFingerprint: {fp}\nCheck the fingerprint with the other side by phone."
            ).format(name=public.name, fp=public.fingerprint),
        )

    def trust_subdistrict(self) -> None:
        self._import_key(
            self.tr("Import the sub-district's public key"), self.services.keys.trust_subdistrict
        )

    def devices(self) -> None:
        from gridvisit.ui.dialogs.devices import DevicesDialog

        self._show(DevicesDialog)

    def identity(self) -> None:
        from gridvisit.ui.dialogs.devices import IdentityDialog

        self._show(IdentityDialog)

    def _show(self, dialog_class: Any) -> None:
        try:
            dialog = dialog_class(self.services, self.window)
        except GridVisitError as exc:
            self._fail(exc)
            return
        dialog.exec()
        dialog.deleteLater()
