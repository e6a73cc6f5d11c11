"""Backups in the window: see them, back up now, choose how many to keep, restore one.

Restoring closes the main window: the app restores the file with the database
closed and then asks for a login again (see app.run_gui)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gridvisit.core.access import Action
from gridvisit.core.errors import GridVisitError
from gridvisit.core.services import Services
from gridvisit.storage.backups import Backup
from gridvisit.ui.dialogs.common import fit_to_screen
from gridvisit.ui.table_model import Column, RowTableModel


def ask_password(parent: QWidget, title: str, label: str) -> str | None:
    text, ok = QInputDialog.getText(parent, title, label, QLineEdit.EchoMode.Password)
    return text if ok else None


def _size(b: Backup) -> str:
    return f"{b.size / 1024 / 1024:.1f} MB"


class BackupDialog(QDialog):
    restore_requested = Signal(object, object)  # Backup, its key (None if plain)

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Backups"))
        self.services = services
        folder = services.backups.folder()
        intro = QLabel(
            self.tr(
                "The database is backed up automatically on the first start of each day, "
                "before an upgrade and before every merge. Backups are kept in:\n{folder}"
            ).format(folder=folder),
            self,
        )
        intro.setWordWrap(True)
        self.model: RowTableModel[Backup] = RowTableModel(
            [
                Column(self.tr("Taken at"), lambda b: f"{b.taken_at:%Y-%m-%d %H:%M:%S}"),
                Column(self.tr("Kind"), lambda b: b.reason.label),
                Column(self.tr("Size"), _size, align_right=True, sort_key=lambda b: b.size),
                Column(
                    self.tr("Encrypted"), lambda b: self.tr("Yes") if b.encrypted else self.tr("No")
                ),
            ],
            key=lambda b: str(b.path),
            parent=self,
        )
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda _i: self.restore_selected())
        self.empty = QLabel(self.tr("No backups yet."), self)

        policy = services.backups.policy()
        self.daily = QSpinBox(self)
        self.weekly = QSpinBox(self)
        for spin, value in ((self.daily, policy.daily), (self.weekly, policy.weekly)):
            spin.setRange(1, 365)
            spin.setValue(value)
        save_policy = QPushButton(self.tr("Save"), self)
        save_policy.clicked.connect(self.save_policy)
        self.save_policy_button = save_policy
        keep = QHBoxLayout()
        for widget in (
            QLabel(self.tr("Keep one backup a day for the last"), self),
            self.daily,
            QLabel(self.tr("days and one a week for the last"), self),
            self.weekly,
            QLabel(self.tr("weeks."), self),
            save_policy,
        ):
            keep.addWidget(widget)
        keep.addStretch(1)

        self.backup_button = QPushButton(self.tr("Back up now"), self)
        self.backup_button.clicked.connect(self.back_up_now)
        self.restore_button = QPushButton(self.tr("Restore selected backup…"), self)
        self.restore_button.clicked.connect(self.restore_selected)
        open_folder = QPushButton(self.tr("Open backup folder"), self)
        open_folder.clicked.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(self.services.backups.folder()))
        )
        buttons = QHBoxLayout()
        for b in (self.backup_button, self.restore_button, open_folder):
            buttons.addWidget(b)
        buttons.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        buttons.addWidget(close)

        # Restoring rolls everything back, the audit log too: an admin's decision. The
        # service refuses it anyway; here a grid worker is not even offered it.
        self.manages = services.ctx.can(Action.MANAGE_BACKUPS)
        self.admin_only = QLabel(
            self.tr(
                "Restoring a backup and changing how many are kept is done by a community "
                "or sub-district admin."
            ),
            self,
        )
        self.admin_only.setWordWrap(True)
        self.admin_only.setVisible(not self.manages)
        self.restore_button.setVisible(self.manages)
        save_policy.setVisible(self.manages)
        self.daily.setEnabled(self.manages)
        self.weekly.setEnabled(self.manages)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        layout.addLayout(keep)
        layout.addWidget(self.admin_only)
        layout.addLayout(buttons)
        fit_to_screen(self, 760, 480)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update())
        self.reload()

    def reload(self) -> None:
        rows = self.services.backups.list()
        self.model.set_rows(rows)
        for col, width in enumerate((170, 130, 90)):
            self.table.setColumnWidth(col, width)
        self.empty.setVisible(not rows)
        if rows:
            self.table.selectRow(0)
        self._update()

    def selected(self) -> Backup | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _update(self) -> None:
        self.restore_button.setEnabled(self.selected() is not None)

    def _fail(self, exc: GridVisitError) -> None:
        QMessageBox.warning(self, self.windowTitle(), f"{exc.message}\n{exc.hint}".strip())

    def back_up_now(self) -> None:
        try:
            made = self.services.backups.create()
        except GridVisitError as exc:
            self._fail(exc)
            return
        self.reload()
        if made is not None:
            QMessageBox.information(
                self,
                self.windowTitle(),
                self.tr("Backed up to {file} ({size}).").format(
                    file=made.path.name, size=_size(made)
                ),
            )

    def save_policy(self) -> None:
        try:
            self.services.backups.set_policy(self.daily.value(), self.weekly.value())
        except GridVisitError as exc:
            self._fail(exc)

    def restore_selected(self) -> None:
        backup = self.selected()
        if backup is None or not self.manages:
            return
        answer = QMessageBox.question(
            self,
            self.tr("Restore backup"),
            self.tr(
                "Restore the backup taken at {when} ({kind})?\n\n"
                "Everything saved after that moment will be gone from the database; the "
                "current file is kept in the backup folder. The window closes, and you log "
                "in again with the password you had then."
            ).format(when=f"{backup.taken_at:%Y-%m-%d %H:%M}", kind=backup.reason.label),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        password = ask_password(
            self, self.tr("Restore backup"), self.tr("Your password (as it was in that backup):")
        )
        if password is None:
            return
        try:
            key: Any = self.services.backups.unlock(backup, password)
        except GridVisitError as exc:
            self._fail(exc)
            return
        self.restore_requested.emit(backup, key)
        self.accept()
