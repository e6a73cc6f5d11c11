"""The File menu's exchange commands: export and merge packages, the merge review,
Excel ledgers and the household roster import. The work runs on the window's
TaskRunner behind a busy progress dialog; a summary follows, and a merge or an
import sends a change notice that reloads the tree and the pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QProgressDialog

from gridvisit.core.access import Action
from gridvisit.core.clock import today_local
from gridvisit.core.errors import GridVisitError
from gridvisit.core.files import safe_file_name
from gridvisit.exchange.records import ENTITY_LABELS
from gridvisit.ui.actions import ActionGroup
from gridvisit.ui.changes import Changes
from gridvisit.ui.dialogs.exchange import Ask, ReviewDialog


class ExchangeActions(ActionGroup):
    """The File menu's exchange commands for one main window."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.db = self.services.ctx.db
        self.act_export = self.action(
            "export_package", self.tr("&Export package…"), self.export_package
        )
        self.act_merge = self.action(
            "merge_packages", self.tr("&Merge packages…"), self.merge_packages
        )
        self.act_review = self.action("merge_review", self.tr("Merge &review…"), self.review)
        self.act_ledger = self.action(
            "export_ledger", self.tr("Export &ledger (Excel)…"), self.export_ledger
        )
        self.act_roster = self.action(
            "import_roster", self.tr("&Import household roster (Excel)…"), self.import_roster
        )

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
            self.notify(Changes.everything())
            details = "\n".join(f"{name}:{text}" for name, text, _ in lines)
            failed = sum(1 for *_, status in lines if status == "failed")
            text = self.tr("{n} package(s) processed.").format(n=len(lines))
            if failed:
                text += "\n" + self.tr(
                    "{n} package(s) could not be merged; see the details."
                ).format(n=failed)
            # Settling is the sub-district's (Action.MERGE): a laptop's user who merged a
            # return package is not offered a window that would refuse them.
            may_review = self.services.ctx.can(Action.MERGE)
            if (
                may_review
                and any(status == "flagged" for *_, status in lines)
                and Ask.confirm(
                    self.window,
                    self.tr("Merge packages"),
                    text
                    + "\n"
                    + self.tr("Conflicts or possible duplicates were found. Review them now?"),
                    details,
                )
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
            details = "\n".join(
                result.report_lines() + ([result.unused_text()] if result.unused_columns else [])
            )
            if not result.imported:
                rows = result.invalid_rows
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
            self.notify(Changes.everything())
            Ask.tell(
                self.window,
                self.tr("Import household roster"),
                self.tr(
                    "Households: {ha} added, {hu} updated, {hn} unchanged. "
                    "Residents: {ra} added, {ru} updated, {rn} unchanged."
                ).format(
                    ha=result.households_added,
                    hu=result.households_updated,
                    hn=result.households_unchanged,
                    ra=result.residents_added,
                    ru=result.residents_updated,
                    rn=result.residents_unchanged,
                ),
                details,
            )

        run(False)

    def review(self) -> None:
        ReviewDialog.open_for(self.services, self.window)
