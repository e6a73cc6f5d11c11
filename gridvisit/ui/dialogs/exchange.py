"""Exchange in the GUI: export and merge packages, Excel ledgers, and the review window
for conflicts and possible duplicates. The work runs on the window's TaskRunner
behind a busy progress dialog; a summary follows."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gridvisit.core.clock import to_local
from gridvisit.core.errors import GridVisitError
from gridvisit.core.services import Services
from gridvisit.ui import files
from gridvisit.ui.dialogs.common import fit_to_screen


class Ask:
    """Every question the exchange actions put to the user; tests replace these."""

    @staticmethod
    def save_file(parent: QWidget, title: str, name: str, pattern: str) -> Path | None:
        suffix = Path(name).suffix
        return files.save_file(parent, title, name, pattern, suffix=suffix, purpose="exchange")

    @staticmethod
    def open_files(parent: QWidget, title: str, pattern: str) -> list[Path]:
        return files.open_files(parent, title, pattern, purpose="exchange")

    @staticmethod
    def choose(parent: QWidget, title: str, label: str, items: list[str]) -> int | None:
        item, ok = QInputDialog.getItem(parent, title, label, items, 0, False)
        return items.index(item) if ok else None

    @staticmethod
    def confirm(parent: QWidget, title: str, text: str, details: str = "") -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=parent)
        box.setStandardButtons(QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        box.button(QMessageBox.StandardButton.Yes).setText(
            QCoreApplication.translate("exchange", "Yes")
        )
        box.button(QMessageBox.StandardButton.No).setText(
            QCoreApplication.translate("exchange", "No")
        )
        if details:
            box.setDetailedText(details)
        return box.exec() == QMessageBox.StandardButton.Yes

    @staticmethod
    def tell(
        parent: QWidget, title: str, text: str, details: str = "", *, error: bool = False
    ) -> None:
        icon = QMessageBox.Icon.Warning if error else QMessageBox.Icon.Information
        box = QMessageBox(icon, title, text, parent=parent)
        if details:
            box.setDetailedText(details)
        box.exec()


class ReviewDialog(QDialog):
    """Conflicts and possible duplicates left by merges, for a supervisor to settle."""

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Lists and settling go through the guarded, audited ExchangeService.
        self.exchange = services.exchange
        self.setWindowTitle(self.tr("Merge review"))
        fit_to_screen(self, 900, 520)
        self.tabs = QTabWidget(self)
        self.conflicts = self._table(
            [
                self.tr("Record type"),
                self.tr("Record"),
                self.tr("Copies"),
                self.tr("Found"),
            ]
        )
        self.copies = self._table(
            [
                self.tr("Copy"),
                self.tr("Version no."),
                self.tr("Changed at"),
                self.tr("Came in"),
                self.tr("Content"),
            ]
        )
        self.conflicts.itemSelectionChanged.connect(self._show_copies)
        conflict_page = QWidget(self)
        lay = QVBoxLayout(conflict_page)
        lay.addWidget(QLabel(self.tr("Records changed on two devices from the same version:")))
        lay.addWidget(self.conflicts, 2)
        lay.addWidget(QLabel(self.tr("Copies of the selected record (the current one is marked):")))
        lay.addWidget(self.copies, 1)
        buttons = QHBoxLayout()
        self.use_copy = QPushButton(self.tr("Use the selected copy"), self)
        self.keep_current = QPushButton(self.tr("Keep the current copy"), self)
        self.use_copy.clicked.connect(lambda: self._settle(use_selected=True))
        self.keep_current.clicked.connect(lambda: self._settle(use_selected=False))
        buttons.addStretch(1)
        buttons.addWidget(self.use_copy)
        buttons.addWidget(self.keep_current)
        lay.addLayout(buttons)
        self.duplicates = self._table(
            [self.tr("Kind"), self.tr("Record A"), self.tr("Record B"), self.tr("Found")]
        )
        dup_page = QWidget(self)
        dl = QVBoxLayout(dup_page)
        dl.addWidget(QLabel(self.tr("Records that may be the same person or place:")))
        dl.addWidget(self.duplicates)
        db_buttons = QHBoxLayout()
        self.same = QPushButton(self.tr("Same person or place"), self)
        self.different = QPushButton(self.tr("Not the same"), self)
        self.same.clicked.connect(lambda: self._verdict(True))
        self.different.clicked.connect(lambda: self._verdict(False))
        db_buttons.addStretch(1)
        db_buttons.addWidget(self.same)
        db_buttons.addWidget(self.different)
        dl.addLayout(db_buttons)
        self.tabs.addTab(conflict_page, "")
        self.tabs.addTab(dup_page, "")
        close = QPushButton(self.tr("Close"), self)
        close.clicked.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(close)
        layout.addLayout(row)
        self.reload()

    @classmethod
    def open_for(cls, services: Services, parent: QWidget | None) -> ReviewDialog:
        dialog = cls(services, parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def _table(self, headers: list[str]) -> QTableWidget:
        table = QTableWidget(0, len(headers), self)
        table.setHorizontalHeaderLabels(headers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.verticalHeader().hide()
        table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        table.horizontalHeader().setStretchLastSection(True)
        return table

    def reload(self) -> None:
        self._conflicts = self.exchange.conflicts()
        self._duplicates = self.exchange.duplicates()
        self._fill(
            self.conflicts,
            [
                [c.label, c.description, str(len(c.copies)),
                 f"{to_local(c.detected_at):%Y-%m-%d %H:%M}"]
                for c in self._conflicts
            ],
        )  # fmt: skip
        self._fill(
            self.duplicates,
            [
                [d.label, d.text_a, d.text_b, f"{to_local(d.detected_at):%Y-%m-%d %H:%M}"]
                for d in self._duplicates
            ],
        )
        self.tabs.setTabText(0, self.tr("Conflicts ({n})").format(n=len(self._conflicts)))
        self.tabs.setTabText(
            1, self.tr("Possible duplicates ({n})").format(n=len(self._duplicates))
        )
        if self._conflicts:
            self.conflicts.selectRow(0)
        # Open on the tab that has something to settle.
        self.tabs.setCurrentIndex(0 if self._conflicts or not self._duplicates else 1)
        self._show_copies()
        self._update_buttons()

    @staticmethod
    def _fill(table: QTableWidget, rows: list[list[str]]) -> None:
        table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                table.setItem(r, c, QTableWidgetItem(text))

    def conflict_at(self, row: int) -> Any:
        """The open conflict listed in row `row` of the conflicts table."""
        return self._conflicts[row]

    def _current_conflict(self) -> Any:
        row = self.conflicts.currentRow()
        return self._conflicts[row] if 0 <= row < len(self._conflicts) else None

    def _show_copies(self) -> None:
        from gridvisit.exchange.review import copy_text

        conflict = self._current_conflict()
        copies = conflict.copies if conflict else ()
        rows = []
        for n, copy in enumerate(copies, 1):
            mark = self.tr("current") if copy.current else ""
            try:
                moment = datetime.fromisoformat(str(copy.payload.get("updated_at")))
                changed = f"{to_local(moment):%Y-%m-%d %H:%M}"
            except ValueError:
                changed = ""
            content = copy_text(conflict.entity, copy.payload)
            came = (
                " · ".join(x for x in (copy.package, copy.laptop) if x)
                if copy.package
                else self.tr("(stored earlier)")
            )
            rows.append([f"{n} {mark}".strip(), str(copy.version), changed, came,
                         content])  # fmt: skip
        self._fill(self.copies, rows)
        if rows:
            self.copies.selectRow(0)
        self._update_buttons()

    def _update_buttons(self) -> None:
        has = self._current_conflict() is not None
        self.use_copy.setEnabled(has)
        self.keep_current.setEnabled(has)
        self.same.setEnabled(bool(self._duplicates))
        self.different.setEnabled(bool(self._duplicates))

    def _settle(self, *, use_selected: bool) -> None:
        conflict = self._current_conflict()
        if conflict is None:
            return
        chosen = None
        if use_selected:
            row = self.copies.currentRow()
            if not 0 <= row < len(conflict.copies):
                return
            chosen = conflict.copies[row].payload_hash
        try:
            self.exchange.resolve_conflict(conflict, chosen)
        except GridVisitError as exc:
            Ask.tell(
                self, self.tr("Merge review"), f"{exc.message}\n{exc.hint}".strip(), error=True
            )
        self.reload()
        parent = self.parent()
        if parent is not None and hasattr(parent, "reload_all"):
            parent.reload_all()

    def _verdict(self, same: bool) -> None:
        row = self.duplicates.currentRow()
        if not 0 <= row < len(self._duplicates):
            row = 0
        if not self._duplicates:
            return
        try:
            self.exchange.resolve_duplicate(self._duplicates[row].id, same)
        except GridVisitError as exc:
            Ask.tell(
                self, self.tr("Merge review"), f"{exc.message}\n{exc.hint}".strip(), error=True
            )
        self.reload()
