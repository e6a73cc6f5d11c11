"""Editing households, residents and choosing a place in the hierarchy."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFormLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gridvisit.core.enums import Gender
from gridvisit.core.errors import GridVisitError
from gridvisit.core.masking import mask_id_number, mask_phone
from gridvisit.core.records import ResidentInput, ResidentRec
from gridvisit.core.services.households import RELATIONS
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

    def field(self, key: str, label: str, widget: W) -> W:
        error = self.errors.make_label(self)
        self.errors.register(key, widget, error)
        form_row(self.form, self, label, widget, error)
        return widget

    def finish(self, save: Callable[[], Any]) -> None:
        self._save = save
        buttons = save_cancel_buttons(self, self.tr("Save"), self.tr("Cancel"))
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        add_save_shortcuts(self, self.save)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
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
        notes = QPlainTextEdit(v.get("notes", ""), self)
        notes.setTabChangesFocus(True)
        notes.setMaximumHeight(90)
        self.notes = self.field("notes", self.tr("&Notes"), notes)
        self.finish(lambda: save(self.values()))
        fit_to_screen(self, 420, 360)

    def values(self) -> dict[str, Any]:
        return {
            "building": self.building.text(),
            "unit": self.unit.text(),
            "room": self.room.text(),
            "phone": self.phone.text(),
            "tier_code": self.tier.currentData(),
            "notes": self.notes.toPlainText(),
            "is_party_centre": self.centre.isChecked(),
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
        self.relation = self.field(
            "relation",
            self.tr("&Relation to head"),
            combo(self, [("", "")] + [(x, x) for x in RELATIONS], current=r.relation if r else ""),
        )
        self.is_head = QCheckBox(self.tr("Head of household"), self)
        self.is_head.setChecked(bool(r and r.is_head))
        self.is_party_member = QCheckBox(self.tr("Party member"), self)
        self.is_party_member.setChecked(bool(r and r.is_party_member))
        self.form.addRow("", self.is_head)
        self.form.addRow("", self.is_party_member)
        self.groups = QListWidget(self)
        self.groups.setMaximumHeight(150)
        chosen = set(r.special_groups) if r else set()
        for code, name in reference.special_groups.items():
            item = QListWidgetItem(name, self.groups)
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if code in chosen else Qt.CheckState.Unchecked)
        self.field("special_groups", self.tr("Special &groups"), self.groups)
        notes = QLineEdit(r.notes if r else "", self)
        self.notes = self.field("notes", self.tr("N&otes"), notes)
        self.finish(lambda: save(self.value()))
        fit_to_screen(self, 440, 520)

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
            relation=self.relation.currentData(),
            is_head=self.is_head.isChecked(),
            is_party_member=self.is_party_member.isChecked(),
            special_groups=groups,
            notes=self.notes.text(),
        )


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
