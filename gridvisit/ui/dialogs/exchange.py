"""Exchange in the GUI: export and merge packages, Excel ledgers, and the review window
for conflicts and possible duplicates. The work runs on the window's TaskRunner
behind a busy progress dialog; a summary follows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gridvisit.core.clock import to_local, today_local
from gridvisit.core.errors import GridVisitError
from gridvisit.core.files import safe_file_name
from gridvisit.core.services import Services
from gridvisit.exchange.records import ENTITY_LABELS
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


class ExchangeActions(QObject):
    """The File menu's exchange commands for one main window."""

    def __init__(self, window: Any, services: Services) -> None:
        super().__init__(window)
        self.window = window
        self.services = services
        self.db = services.ctx.db

    # -- plumbing --------------------------------------------------------------------
    def _run(self, label: str, fn: Callable[[], Any], done: Callable[[Any], None]) -> None:
        progress = QProgressDialog(label, "", 0, 0, self.window)
        progress.setWindowTitle(self.tr("Please wait"))
        progress.setCancelButton(None)  # each step is one transaction: nothing to cancel into
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(300)

        def finish(result: Any) -> None:
            progress.close()
            progress.deleteLater()
            done(result)

        def fail(message: str) -> None:
            progress.close()
            progress.deleteLater()
            Ask.tell(self.window, self.tr("Failed"), message, error=True)

        self.window.tasks.run(f"exchange-{id(fn)}", fn, finish, fail)

    # -- packages --------------------------------------------------------------------
    def export_package(self) -> None:
        choice = Ask.choose(
            self.window,
            self.tr("Export package"),
            self.tr("What to export:"),
            [self.tr("Changes since the last export"), self.tr("All data")],
        )
        if choice is None:
            return
        name = self.services.exchange.default_package_name()
        path = Ask.save_file(
            self.window, self.tr("Export package"), name, self.tr("Packages (*.gvpkg)")
        )
        if path is None:
            return
        exchange = self.services.exchange

        def work() -> Any:
            return exchange.export_package(path, full=choice == 1)

        def done(result: Any) -> None:
            counts = ",".join(f"{ENTITY_LABELS[t]} {n}" for t, n in result.counts.items())
            Ask.tell(
                self.window,
                self.tr("Export package"),
                self.tr("Saved {path}").format(path=result.path),
                counts or self.tr("No changes since the last export."),
            )

        self._run(self.tr("Exporting…"), work, done)

    def merge_packages(self) -> None:
        paths = Ask.open_files(
            self.window, self.tr("Merge packages"), self.tr("Packages (*.gvpkg)")
        )
        if not paths:
            return
        # Grid packages at the sub-district, its return packages on a laptop.
        merge = self.services.exchange.merge

        def work() -> list[tuple[str, str, str]]:
            lines = []
            for i, path in enumerate(paths):
                try:
                    # One backup before the batch: the state the user would go back to.
                    _package, stats = merge(path, backup=i == 0)
                except GridVisitError as exc:
                    lines.append((path.name, f"{exc.message} {exc.hint}".strip(), "failed"))
                else:
                    flagged = stats.conflicts or stats.duplicates
                    lines.append((path.name, stats.summary(), "flagged" if flagged else "ok"))
            return lines

        def done(lines: list[tuple[str, str, str]]) -> None:
            self.window.reload_all()
            details = "\n".join(f"{name}:{text}" for name, text, _ in lines)
            failed = sum(1 for *_, status in lines if status == "failed")
            text = self.tr("{n} package(s) processed.").format(n=len(lines))
            if failed:
                text += "\n" + self.tr(
                    "{n} package(s) could not be merged; see the details."
                ).format(n=failed)
            if any(status == "flagged" for *_, status in lines) and Ask.confirm(
                self.window,
                self.tr("Merge packages"),
                text
                + "\n"
                + self.tr("Conflicts or possible duplicates were found. Review them now?"),
                details,
            ):
                self.review()
                return
            Ask.tell(self.window, self.tr("Merge packages"), text, details, error=bool(failed))

        self._run(self.tr("Merging…"), work, done)

    # -- ledgers ---------------------------------------------------------------------
    def export_ledger(self) -> None:
        from gridvisit.exchange.ledger import KINDS

        kinds = list(KINDS)
        index = Ask.choose(
            self.window, self.tr("Export ledger"), self.tr("Ledger:"), [KINDS[k] for k in kinds]
        )
        if index is None:
            return
        kind = kinds[index]
        name = safe_file_name(f"{KINDS[kind]}_{today_local():%Y%m%d}.xlsx")
        path = Ask.save_file(self.window, self.tr("Export ledger"), name, self.tr("Excel (*.xlsx)"))
        if path is None:
            return

        def done(result: Any) -> None:
            Ask.tell(
                self.window,
                self.tr("Export ledger"),
                self.tr("Saved {path} ({n} rows). Names, phones and ID numbers are masked.").format(
                    path=result.path, n=result.rows
                ),
            )

        exchange = self.services.exchange
        self._run(self.tr("Exporting…"), lambda: exchange.export_ledger(kind, path), done)

    def import_roster(self) -> None:
        from gridvisit.exchange.ledger import expected_columns_text

        paths = Ask.open_files(
            self.window, self.tr("Import household roster"), self.tr("Excel (*.xlsx)")
        )
        if not paths:
            return
        path = paths[0]
        exchange = self.services.exchange

        def run(skip: bool) -> None:
            self._run(
                self.tr("Importing…"),
                lambda: exchange.import_roster(path, skip_invalid=skip),
                lambda result: done(result, skip),
            )

        def done(result: Any, skipped: bool) -> None:
            details = "\n".join(str(e) for e in result.errors)
            if not result.imported:
                rows = len({e.row for e in result.errors})
                if Ask.confirm(
                    self.window,
                    self.tr("Import household roster"),
                    self.tr(
                        "{n} row(s) are invalid, so nothing was imported. Import the valid rows "
                        "and skip the invalid ones?"
                    ).format(n=rows),
                    details
                    + "\n\n"
                    + self.tr("Expected columns:")
                    + "\n"
                    + expected_columns_text(),
                ):
                    run(True)
                return
            self.window.reload_all()
            Ask.tell(
                self.window,
                self.tr("Import household roster"),
                self.tr(
                    "Imported {h} new household(s) and {r} resident(s); {e} already known."
                ).format(h=result.households, r=result.residents, e=result.skipped_existing),
                details,
            )

        run(False)

    def review(self) -> None:
        ReviewDialog.open_for(self.db, self.window)


class ReviewDialog(QDialog):
    """Conflicts and possible duplicates left by merges, for a supervisor to settle."""

    def __init__(self, db: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
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
    def open_for(cls, db: Any, parent: QWidget | None) -> ReviewDialog:
        dialog = cls(db, parent)
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
        from gridvisit.exchange.review import open_conflicts, open_duplicates

        self._conflicts = open_conflicts(self.db)
        self._duplicates = open_duplicates(self.db)
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
        from gridvisit.exchange.review import resolve_conflict

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
            resolve_conflict(self.db, conflict, chosen)
        except GridVisitError as exc:
            Ask.tell(
                self, self.tr("Merge review"), f"{exc.message}\n{exc.hint}".strip(), error=True
            )
        self.reload()
        parent = self.parent()
        if parent is not None and hasattr(parent, "reload_all"):
            parent.reload_all()

    def _verdict(self, same: bool) -> None:
        from gridvisit.exchange.review import resolve_duplicate

        row = self.duplicates.currentRow()
        if not 0 <= row < len(self._duplicates):
            row = 0
        if not self._duplicates:
            return
        resolve_duplicate(self.db, self._duplicates[row].id, same)
        self.reload()
