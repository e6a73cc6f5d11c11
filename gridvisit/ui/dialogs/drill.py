"""The households or problems behind one figure of the 统计 page (a drill-down);
"Open" shows the chosen one on the households or problems page."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gridvisit.core.services.workspace import HouseholdRow, ProblemLine
from gridvisit.ui import fmt
from gridvisit.ui.dialogs.common import fit_to_screen
from gridvisit.ui.pages.households import make_table
from gridvisit.ui.table_model import Column, RowTableModel


class DrillDialog(QDialog):
    def __init__(
        self,
        title: str,
        households: list[HouseholdRow] | None = None,
        problems: list[ProblemLine] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("drill_dialog")
        self.setWindowTitle(self.tr("What the figure counts"))
        self.kind = "household" if households is not None else "problem"
        self.chosen: int | None = None
        heading = QLabel(title, self)
        heading.setWordWrap(True)
        heading.setStyleSheet("font-weight: bold;")
        self.model: RowTableModel
        if households is not None:
            self.model = RowTableModel(
                [
                    Column(self.tr("Grid"), lambda h: h.grid),
                    Column(
                        self.tr("Address"), lambda h: h.address, sort_key=lambda h: h.address_key
                    ),
                    Column(self.tr("Head"), lambda h: h.head),
                    Column(self.tr("Special groups"), lambda h: h.groups),
                    Column(self.tr("Tier"), lambda h: h.tier_name),
                    Column(
                        self.tr("Last visit"),
                        lambda h: fmt.day(h.last_visit) or self.tr("never"),
                        sort_key=lambda h: fmt.day(h.last_visit),
                    ),
                    Column(
                        self.tr("Next due"),
                        lambda h: fmt.day(h.next_due),
                        sort_key=lambda h: h.next_due,
                        alert=lambda h: h.overdue,
                    ),
                ],
                key=lambda h: h.id,
                parent=self,
            )
            rows: list = households
            count = self.tr("{n} households").format(n=len(households))
        else:
            assert problems is not None
            self.model = RowTableModel(
                [
                    Column(
                        self.tr("Reported"),
                        lambda p: fmt.when(p.reported_at),
                        sort_key=lambda p: p.reported_at,
                    ),
                    Column(self.tr("Grid"), lambda p: p.grid),
                    Column(self.tr("Place"), lambda p: p.place),
                    Column(self.tr("Category"), lambda p: p.category),
                    Column(self.tr("Description"), lambda p: p.description),
                    Column(self.tr("Level"), lambda p: p.level.label),
                    Column(self.tr("Status"), lambda p: p.status.label),
                    Column(
                        self.tr("Deadline"),
                        lambda p: fmt.deadline(p.due_at),
                        sort_key=lambda p: p.due_at,
                    ),
                ],
                key=lambda p: p.id,
                parent=self,
            )
            rows = problems
            count = self.tr("{n} problems").format(n=len(problems))
        self.model.set_rows(rows)
        self.table = make_table(self, self.model)
        widths = (
            (100, 140, 80, 110, 60, 100)
            if households is not None
            else (130, 100, 140, 90, 220, 50, 70)
        )
        for col, width in enumerate(widths):
            self.table.horizontalHeader().resizeSection(col, width)
        self.table.doubleClicked.connect(lambda _i: self._open())
        if rows:
            self.table.selectRow(0)
        buttons = QDialogButtonBox(self)
        self.open_button = QPushButton(self.tr("Open"), self)
        self.open_button.setEnabled(bool(rows))
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.AcceptRole)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setText(self.tr("Close"))
        self.open_button.clicked.connect(self._open)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(QLabel(count, self))
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        fit_to_screen(self, 900, 560)

    def ids(self) -> list[int]:
        return [r.id for r in self.model.rows()]

    def select(self, item_id: int) -> None:
        pos = self.model.position_of(item_id)
        if pos is not None:
            self.table.selectRow(pos)

    def _open(self) -> None:
        row = self.model.row_at(self.table.currentIndex().row())
        if row is None:
            return
        self.chosen = row.id
        self.accept()
