"""Households and residents: new, edit, move, delete or archive a household; add,
edit and move out residents. Opened from the Edit menu, the toolbar and the
households page's buttons."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtWidgets import QMessageBox

from gridvisit.core.clock import today_local
from gridvisit.core.enums import MoveKind
from gridvisit.core.errors import ConflictError
from gridvisit.core.records import ResidentRec
from gridvisit.core.services.households import HOUSE_FIELDS
from gridvisit.ui.actions import ActionGroup
from gridvisit.ui.changes import Changes
from gridvisit.ui.dialogs.edit_dialogs import (
    ChoiceDialog,
    HouseholdDialog,
    MoveDialog,
    ResidentDialog,
)


class HouseholdActions(ActionGroup):
    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.act_new_household = self.action(
            "new_household", self.tr("&New household"), self.add_household
        )
        page = window.households
        page.add_household_requested.connect(self.add_household)
        page.edit_household_requested.connect(self.edit_household)
        page.move_household_requested.connect(self.move_household)
        page.delete_household_requested.connect(self.delete_household)
        page.add_resident_requested.connect(self.add_resident)
        page.edit_resident_requested.connect(self.edit_resident)
        page.remove_resident_requested.connect(self.remove_resident)

    def _changed(self, household_id: int, group_id: int | None = None) -> None:
        groups = frozenset() if group_id is None else frozenset({group_id})
        self.notify(Changes(households=frozenset({household_id}), groups=groups))

    def add_household(self) -> None:
        if self.still_checking():
            return
        node = self.window.tree.current_node()
        group = node.id if node is not None and node.kind == "building_group" else None
        if group is None:
            QMessageBox.information(
                self.window,
                self.tr("New household"),
                self.tr("Choose a building group in the tree on the left first."),
            )
            return
        hs = self.services.households

        def save(v: dict[str, Any]) -> int:
            rec = hs.register(
                group, v["building"], v["unit"], v["room"], phone=v["phone"], notes=v["notes"]
            )
            house = {k: v[k] for k in HOUSE_FIELDS}
            if v["tier_code"]:
                hs.update(rec.id, tier_code=v["tier_code"], **house)
            elif house != HouseholdDialog.DEFAULT_HOUSE:
                hs.update(rec.id, **house)
            if v["is_party_centre"]:
                hs.set_party_centre(rec.id, True)
            return rec.id

        new_id = HouseholdDialog(
            self.window.reference, save, title=self.tr("New household"), parent=self.window
        ).run()
        if new_id is not None:
            self.notify(Changes(added_households=frozenset({new_id}), groups=frozenset({group})))

    def edit_household(self, household_id: int) -> None:
        """The form saves with the version it was filled from: a household changed
        meanwhile (another window on the server, a merge) is refused, and the user may
        reload it (the form opens again on the stored household)."""
        if self.still_checking():
            return
        while True:
            dialog = self._edit_household_once(household_id)
            if not dialog.reload_requested:
                return
            rec = self.services.households.get(household_id)
            self._changed(household_id, rec.building_group_id)

    def _edit_household_once(self, household_id: int) -> HouseholdDialog:
        hs = self.services.households
        rec = hs.get(household_id)
        values = {
            "building": rec.building,
            "unit": rec.unit,
            "room": rec.room,
            "phone": rec.phone,
            "notes": rec.notes,
            "is_party_centre": rec.is_party_centre,
            "tier_code": rec.tier_code if rec.tier_manual else None,
            **{k: getattr(rec, k) for k in HOUSE_FIELDS},
        }

        def save(v: dict[str, Any]) -> bool:
            hs.update(
                household_id,
                version=rec.version,
                building=v["building"],
                unit=v["unit"],
                room=v["room"],
                phone=v["phone"],
                notes=v["notes"],
                tier_code=v["tier_code"],
                **{k: v[k] for k in HOUSE_FIELDS},
            )
            hs.set_party_centre(household_id, v["is_party_centre"])
            return True

        dialog = HouseholdDialog(
            self.window.reference,
            save,
            title=self.tr("Edit household"),
            values=values,
            parent=self.window,
        )
        dialog.reloadable = True
        if dialog.run():
            self._changed(household_id, rec.building_group_id)
            self.status(self.tr("Saved household {a}.").format(a=hs.get(household_id).address))
        return dialog

    def move_household(self, household_id: int) -> None:
        if self.still_checking():
            return
        choices = self.window.tree.group_choices()
        rec = self.services.households.get(household_id)

        def save(target: int) -> int:
            self.services.households.move(household_id, target)
            return target

        moved = ChoiceDialog(
            self.tr("Move household"),
            self.tr("To building group"),
            choices,
            save,
            parent=self.window,
        ).run()
        if moved is not None and moved != rec.building_group_id:
            self.notify(
                Changes(
                    removed_households=frozenset({household_id}),
                    groups=frozenset({rec.building_group_id, moved}),
                )
            )

    def delete_household(self, household_id: int) -> None:
        if self.still_checking():
            return
        rec = self.services.households.get(household_id)
        answer = QMessageBox.question(
            self.window,
            self.tr("Delete household"),
            self.tr("Delete {a} and its residents? This cannot be undone.").format(a=rec.address),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            self.services.households.delete(household_id)
        except ConflictError as exc:
            again = QMessageBox.question(
                self.window,
                self.tr("Delete household"),
                f"{exc.message}\n\n" + self.tr("Archive it instead? Its history is kept."),
            )
            if again != QMessageBox.StandardButton.Yes:
                return
            self.services.households.archive(household_id)
        self.notify(
            Changes(
                removed_households=frozenset({household_id}),
                groups=frozenset({rec.building_group_id}),
            )
        )

    def add_resident(self, household_id: int) -> None:
        if self.still_checking():
            return
        hs = self.services.households
        done = ResidentDialog(
            self.window.reference,
            lambda r: hs.add_resident(household_id, r),
            title=self.tr("Add resident"),
            parent=self.window,
        ).run()
        if done is not None:
            self._warn_about(hs.last_warnings)
            self._changed(household_id)
            self.status(self.tr("Saved resident {n}.").format(n=done.name))

    def edit_resident(self, household_id: int, resident: ResidentRec) -> None:
        """Saved with the version shown (see `edit_household`); a reload opens the
        form again on the stored resident."""
        if self.still_checking():
            return
        hs = self.services.households
        while True:
            dialog = self._edit_resident_once(resident)
            done = dialog.result_value
            if not dialog.reload_requested:
                break
            fresh = [r for r in hs.residents(household_id) if r.id == resident.id]
            self._changed(household_id)
            if not fresh:
                return
            resident = fresh[0]
        if done is not None:
            self._warn_about(hs.last_warnings)
            self._changed(household_id)
            self.status(self.tr("Saved resident {n}.").format(n=done.name))

    def _edit_resident_once(self, resident: ResidentRec) -> ResidentDialog:
        hs = self.services.households
        dialog = ResidentDialog(
            self.window.reference,
            lambda r: hs.update_resident(resident.id, r, version=resident.version or None),
            title=self.tr("Edit resident"),
            resident=resident,
            reveal=lambda: (hs.reveal(resident.id, "id_number"), hs.reveal(resident.id, "phone")),
            parent=self.window,
        )
        dialog.reloadable = True
        dialog.run()
        return dialog

    def remove_resident(self, household_id: int, resident: ResidentRec) -> None:
        """迁入/迁出…: a dated move of the selected resident (moved out, died, a change
        within the household); the resident then leaves the member list and counts but
        stays in the household's history."""
        if self.still_checking():
            return
        hs = self.services.households

        def save(kind: MoveKind, on: date, note: str, relation: str | None) -> object:
            return hs.record_move(resident.id, kind, on, note, relation=relation)

        done = MoveDialog(
            resident, save, today=today_local(self.services.ctx.now()), parent=self.window
        ).run()
        if done is not None:
            self._changed(household_id)
            self.status(
                self.tr("Recorded: {k} of {n}.").format(k=done.kind.label, n=done.resident_name)
            )

    def _warn_about(self, warnings: list[str]) -> None:
        if warnings:
            QMessageBox.information(self.window, self.tr("Please check"), "\n".join(warnings))
