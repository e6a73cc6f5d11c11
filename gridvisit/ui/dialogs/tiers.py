"""设置 → 走访等级: a sub-district admin edits the visit tiers (name, interval) and
which tier each special group sets (issue 20, item 5). Saved through TierService,
audited; the due rules read the tiers from the database."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gridvisit.core.services.tiers import MAX_INTERVAL_DAYS, TierService
from gridvisit.ui.dialogs.common import (
    FAILED,
    FieldErrors,
    add_save_shortcuts,
    combo,
    fit_to_screen,
    save_cancel_buttons,
    submit,
)


class TierDialog(QDialog):
    def __init__(self, tiers: TierService, *, editable: bool, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("Visit tiers"))
        self.service = tiers
        self.errors = FieldErrors()
        self.changed = False
        self._tiers = tiers.tiers()
        self._groups = tiers.groups()
        box = QGroupBox(self.tr("Tiers and how often they are visited"), self)
        form = QFormLayout(box)
        self.names: dict[str, QLineEdit] = {}
        self.days: dict[str, QSpinBox] = {}
        for t in self._tiers:
            name = QLineEdit(t.name, box)
            name.setMaxLength(32)
            days = QSpinBox(box)
            days.setRange(1, MAX_INTERVAL_DAYS)
            days.setValue(t.interval_days)
            days.setSuffix(self.tr(" days"))
            row = QHBoxLayout()
            row.addWidget(name, 1)
            row.addWidget(QLabel(self.tr("every"), box))
            row.addWidget(days)
            form.addRow(self.tr("Tier {n}").format(n=t.rank), row)
            self.names[t.code], self.days[t.code] = name, days
            for w in (name, days):
                w.setEnabled(editable)
        groups = QGroupBox(self.tr("Special groups set the tier"), self)
        gform = QFormLayout(groups)
        self.group_tiers: dict[str, QComboBox] = {}
        choices = [(t.name, t.code) for t in self._tiers]
        for g in self._groups:
            box_ = combo(groups, choices, current=g.tier_code)
            box_.setEnabled(editable)
            gform.addRow(g.name, box_)
            self.group_tiers[g.code] = box_
        note = QLabel(
            self.tr(
                "A household is visited as often as the most demanding tier of its residents'"
                " groups; without a group it is on the default tier (一般). A tier chosen by hand for"
                " a household"
                " stays."
            ),
            self,
        )
        note.setWordWrap(True)
        buttons = save_cancel_buttons(self, self.tr("Save"), self.tr("Cancel"))
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        if editable:
            add_save_shortcuts(self, self.save)
        else:
            note.setText(note.text() + "\n" + self.tr("Only a sub-district admin may change them."))
            for b in buttons.buttons():
                if buttons.buttonRole(b) == buttons.ButtonRole.AcceptRole:
                    b.setEnabled(False)
        columns = QHBoxLayout()
        columns.addWidget(box, 1)
        columns.addWidget(groups, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        layout.addWidget(note)
        layout.addWidget(buttons)
        fit_to_screen(self, 720, 460)

    def _apply(self) -> bool:
        changed = False
        for t in self._tiers:
            name, days = self.names[t.code].text(), self.days[t.code].value()
            if (name, days) != (t.name, t.interval_days):
                self.service.update_tier(t.code, name=name, interval_days=days)
                changed = True
        for g in self._groups:
            tier = self.group_tiers[g.code].currentData()
            if tier != g.tier_code:
                self.service.set_group_tier(g.code, tier)
                changed = True
        return changed

    def save(self) -> None:
        result = submit(self, self.errors, self._apply)
        if result is not FAILED:
            self.changed = bool(result)
            self.accept()

    def run(self) -> bool:
        try:
            self.exec()
            return self.changed
        finally:
            self.deleteLater()
