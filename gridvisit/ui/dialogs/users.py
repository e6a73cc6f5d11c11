"""The user management window (Account → User management, admins): the users the
actor manages, with their role, grids or communities, state and last login; add,
edit, deactivate or reactivate, reset a password, and add many from an Excel list.

What a community admin may do is decided by `UserService` (core/services/users.py);
this window only offers what fits: their own communities' grids and the grid worker
role. New and reset passwords are generated and shown once."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gridvisit.core.enums import Role
from gridvisit.core.errors import GridVisitError
from gridvisit.core.services import Services
from gridvisit.core.services.users import UserRow
from gridvisit.ui import fmt
from gridvisit.ui.dialogs.common import (
    FAILED,
    FieldErrors,
    combo,
    error_label,
    fit_to_screen,
    form_row,
    submit,
)
from gridvisit.ui.dialogs.exchange import Ask
from gridvisit.ui.table_model import Column, RowTableModel

ID_ROLE = Qt.ItemDataRole.UserRole + 1


class UsersDialog(QDialog):
    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("users_dialog")
        self.setWindowTitle(self.tr("User management"))
        self.services = services
        actor = services.ctx.actor
        self.is_subdistrict = Role(actor.role) is Role.SUBDISTRICT_ADMIN
        note = QLabel(
            self.tr("You manage every user of the sub-district.")
            if self.is_subdistrict
            else self.tr(
                "You manage the grid workers of your communities. Other roles are added by "
                "the sub-district."
            ),
            self,
        )
        note.setWordWrap(True)
        self.show_inactive = QCheckBox(self.tr("Show deactivated users"), self)
        self.show_inactive.setChecked(True)
        self.show_inactive.toggled.connect(lambda _on: self._apply_filter())
        self.model: RowTableModel[UserRow] = RowTableModel(
            [
                Column(self.tr("Username"), lambda r: r.username),
                Column(self.tr("Name"), lambda r: r.display_name),
                Column(self.tr("Role"), lambda r: r.role.label),
                Column(
                    self.tr("Grids / communities"),
                    lambda r: (
                        r.area_text
                        or (self.tr("All") if r.role is Role.SUBDISTRICT_ADMIN else self.tr("None"))
                    ),
                    tooltip=lambda r: r.area_text,
                ),
                Column(
                    self.tr("State"),
                    lambda r: self.tr("Active") if r.active else self.tr("Deactivated"),
                    alert=lambda r: not r.active,
                ),
                Column(
                    self.tr("Last login"),
                    lambda r: fmt.when(r.last_login) or self.tr("Never"),
                    sort_key=lambda r: r.last_login.timestamp() if r.last_login else 0,
                ),
            ],
            key=lambda r: r.id,
            parent=self,
        )
        self.table = QTableView(self)
        self.table.setObjectName("users_table")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda _i: self.edit_user())
        self.add_button = self._button("add", self.tr("&Add…"), self.add_user)
        self.edit_button = self._button("edit", self.tr("&Edit…"), self.edit_user)
        self.toggle_button = self._button("toggle", self.tr("&Deactivate"), self.toggle_active)
        self.password_button = self._button(
            "password", self.tr("Reset &password…"), self.reset_password
        )
        self.import_button = self._button(
            "import", self.tr("Add from &Excel list…"), self.import_list
        )
        buttons = QVBoxLayout()
        for b in (self.add_button, self.edit_button, self.toggle_button, self.password_button):
            buttons.addWidget(b)
        buttons.addSpacing(16)
        buttons.addWidget(self.import_button)
        buttons.addStretch(1)
        middle = QHBoxLayout()
        middle.addWidget(self.table, 1)
        middle.addLayout(buttons)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        self.count = QLabel(self)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count, 1)
        bottom.addWidget(close)
        top = QHBoxLayout()
        top.addWidget(note, 1)
        top.addWidget(self.show_inactive)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(middle, 1)
        layout.addLayout(bottom)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._selection())
        fit_to_screen(self, 1100, 600)
        self.reload()

    def _button(self, name: str, text: str, slot: Any) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(f"users_{name}")
        button.setAutoDefault(False)
        button.clicked.connect(lambda _checked=False: slot())
        return button

    # -- the list ---------------------------------------------------------------------
    def reload(self, select_id: int | None = None) -> None:
        keep = select_id if select_id is not None else self.current_id()
        self.model.set_rows(self.services.users.rows())
        self._apply_filter()
        if keep is not None:
            self.select(keep)
        elif self.model.rowCount():
            self.table.selectRow(0)
        self.table.resizeColumnsToContents()
        self._selection()

    def _apply_filter(self) -> None:
        shown = self.show_inactive.isChecked()
        self.model.set_filter(None if shown else (lambda r: r.active))
        self.model.finish_filter()
        active = sum(1 for r in self.model.all_rows() if r.active)
        self.count.setText(
            self.tr("{n} users, {a} active").format(n=self.model.total_count(), a=active)
        )

    def select(self, user_id: int) -> None:
        pos = self.model.position_of(user_id)
        if pos is not None:
            self.table.selectRow(pos)

    def current(self) -> UserRow | None:
        index = self.table.currentIndex()
        return self.model.row_at(index.row()) if index.isValid() else None

    def current_id(self) -> int | None:
        row = self.current()
        return row.id if row else None

    def _selection(self) -> None:
        row = self.current()
        me = row is not None and row.id == self.services.ctx.actor.user_id
        for b in (self.edit_button, self.password_button):
            b.setEnabled(row is not None)
        self.toggle_button.setEnabled(row is not None and not me)
        self.toggle_button.setText(
            self.tr("Re&activate") if row is not None and not row.active else self.tr("&Deactivate")
        )

    # -- commands ---------------------------------------------------------------------
    def add_user(self) -> None:
        form = UserForm(self.services, None, self)
        if form.exec() == QDialog.DialogCode.Accepted and form.saved is not None:
            user_id, username, password = form.saved
            self.reload(user_id)
            show_password(self, username, password, new=True)
        form.deleteLater()

    def edit_user(self) -> None:
        row = self.current()
        if row is None:
            return
        form = UserForm(self.services, row, self)
        if form.exec() == QDialog.DialogCode.Accepted:
            self.reload(row.id)
        form.deleteLater()

    def toggle_active(self) -> None:
        row = self.current()
        if row is None:
            return
        users = self.services.users
        if row.active:
            question = self.tr(
                "Deactivate {u} ({n})? They can no longer log in; their records and their "
                "grids stay."
            ).format(u=row.username, n=row.display_name)
            if not Ask.confirm(self, self.tr("Deactivate user"), question):
                return
            if self._try(lambda: users.deactivate(row.id)):
                self.reload(row.id)
            return
        needs_password: list[bool] = []
        if self._try(lambda: needs_password.append(users.reactivate(row.id))):
            self.reload(row.id)
            if needs_password and needs_password[0]:
                QMessageBox.information(
                    self,
                    self.tr("Reactivate user"),
                    self.tr("{u} is active again. Reset their password so they can log in.").format(
                        u=row.username
                    ),
                )

    def reset_password(self) -> None:
        row = self.current()
        if row is None:
            return
        if row.id == self.services.ctx.actor.user_id:
            QMessageBox.information(
                self,
                self.tr("Reset password"),
                self.tr("Change your own password in Account → Change password."),
            )
            return
        question = self.tr(
            "Give {u} ({n}) a new password? The old one stops working; the new one is shown once."
        ).format(u=row.username, n=row.display_name)
        if not Ask.confirm(self, self.tr("Reset password"), question):
            return
        from gridvisit.core.passwords import generate_password

        password = generate_password()
        if self._try(lambda: self.services.users.reset_password(row.id, password)):
            show_password(self, row.username, password, new=False)

    def import_list(self) -> None:
        paths = Ask.open_files(self, self.tr("Add users from an Excel list"), "Excel (*.xlsx)")
        if not paths:
            return
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            result = self.services.users.import_list(paths[0])
        except GridVisitError as exc:
            QGuiApplication.restoreOverrideCursor()
            Ask.tell(self, self.tr("Add users from an Excel list"), str(exc), error=True)
            return
        QGuiApplication.restoreOverrideCursor()
        title = self.tr("Add users from an Excel list")
        if not result.imported:
            Ask.tell(
                self,
                title,
                self.tr("{n} row(s) are invalid, so nobody was added.").format(
                    n=result.invalid_rows
                )
                if result.errors
                else self.tr("The list has no users."),
                "\n".join(result.report_lines())
                + "\n\n"
                + self.tr(
                    "Columns: 用户名, 姓名, 角色, 网格/社区 (社区/网格 for a grid worker, "
                    "the community for a community admin), 电话."
                ),
                error=bool(result.errors),
            )
            return
        self.reload()
        lines = "\n".join(
            f"{n.username}\t{n.display_name}\t{n.role.label}\t{n.password}" for n in result.created
        )
        Ask.tell(
            self,
            title,
            self.tr(
                "{n} users added. Their initial passwords are shown once, below: save them "
                "to a file to hand out next."
            ).format(n=len(result.created)),
            lines,
        )
        path = Ask.save_file(
            self, self.tr("Save the initial passwords"), "初始密码单.xlsx", "Excel (*.xlsx)"
        )
        if path is not None and self._try(lambda: result.write_handout(path)):
            QMessageBox.information(
                self,
                title,
                self.tr(
                    "Saved {path}. Hand each user their password and delete the file afterwards."
                ).format(path=path),
            )

    def _try(self, fn: Any) -> bool:
        try:
            fn()
        except GridVisitError as exc:
            QMessageBox.warning(self, self.tr("Not possible"), str(exc))
            return False
        return True


def show_password(parent: QWidget, username: str, password: str, *, new: bool) -> None:
    """The new password, once, selectable and with a button that copies it."""
    box = QMessageBox(parent)
    box.setObjectName("password_shown")
    box.setWindowTitle(parent.tr("New user") if new else parent.tr("Reset password"))
    box.setText(
        parent.tr(
            "The password of {u} is:\n\n{p}\n\nIt is shown only now. Hand it over in person; "
            "it can be changed after logging in (Account → Change password)."
        ).format(u=username, p=password)
    )
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    copy = box.addButton(parent.tr("Copy password"), QMessageBox.ButtonRole.ActionRole)
    copy.clicked.disconnect()
    copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(password))
    box.addButton(QMessageBox.StandardButton.Ok)
    box.exec()
    box.deleteLater()


class UserForm(QDialog):
    """Add a user, or edit one: name, phone, role and their grids or communities."""

    def __init__(self, services: Services, row: UserRow | None, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("user_form")
        self.services = services
        self.row = row
        self.saved: tuple[int, str, str] | None = None
        self.setWindowTitle(self.tr("New user") if row is None else self.tr("Edit user"))
        subdistrict = Role(services.ctx.actor.role) is Role.SUBDISTRICT_ADMIN
        me = row is not None and row.id == services.ctx.actor.user_id
        self.errors = FieldErrors()
        self.username = QLineEdit(row.username if row else "", self)
        self.username.setObjectName("user_username")
        self.username.setReadOnly(row is not None)
        self.display_name = QLineEdit(row.display_name if row else "", self)
        self.display_name.setObjectName("user_display_name")
        self.phone = QLineEdit(row.phone if row else "", self)
        self.phone.setObjectName("user_phone")
        roles = list(Role) if subdistrict else [Role.GRID_WORKER]
        if row is not None and row.role not in roles:
            roles.append(row.role)
        self.role = combo(
            self, [(r.label, r.value) for r in roles], row.role.value if row else None
        )
        self.role.setObjectName("user_role")
        self.area = QTreeWidget(self)
        self.area.setObjectName("user_area")
        self.area.setHeaderHidden(True)
        self._fill_area(row)
        self.area_note = QLabel(self)
        self.area_note.setWordWrap(True)
        if me and not subdistrict:
            # A community admin does not change their own role or area.
            self.role.setEnabled(False)
            self.area.setEnabled(False)
        form = QFormLayout()
        for key, text, widget in (
            ("username", self.tr("&Username"), self.username),
            ("display_name", self.tr("&Name"), self.display_name),
            ("phone", self.tr("P&hone"), self.phone),
            ("role", self.tr("&Role"), self.role),
        ):
            label = error_label(self)
            self.errors.register(key, widget, label)
            form_row(form, self, text, widget, label)
        area_errors = error_label(self)
        self.errors.register("grids", self.area, area_errors)
        self.errors.register("communities", self.area, self.errors.make_label(self))
        form_row(form, self, self.tr("Grids / c&ommunities"), self.area, self.area_note,
                 area_errors)  # fmt: skip
        if row is None:
            form.addRow(
                QLabel(self.tr("A password is generated and shown once after saving."), self)
            )
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.role.currentIndexChanged.connect(lambda _i: self._role_changed())
        self._role_changed()
        fit_to_screen(self, 520, 600)

    def _fill_area(self, row: UserRow | None) -> None:
        grids = {g for g, _ in row.grids} if row else set()
        communities = {c for c, _ in row.communities} if row else set()
        h = self.services.hierarchy
        for community in h.communities():
            top = QTreeWidgetItem([community.name])
            top.setData(0, ID_ROLE, ("community", community.id))
            top.setCheckState(
                0,
                Qt.CheckState.Checked if community.id in communities else Qt.CheckState.Unchecked,
            )
            for grid in h.grids(community.id):
                child = QTreeWidgetItem([grid.name])
                child.setData(0, ID_ROLE, ("grid", grid.id))
                child.setCheckState(
                    0, Qt.CheckState.Checked if grid.id in grids else Qt.CheckState.Unchecked
                )
                top.addChild(child)
            self.area.addTopLevelItem(top)
        self.area.expandAll()

    def _items(self) -> list[QTreeWidgetItem]:
        out: list[QTreeWidgetItem] = []
        for i in range(self.area.topLevelItemCount()):
            top = self.area.topLevelItem(i)
            if top is None:
                continue
            out.append(top)
            out += [c for j in range(top.childCount()) if (c := top.child(j)) is not None]
        return out

    def _role_changed(self) -> None:
        role = Role(self.role.currentData())
        wanted = {Role.GRID_WORKER: "grid", Role.COMMUNITY_ADMIN: "community"}.get(role)
        for item in self._items():
            kind = item.data(0, ID_ROLE)[0]
            flags = Qt.ItemFlag.ItemIsEnabled
            if kind == wanted:
                flags |= Qt.ItemFlag.ItemIsUserCheckable
                item.setData(0, Qt.ItemDataRole.CheckStateRole, item.checkState(0))
            else:
                item.setData(0, Qt.ItemDataRole.CheckStateRole, None)
            item.setFlags(flags)
        self.area_note.setText(
            {
                Role.GRID_WORKER: self.tr("Tick the grids this grid worker is responsible for."),
                Role.COMMUNITY_ADMIN: self.tr("Tick the communities this admin manages."),
                Role.SUBDISTRICT_ADMIN: self.tr("A sub-district admin manages every community."),
            }[role]
        )

    def checked(self, kind: str) -> list[int]:
        return [
            item.data(0, ID_ROLE)[1]
            for item in self._items()
            if item.data(0, ID_ROLE)[0] == kind
            and item.data(0, Qt.ItemDataRole.CheckStateRole) is not None
            and item.checkState(0) == Qt.CheckState.Checked
        ]

    def set_checked(self, kind: str, ids: set[int]) -> None:
        """Tick exactly `ids` among the items of `kind` (for tests and the screenshots)."""
        for item in self._items():
            k, ident = item.data(0, ID_ROLE)
            if k == kind:
                item.setCheckState(
                    0, Qt.CheckState.Checked if ident in ids else Qt.CheckState.Unchecked
                )

    def save(self) -> None:
        self.errors.clear()
        role = Role(self.role.currentData())
        users = self.services.users
        grids = self.checked("grid") if role is Role.GRID_WORKER else []
        communities = self.checked("community") if role is Role.COMMUNITY_ADMIN else []
        if self.row is None:
            from gridvisit.core.passwords import generate_password

            password = generate_password()
            username = self.username.text().strip()

            def create() -> int:
                return users.create(
                    username,
                    self.display_name.text(),
                    role,
                    password=password,
                    phone=self.phone.text(),
                    grid_ids=grids,
                    community_ids=communities,
                ).id

            result = submit(self, self.errors, create)
            if result is FAILED:
                return
            self.saved = (result, username, password)
        else:
            row = self.row
            area_fixed = not self.area.isEnabled()

            def update() -> int:
                return users.update(
                    row.id,
                    display_name=self.display_name.text(),
                    phone=self.phone.text(),
                    role=None if area_fixed else role,
                    grid_ids=None if area_fixed else grids,
                    community_ids=None if area_fixed else communities,
                ).id

            if submit(self, self.errors, update) is FAILED:
                return
        self.accept()
