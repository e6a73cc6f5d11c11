"""Trust of the exchange in the window (issue 15): the computers a sub-district
registered, each with the grids it serves, its state and its audit trail; and this
computer's own identity, for a database copied from another one. The rules live in
KeyService; these dialogs only ask and show."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gridvisit.core.errors import GridVisitError, ValidationError
from gridvisit.core.services import Services
from gridvisit.exchange.keys import DeviceInfo
from gridvisit.ui import files, fmt
from gridvisit.ui.dialogs.common import error_label
from gridvisit.ui.table_model import Column, RowTableModel


def _text(exc: GridVisitError) -> str:
    if isinstance(exc, ValidationError):
        return ";".join(exc.errors.values())
    return f"{exc.message}\n{exc.hint}".strip()


def _children(item: QTreeWidgetItem) -> list[QTreeWidgetItem]:
    """An item's children (the top-level items, for the invisible root item)."""
    return [child for i in range(item.childCount()) if (child := item.child(i)) is not None]


class DeviceAsk:
    """The questions these dialogs put to the user; tests replace them."""

    @staticmethod
    def open_key(parent: QWidget, title: str) -> Path | None:
        # Through ui/files.py: Qt's own file dialog reads every file it lists, which
        # drops this process's SQLite locks on a database in that folder.
        return files.open_file(parent, title, "*.pub", purpose="keys")

    @staticmethod
    def confirm(parent: QWidget, title: str, text: str) -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        box.button(QMessageBox.StandardButton.Yes).setText(
            QCoreApplication.translate("DevicesDialog", "Yes")
        )
        box.button(QMessageBox.StandardButton.No).setText(
            QCoreApplication.translate("DevicesDialog", "No")
        )
        box.setDefaultButton(QMessageBox.StandardButton.No)
        return box.exec() == QMessageBox.StandardButton.Yes

    @staticmethod
    def tell(parent: QWidget, title: str, text: str, *, error: bool = False) -> None:
        icon = QMessageBox.Icon.Warning if error else QMessageBox.Icon.Information
        QMessageBox(icon, title, text, parent=parent).exec()


Area = tuple[list[tuple[str, str]], list[str]]


