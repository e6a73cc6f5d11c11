"""本周应访: households due or overdue by the end of this week, most overdue first."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from gridvisit.core.masking import mask_phone
from gridvisit.core.records import DueVisit
from gridvisit.core.services.workspace import Reference
from gridvisit.ui import fmt
from gridvisit.ui.pages.households import empty_state, make_table
from gridvisit.ui.table_model import Column, RowTableModel


class DuePage(QWidget):
    log_visit_requested = Signal(int)
    tier_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.scope_label = QLabel(self)
        self.week_label = QLabel(self)
        self.tier = QComboBox(self)
        self.tier.currentIndexChanged.connect(self._apply_tier)
        self.count_label = QLabel(self)
        self.visit_button = QPushButton(self.tr("Log a visit for the selected household"), self)
        self.visit_button.clicked.connect(self._request_visit)
        self._tiers: dict[str, str] = {}
        self._groups: dict[int, str] = {}
        self.model: RowTableModel[DueVisit] = RowTableModel(
            [
                Column(self.tr("Address"), lambda d: d.address),
                Column(
                    self.tr("Grid / building group"),
                    lambda d: self._groups.get(d.building_group_id, ""),
                ),
                Column(self.tr("Head"), lambda d: d.head),
                Column(self.tr("Phone"), lambda d: mask_phone(d.phone)),
                Column(
                    self.tr("Tier"),
                    lambda d: self._tiers.get(d.tier_code, d.tier_code),
                    sort_key=lambda d: d.tier_code,
                ),
                Column(
                    self.tr("Last visit"),
                    lambda d: fmt.day(d.last_visit) or self.tr("never"),
                    sort_key=lambda d: fmt.day(d.last_visit),
                ),
                Column(self.tr("Due"), lambda d: fmt.day(d.due), sort_key=lambda d: d.due),
                Column(
                    self.tr("Overdue / days left"),
                    lambda d: self._overdue_text(d),
                    sort_key=lambda d: d.days_overdue,
                    alert=lambda d: d.days_overdue > 0,
                ),
            ],
            key=lambda d: d.household_id,
            parent=self,
        )
        self.table = make_table(self, self.model, sortable=False)  # most overdue first
        for col, width in enumerate((130, 210, 70, 110, 60, 100, 100)):
            self.table.horizontalHeader().resizeSection(col, width)
        self.table.doubleClicked.connect(lambda _i: self._request_visit())
        self.empty = empty_state(self, self.tr("No household is due this week here. Well done!"))
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.empty)
        top = QHBoxLayout()
        top.addWidget(self.scope_label)
        top.addWidget(self.week_label)
        top.addWidget(QLabel(self.tr("Tier"), self))
        top.addWidget(self.tier)
        top.addStretch(1)
        top.addWidget(self.count_label)
        top.addWidget(self.visit_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)

    def set_groups(self, groups: dict[int, str]) -> None:
        self._groups = groups

    def set_reference(self, reference: Reference) -> None:
        self._tiers = {code: name for code, (name, _d) in reference.tiers.items()}
        self.tier.blockSignals(True)
        self.tier.clear()
        self.tier.addItem(self.tr("All tiers"), None)
        for code, name in self._tiers.items():
            self.tier.addItem(name, code)
        self.tier.blockSignals(False)

    def set_scope_name(self, name: str, week: str) -> None:
        self.scope_label.setText(self.tr("Scope: {name}").format(name=name))
        self.week_label.setText(week)

    def set_rows(self, rows: list[DueVisit]) -> None:
        self.model.set_rows(rows)
        self._apply_tier()

    def remove_household(self, household_id: int) -> None:
        self.model.remove_key(household_id)
        self._apply_tier()

    def _apply_tier(self) -> None:
        code = self.tier.currentData()
        self.model.set_filter((lambda d: d.tier_code == code) if code else None)
        rows = self.model.rows()
        overdue = sum(1 for d in rows if d.days_overdue > 0)
        self.count_label.setText(self.tr("{n} due, {o} overdue").format(n=len(rows), o=overdue))
        self.stack.setCurrentWidget(self.table if rows else self.empty)
        self.visit_button.setEnabled(bool(rows))
        if rows:
            self.table.selectRow(0)

    def _overdue_text(self, d: DueVisit) -> str:
        if d.days_overdue > 0:
            return self.tr("{n} days").format(n=d.days_overdue)
        if d.days_overdue == 0:
            return self.tr("due today")
        return self.tr("in {n} days").format(n=-d.days_overdue)

    def current_household(self) -> int | None:
        row = self.model.row_at(self.table.currentIndex().row())
        return row.household_id if row else None

    def row(self, household_id: int) -> DueVisit | None:
        """The due line of `household_id`, if listed."""
        return next((r for r in self.model.all_rows() if r.household_id == household_id), None)

    def _request_visit(self) -> None:
        hid = self.current_household()
        if hid is not None:
            self.log_visit_requested.emit(hid)
