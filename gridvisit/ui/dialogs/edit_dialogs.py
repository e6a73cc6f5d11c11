"""Editing households, residents and choosing a place in the hierarchy."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, TypeVar

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gridvisit.core.codes import ETHNICITY, MASSES, POLITICAL_STATUS, RELATION, is_party_member
from gridvisit.core.enums import Gender, HouseStatus, MoveKind, RegistrationType, ResidenceType
from gridvisit.core.errors import GridVisitError
from gridvisit.core.masking import mask_id_number, mask_name, mask_phone
from gridvisit.core.records import ResidentInput, ResidentRec
from gridvisit.core.services.workspace import Reference
from gridvisit.ui.dialogs.common import (
    FAILED,
    FieldErrors,
    add_save_shortcuts,
    combo,
    fit_to_screen,
    form_row,
    save_cancel_buttons,
    submit,
)

W = TypeVar("W", bound=QWidget)


def _day(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())


class _FormDialog(QDialog):
    """A form whose save callback may raise ValidationError; errors are shown inline."""

    def __init__(self, title: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.errors = FieldErrors()
        self.form = QFormLayout()
        self.result_value: Any = None
        self._save: Callable[[], Any] = lambda: None
        # Set by a caller that can open the form again on the stored record: a save
        # refused as stale then offers to reload (see `submit`), and the dialog closes
        # with `reload_requested` so that the caller reopens it.
        self.reloadable = False
        self.reload_requested = False

    def field(self, key: str, label: str, widget: W, form: QFormLayout | None = None) -> W:
        error = self.errors.make_label(self)
        self.errors.register(key, widget, error)
        form_row(form or self.form, self, label, widget, error)
        return widget

    def finish(self, save: Callable[[], Any]) -> None:
        self._save = save
        buttons = save_cancel_buttons(self, self.tr("Save"), self.tr("Cancel"))
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        add_save_shortcuts(self, self.save)
        layout = QVBoxLayout(self)
        side = getattr(self, "side_form", None)
        if side is None:
            layout.addLayout(self.form)
        else:  # two columns, so a long form fits a 1366x768 screen
            columns = QHBoxLayout()
            columns.addLayout(self.form, 1)
            columns.addSpacing(12)
            columns.addLayout(side, 1)
            layout.addLayout(columns)
        layout.addWidget(buttons)

    def save(self) -> None:
        result = submit(
            self, self.errors, self._save, reload=self._reload if self.reloadable else None
        )
        if result is not FAILED:
            self.result_value = result
            self.accept()

    def _reload(self) -> None:
        self.reload_requested = True
        self.reject()

    def run(self) -> Any:
        try:
            return self.result_value if self.exec() == QDialog.DialogCode.Accepted else None
        finally:
            self.deleteLater()  # on the GUI thread, not whenever a GC happens to run


class HouseholdDialog(_FormDialog):
    """Register a new household or edit one. `save` gets the form values."""

    DEFAULT_HOUSE = {  # noqa: RUF012 - read only
        "house_status": HouseStatus.OWNER_OCCUPIED.value,
        "owner_name": "",
        "owner_phone": "",
        "tenant_count": 0,
        "rental_registration": "",
    }

    def __init__(
        self,
        reference: Reference,
        save: Callable[[dict[str, Any]], Any],
        *,
        title: str,
        values: dict[str, Any] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(title, parent)
        v = values or {}
        self.building = self.field(
            "building", self.tr("&Building"), QLineEdit(v.get("building", ""), self)
        )
        self.unit = self.field("unit", self.tr("&Unit"), QLineEdit(v.get("unit", ""), self))
        self.room = self.field("room", self.tr("&Room"), QLineEdit(v.get("room", ""), self))
        self.phone = self.field("phone", self.tr("&Phone"), QLineEdit(v.get("phone", ""), self))
        tiers = [(self.tr("Automatic (from special groups)"), None)] + [
            (name, code) for code, (name, _days) in reference.tiers.items()
        ]
        self.tier = self.field(
            "tier_code", self.tr("Visit &tier"), combo(self, tiers, current=v.get("tier_code"))
        )
        self.centre = QCheckBox(self.tr("Party centre household"), self)
        self.centre.setChecked(bool(v.get("is_party_centre")))
        self.form.addRow("", self.centre)
        self.house_status = self.field(
            "house_status",
            self.tr("House &status"),
            combo(
                self,
                [(s.label, s.value) for s in HouseStatus],
                current=v.get("house_status", HouseStatus.OWNER_OCCUPIED.value),
            ),
        )
        self.owner_name = self.field(
            "owner_name", self.tr("O&wner"), QLineEdit(v.get("owner_name", ""), self)
        )
        # Shown masked like a resident's phone; saved as stored unless typed over.
        self._owner_phone = str(v.get("owner_phone", ""))
        self._owner_masked = mask_phone(self._owner_phone) if self._owner_phone else ""
        self.owner_phone = self.field(
            "owner_phone", self.tr("Owner's p&hone"), QLineEdit(self._owner_masked, self)
        )
        self.tenant_count = QSpinBox(self)
        self.tenant_count.setRange(0, 999)
        self.tenant_count.setValue(int(v.get("tenant_count", 0)))
        self.field("tenant_count", self.tr("T&enants"), self.tenant_count)
        self.rental_registration = self.field(
            "rental_registration",
            self.tr("Rental re&gistration no."),
            QLineEdit(v.get("rental_registration", ""), self),
        )
        self.house_status.currentIndexChanged.connect(self._rental_fields)
        self._rental_fields()
        notes = QPlainTextEdit(v.get("notes", ""), self)
        notes.setTabChangesFocus(True)
        notes.setMaximumHeight(90)
        self.notes = self.field("notes", self.tr("&Notes"), notes)
        self.finish(lambda: save(self.values()))
        fit_to_screen(self, 440, 520)

    def _rental_fields(self) -> None:
        """Tenants and the rental registration only for a house that is 出租."""
        rented = self.house_status.currentData() == HouseStatus.RENTED.value
        for w in (self.tenant_count, self.rental_registration):
            w.setEnabled(rented)

    def values(self) -> dict[str, Any]:
        return {
            "building": self.building.text(),
            "unit": self.unit.text(),
            "room": self.room.text(),
            "phone": self.phone.text(),
            "tier_code": self.tier.currentData(),
            "notes": self.notes.toPlainText(),
            "is_party_centre": self.centre.isChecked(),
            "house_status": self.house_status.currentData(),
            "owner_name": self.owner_name.text(),
            "owner_phone": self._owner_phone
            if self._owner_masked and self.owner_phone.text() == self._owner_masked
            else self.owner_phone.text(),
            "tenant_count": self.tenant_count.value() if self.tenant_count.isEnabled() else 0,
            "rental_registration": self.rental_registration.text()
            if self.rental_registration.isEnabled()
            else "",
        }


class ResidentDialog(_FormDialog):
    def __init__(
        self,
        reference: Reference,
        save: Callable[[ResidentInput], Any],
        *,
        title: str,
        resident: ResidentRec | None = None,
        reveal: Callable[[], tuple[str, str]] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """`reveal` is the audited "show full numbers" (ID number, phone): until it
        is used, an existing resident's numbers are shown masked, and saved as they
        are stored unless typed over."""
        super().__init__(title, parent)
        r = resident
        self._stored = (r.id_number, r.phone) if r else ("", "")
        self._masked = (mask_id_number(r.id_number) if r and r.id_number else "",
                        mask_phone(r.phone) if r and r.phone else "")  # fmt: skip
        self._reveal = reveal
        self.name = self.field("name", self.tr("&Name"), QLineEdit(r.name if r else "", self))
        self.gender = self.field(
            "gender",
            self.tr("&Gender"),
            combo(
                self,
                [(self.tr("(from ID number)"), "")] + [(g.label, g.value) for g in Gender],
                current=r.gender if r else "",
            ),
        )
        self.id_number = self.field(
            "id_number", self.tr("&ID number"), QLineEdit(self._masked[0], self)
        )
        self.phone = self.field("phone", self.tr("&Phone"), QLineEdit(self._masked[1], self))
        self.reveal_button = QPushButton(self.tr("Show full numbers"), self)
        self.reveal_button.setToolTip(
            self.tr("Shows the full ID number and phone; the viewing is recorded in the audit log.")
        )
        self.reveal_button.clicked.connect(self._show_full)
        if any(self._masked) and reveal is not None:
            self.form.addRow("", self.reveal_button)
        else:
            self.reveal_button.hide()
        relations = [("", "")] + [(c.name, c.name) for c in RELATION]
        if r and r.relation and RELATION.lookup(r.relation) is None:
            relations.append((r.relation, r.relation))  # written before the standard list
        self.relation = self.field(
            "relation",
            self.tr("&Relation to head"),
            combo(self, relations, current=r.relation if r else ""),
        )
        self.relation.setEditable(True)  # type a code (20) or a name
        self.is_head = QCheckBox(self.tr("Head of household"), self)
        self.is_head.setChecked(bool(r and r.is_head))
        self.form.addRow("", self.is_head)
        # The registers, in a second column.
        self.side_form = QFormLayout()
        side = self.side_form
        self.registration_type = self.field(
            "registration_type",
            self.tr("Re&gistration"),
            combo(self, [(x.label, x.value) for x in RegistrationType],
                  current=r.registration_type if r else RegistrationType.LOCAL.value),
            side,
        )  # fmt: skip
        self.residence_type = self.field(
            "residence_type",
            self.tr("Re&sidence"),
            combo(self, [(x.label, x.value) for x in ResidenceType],
                  current=r.residence_type if r else ResidenceType.PERMANENT.value),
            side,
        )  # fmt: skip
        self.ethnicity = self.field(
            "ethnicity",
            self.tr("&Ethnicity"),
            combo(self, [("", "")] + [(c.name, c.code) for c in ETHNICITY],
                  current=r.ethnicity if r else ""),
            side,
        )  # fmt: skip
        self.political_status = self.field(
            "political_status",
            self.tr("&Political status"),
            combo(self, [(c.name, c.code) for c in POLITICAL_STATUS],
                  current=r.political_status if r else MASSES),
            side,
        )  # fmt: skip
        self.workplace = self.field(
            "workplace",
            self.tr("&Workplace or occupation"),
            QLineEdit(r.workplace if r else "", self),
            side,
        )
        self.moved_in = QDateEdit(self)
        self.moved_in.setCalendarPopup(True)
        self.moved_in.setDisplayFormat("yyyy-MM-dd")
        self.moved_in.setMinimumDate(QDate(1900, 1, 1))
        self.moved_in.setSpecialValueText(self.tr("(not recorded)"))
        self.moved_in.setDate(
            QDate(r.moved_in_on.year, r.moved_in_on.month, r.moved_in_on.day)
            if r and r.moved_in_on
            else self.moved_in.minimumDate()
        )
        self.field("moved_in_on", self.tr("&Moved in on"), self.moved_in, side)
        self.groups = QListWidget(self)
        self.groups.setMaximumHeight(150)
        chosen = set(r.special_groups) if r else set()
        for code, name in reference.special_groups.items():
            item = QListWidgetItem(name, self.groups)
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if code in chosen else Qt.CheckState.Unchecked)
        self.field("special_groups", self.tr("Special gro&ups"), self.groups, side)
        notes = QLineEdit(r.notes if r else "", self)
        self.notes = self.field("notes", self.tr("N&otes"), notes)
        self.finish(lambda: save(self.value()))
        fit_to_screen(self, 760, 460)

    def _show_full(self) -> None:
        if self._reveal is None:
            return
        try:
            id_number, phone = self._reveal()
        except GridVisitError as exc:
            QMessageBox.warning(self, self.windowTitle(), f"{exc.message}\n{exc.hint}".strip())
            return
        self._stored, self._masked = (id_number, phone), ("", "")
        self.id_number.setText(id_number)
        self.phone.setText(phone)
        self.reveal_button.hide()

    def _number(self, widget: QLineEdit, index: int) -> str:
        """A masked number left as shown is the stored one, unchanged."""
        text = widget.text()
        masked = self._masked[index]
        return self._stored[index] if masked and text == masked else text

    def value(self) -> ResidentInput:
        groups = tuple(
            self.groups.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.groups.count())
            if self.groups.item(i).checkState() == Qt.CheckState.Checked
        )
        return ResidentInput(
            name=self.name.text(),
            gender=self.gender.currentData(),
            id_number=self._number(self.id_number, 0),
            phone=self._number(self.phone, 1),
            relation=self.relation.currentText(),
            is_head=self.is_head.isChecked(),
            special_groups=groups,
            notes=self.notes.text(),
            registration_type=self.registration_type.currentData(),
            residence_type=self.residence_type.currentData(),
            ethnicity=self.ethnicity.currentData(),
            political_status=self.political_status.currentData(),
            is_party_member=is_party_member(self.political_status.currentData()),
            workplace=self.workplace.text(),
            moved_in_on=None
            if self.moved_in.date() == self.moved_in.minimumDate()
            else _day(self.moved_in.date()),
        )


class MoveDialog(_FormDialog):
    """迁入 / 迁出 / 死亡 / 户内变更 of one resident, with its date and a note."""

    def __init__(
        self,
        resident: ResidentRec,
        save: Callable[[MoveKind, date, str, str | None], Any],
        *,
        today: date,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(self.tr("Move of {n}").format(n=mask_name(resident.name)), parent)
        kinds = (
            [MoveKind.MOVE_OUT, MoveKind.DEATH, MoveKind.INTERNAL]
            if resident.is_current
            else [MoveKind.MOVE_IN]
        )
        self.kind = self.field(
            "kind", self.tr("&Change"), combo(self, [(k.label, k) for k in kinds])
        )
        self.on = QDateEdit(QDate(today.year, today.month, today.day), self)
        self.on.setCalendarPopup(True)
        self.on.setDisplayFormat("yyyy-MM-dd")
        self.on.setMaximumDate(QDate(today.year, today.month, today.day))
        self.field("moved_on", self.tr("&Date"), self.on)
        relations = [(self.tr("(unchanged)"), None)] + [(c.name, c.name) for c in RELATION]
        self.relation = self.field(
            "relation", self.tr("New &relation to head"), combo(self, relations)
        )
        self.note = self.field("note", self.tr("&Note"), QLineEdit(self))
        self.kind.currentIndexChanged.connect(self._relation_only_inside)
        self._relation_only_inside()
        self.finish(
            lambda: save(
                self.kind.currentData(),
                _day(self.on.date()),
                self.note.text(),
                self.relation.currentData() if self.relation.isEnabled() else None,
            )
        )
        fit_to_screen(self, 420, 220)

    def _relation_only_inside(self) -> None:
        self.relation.setEnabled(self.kind.currentData() is MoveKind.INTERNAL)


class ChoiceDialog(_FormDialog):
    """Pick one of several places (move a household, a grid or a building group)."""

    def __init__(
        self,
        title: str,
        label: str,
        choices: list[tuple[str, Any]],
        save: Callable[[Any], Any],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(title, parent)
        self.choice = self.field("target", label, combo(self, choices))
        self.finish(lambda: save(self.choice.currentData()))
        fit_to_screen(self, 420, 120)


class NameDialog(_FormDialog):
    def __init__(
        self,
        title: str,
        label: str,
        save: Callable[[str], Any],
        *,
        value: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(title, parent)
        self.name = self.field("name", label, QLineEdit(value, self))
        self.name.selectAll()
        self.finish(lambda: save(self.name.text()))
        fit_to_screen(self, 380, 110)