class AreaDialog(QDialog):
    """Which grids a computer serves, or whole communities for a community computer.
    Ticking a community covers all its grids, new ones too."""

    def __init__(
        self, services: Services, current: DeviceInfo | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Area of the computer"))
        intro = QLabel(
            self.tr(
                "Tick the grids this computer works in. Tick a whole community only for a "
                "community computer: it may then also add grids there. Packages from this "
                "computer may change records of these grids only."
            ),
            self,
        )
        intro.setWordWrap(True)
        self.tree = QTreeWidget(self)
        self.tree.setHeaderHidden(True)
        self.tree.setUniformRowHeights(True)
        hierarchy = services.hierarchy
        grids_now = set(current.grids) if current else set()
        communities_now = set(current.communities) if current else set()
        for community in hierarchy.communities():
            top = QTreeWidgetItem(
                self.tree, [self.tr("{name} (whole community)").format(name=community.name)]
            )
            top.setData(0, Qt.ItemDataRole.UserRole, ("community", community.name))
            top.setFlags(top.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            top.setCheckState(
                0,
                Qt.CheckState.Checked
                if community.name in communities_now
                else Qt.CheckState.Unchecked,
            )
            for grid in hierarchy.grids(community.id):
                child = QTreeWidgetItem(top, [grid.name])
                child.setData(0, Qt.ItemDataRole.UserRole, ("grid", (community.name, grid.name)))
                child.setFlags(child.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                child.setCheckState(
                    0,
                    Qt.CheckState.Checked
                    if f"{community.name}/{grid.name}" in grids_now
                    else Qt.CheckState.Unchecked,
                )
        self.tree.expandAll()
        self.tree.itemChanged.connect(self._covered)
        for top in _children(self.tree.invisibleRootItem()):
            self._covered(top)
        self.error = error_label(self)
        box = QDialogButtonBox(self)
        box.addButton(self.tr("OK"), QDialogButtonBox.ButtonRole.AcceptRole).setDefault(True)
        box.addButton(self.tr("Cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        box.accepted.connect(self._accept)
        box.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.error)
        layout.addWidget(box)
        self.resize(460, 520)

    def _covered(self, item: QTreeWidgetItem) -> None:
        """A ticked community covers its grids: they are greyed out."""
        if item.parent() is not None:
            return
        whole = item.checkState(0) == Qt.CheckState.Checked
        for child in _children(item):
            child.setDisabled(whole)

    def selection(self) -> Area:
        grids: list[tuple[str, str]] = []
        communities: list[str] = []
        for top in _children(self.tree.invisibleRootItem()):
            if top.checkState(0) == Qt.CheckState.Checked:
                communities.append(top.data(0, Qt.ItemDataRole.UserRole)[1])
                continue
            for child in _children(top):
                if child.checkState(0) == Qt.CheckState.Checked:
                    grids.append(child.data(0, Qt.ItemDataRole.UserRole)[1])
        return grids, communities

    def _accept(self) -> None:
        grids, communities = self.selection()
        if not grids and not communities:
            self.error.setText(self.tr("Tick at least one grid or community."))
            self.error.show()
            return
        self.accept()

    @classmethod
    def ask(
        cls, services: Services, current: DeviceInfo | None, parent: QWidget | None
    ) -> Area | None:
        dialog = cls(services, current, parent)
        try:
            return dialog.selection() if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()


class DevicesDialog(QDialog):
    """The computers this sub-district accepts packages from."""

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Registered computers"))
        self.services = services
        self.model: RowTableModel[DeviceInfo] = RowTableModel(
            [
                Column(self.tr("Computer"), lambda d: d.name or "—"),
                Column(self.tr("Device"), lambda d: d.device_id[:8]),
                Column(self.tr("Area"), lambda d: d.area_label, tooltip=lambda d: d.area_label),
                Column(
                    self.tr("State"),
                    lambda d: d.state_label,
                    alert=lambda d: d.flagged_at is not None,
                    tooltip=lambda d: d.flag_reason,
                ),
                Column(
                    self.tr("Audit entries"),
                    lambda d: str(d.audit_entries),
                    align_right=True,
                    sort_key=lambda d: d.audit_entries,
                ),
                Column(self.tr("Registered"), lambda d: fmt.when(d.registered_at)),
                Column(self.tr("Fingerprint"), lambda d: d.fingerprint),
            ],
            key=lambda d: d.device_id,
            parent=self,
        )
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda _i: self.trail())
        self.register_button = QPushButton(self.tr("&Register a computer…"), self)
        self.area_button = QPushButton(self.tr("Change &area…"), self)
        self.revoke_button = QPushButton(self.tr("Re&voke…"), self)
        self.trail_button = QPushButton(self.tr("Audit &trail…"), self)
        self.register_button.clicked.connect(self.register)
        self.area_button.clicked.connect(self.change_area)
        self.revoke_button.clicked.connect(self.revoke)
        self.trail_button.clicked.connect(self.trail)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        buttons = QHBoxLayout()
        for b in (self.register_button, self.area_button, self.revoke_button, self.trail_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        close = QDialogButtonBox(self)
        close.addButton(self.tr("Close"), QDialogButtonBox.ButtonRole.RejectRole)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)
        layout.addWidget(close)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._enable())
        self.resize(1240, 460)
        self.reload()

    def reload(self) -> None:
        devices = self.services.keys.overview().devices
        self.model.set_rows(devices)
        for col, width in enumerate((170, 80, 0, 150, 100, 130, 240)):
            if width:  # the area column takes what is left
                self.table.setColumnWidth(col, width)
        flagged = [d for d in devices if d.flagged_at is not None and d.revoked_at is None]
        text = self.tr("{n} computer(s).").format(n=len(devices))
        if flagged:
            text += " " + self.tr(
                "The audit log of {names} does not continue what it sent before: check "
                "these computers."
            ).format(names="、".join(d.label for d in flagged))
        self.status.setText(text)
        self._enable()

    def selected(self) -> DeviceInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _enable(self) -> None:
        device = self.selected()
        self.area_button.setEnabled(device is not None and device.revoked_at is None)
        self.revoke_button.setEnabled(device is not None and device.revoked_at is None)
        self.trail_button.setEnabled(device is not None)

    def _fail(self, exc: GridVisitError) -> None:
        DeviceAsk.tell(self, self.tr("Failed"), _text(exc), error=True)

    def register(self) -> None:
        path = DeviceAsk.open_key(self, self.tr("Register a grid computer"))
        if path is None:
            return
        area = AreaDialog.ask(self.services, None, self)
        if area is None:
            return
        try:
            public, _outcome = self.services.keys.register_device(path, *area)
        except GridVisitError as exc:
            self._fail(exc)
            return
        self.reload()
        DeviceAsk.tell(
            self,
            self.tr("Register a grid computer"),
            self.tr(
                "Registered {name}.\nFingerprint: {fp}\nCheck the fingerprint with the other "
                "side by phone."
            ).format(name=public.name, fp=public.fingerprint),
        )

    def change_area(self) -> None:
        device = self.selected()
        if device is None:
            return
        area = AreaDialog.ask(self.services, device, self)
        if area is None:
            return
        try:
            self.services.keys.set_area(device.device_id, *area)
        except GridVisitError as exc:
            self._fail(exc)
            return
        self.reload()

    def revoke(self) -> None:
        device = self.selected()
        if device is None or not DeviceAsk.confirm(
            self,
            self.tr("Revoke"),
            self.tr(
                "Revoke {name}? From now on every package it signs is refused. It can be "
                "registered again once it has a new key."
            ).format(name=device.label),
        ):
            return
        try:
            self.services.keys.revoke_device(device.device_id)
        except GridVisitError as exc:
            self._fail(exc)
            return
        self.reload()

    def trail(self) -> None:
        device = self.selected()
        if device is None:
            return
        from gridvisit.ui.dialogs.audit import AuditDialog

        dialog = AuditDialog(self.services, self, device=device.device_id)
        dialog.exec()
        dialog.deleteLater()


class IdentityDialog(QDialog):
    """This computer's identity: its device id and fingerprint, and, for a database
    copied or moved from elsewhere, the two ways on (binding, storage/binding.py)."""

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("This computer's identity"))
        self.services = services
        self.device = QLabel(self)
        self.fingerprint = QLabel(self)
        for label in (self.device, self.fingerprint):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.state = QLabel(self)
        self.state.setWordWrap(True)
        self.new_button = QPushButton(self.tr("It is a copy: give it its own identity"), self)
        self.same_button = QPushButton(self.tr("It is the same computer: keep the identity"), self)
        self.new_button.clicked.connect(self.new_identity)
        self.same_button.clicked.connect(self.confirm)
        form = QFormLayout()
        form.addRow(self.tr("Device:"), self.device)
        form.addRow(self.tr("Fingerprint:"), self.fingerprint)
        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.same_button)
        close = QDialogButtonBox(self)
        close.addButton(self.tr("Close"), QDialogButtonBox.ButtonRole.RejectRole)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.state)
        layout.addLayout(buttons)
        layout.addWidget(close)
        self.setMinimumWidth(560)
        self.reload()

    def reload(self) -> None:
        info = self.services.keys.overview()
        self.device.setText(info.own.device_id)
        self.fingerprint.setText(info.own.fingerprint)
        if info.copy_problem:
            self.state.setText(
                info.copy_problem
                + "\n\n"
                + self.tr(
                    "If this file was copied from another computer, give it its own identity, "
                    "then send its new public key to the sub-district. If it is the same "
                    "computer and the file was only moved or restored, keep the identity."
                )
            )
        else:
            self.state.setText(self.tr("This database is where its identity belongs."))
        for button in (self.new_button, self.same_button):
            button.setVisible(bool(info.copy_problem))

    def new_identity(self) -> None:
        question = self.tr(
            "Give this computer a new device id and key pair? The sub-district must "
            "register its new public key; the next export sends all data."
        )
        registered = [d for d in self.services.keys.overview().devices if d.revoked_at is None]
        if registered:
            question += "\n\n" + self.tr(
                "This is a sub-district database: {n} computer(s) encrypt their packages to "
                "its key, and each must import the new public key."
            ).format(n=len(registered))
        if not DeviceAsk.confirm(self, self.windowTitle(), question):
            return
        try:
            self.services.keys.new_identity(force=True)
        except GridVisitError as exc:
            DeviceAsk.tell(self, self.tr("Failed"), _text(exc), error=True)
            return
        self.reload()

    def confirm(self) -> None:
        try:
            self.services.keys.confirm_device()
        except GridVisitError as exc:
            DeviceAsk.tell(self, self.tr("Failed"), _text(exc), error=True)
            return
        self.reload()


__all__ = ["AreaDialog", "DeviceAsk", "DevicesDialog", "IdentityDialog"]
