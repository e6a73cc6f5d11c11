"""Visits and problems: log a visit (Ctrl+N, the toolbar, the households and due
pages), read, correct or delete one, take a problem through its steps, and the
reports: the weekly problem list and the statistical report (月度统计表)."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QDialog, QMessageBox

from gridvisit.core.enums import EventKind
from gridvisit.core.errors import GridVisitError
from gridvisit.core.services.workspace import HouseholdDetail
from gridvisit.ui.actions import ActionGroup
from gridvisit.ui.changes import Changes, ids
from gridvisit.ui.dialogs.problem_action import ProblemActionDialog
from gridvisit.ui.dialogs.visit_dialog import VisitDialog


class VisitActions(ActionGroup):
    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.act_visit = self.action("log_visit", self.tr("&Log a visit"), self.log_visit_current)
        self.act_weekly = self.action(
            "weekly_report", self.tr("&Weekly problem list…"), self.weekly_report, "Ctrl+Shift+P"
        )
        self.act_statistics = self.action(
            "statistics_report", self.tr("&Monthly statistical report…"), self.statistics_report
        )
        window.households.log_visit_requested.connect(self.log_visit)
        window.households.open_visit_requested.connect(self.open_visit)
        window.due.log_visit_requested.connect(self.log_visit)
        window.problems.action_requested.connect(self.problem_action)

    def _detail(self, household_id: int) -> HouseholdDetail:
        """The household's address and residents: from the detail panel when it shows
        this household (kept fresh by the change notices), else from the database."""
        shown = self.window.households.shown_detail()
        if shown is not None and shown.household_id == household_id:
            return shown
        return self.services.workspace.household_detail(household_id)

    def _group_of(self, household_id: int) -> int:
        for row in (self.window.households.row(household_id), self.window.due.row(household_id)):
            if row is not None:
                return row.building_group_id
        return self.services.households.get(household_id).building_group_id

    def log_visit_current(self) -> None:
        window = self.window
        if window.pages.currentWidget() is window.due:
            hid = window.due.current_household()
        else:
            hid = window.households.current_id()
        if hid is None:
            QMessageBox.information(
                window, self.tr("Log a visit"), self.tr("Select a household first.")
            )
            return
        self.log_visit(hid)

    def log_visit(self, household_id: int) -> None:
        if self.still_checking():
            return
        try:
            detail = self._detail(household_id)
        except GridVisitError as exc:
            QMessageBox.warning(self.window, self.tr("Log a visit"), str(exc))
            return
        saved = VisitDialog.ask(
            self.window,
            self.services,
            self.window.reference,
            household_id,
            detail.address,
            list(detail.residents),
        )
        if saved is None:
            return
        self.notify(
            Changes(
                households=frozenset({household_id}),
                groups=frozenset({self._group_of(household_id)}),
                visits=True,
                problem_list=True,
            )
        )
        problems = len(saved.problem_ids)
        self.status(
            self.tr("Visit to {a} saved with {n} problem(s).").format(a=detail.address, n=problems)
        )

    def open_visit(self, household_id: int, visit_id: int) -> None:
        """Read a visit in full, correct it or delete it."""
        if self.still_checking():
            return
        try:
            detail = self._detail(household_id)
            dialog = VisitDialog(
                self.services,
                self.window.reference,
                household_id,
                detail.address,
                list(detail.residents),
                self.window,
                visit_id=visit_id,
            )
        except GridVisitError as exc:
            QMessageBox.warning(self.window, self.tr("Visit"), str(exc))
            return
        try:
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return
            deleted = dialog.deleted
        finally:
            dialog.deleteLater()
        self.notify(
            Changes(
                households=frozenset({household_id}),
                groups=frozenset({self._group_of(household_id)}),
                visits=True,
            )
        )
        self.status(
            (
                self.tr("Visit to {a} deleted.") if deleted else self.tr("Visit to {a} corrected.")
            ).format(a=detail.address)
        )

    def problem_action(self, problem_id: int, kind: EventKind) -> None:
        if self.still_checking():
            return
        ws = self.services.workspace
        line = self.window.problems.row(problem_id) or ws.problem_line(problem_id)
        summary = f"{line.category}:{line.description}"
        done = ProblemActionDialog.ask(self.window, self.services, problem_id, kind, summary)
        if done is None:
            return
        self.notify(
            Changes(
                problems=frozenset({problem_id}),
                households=ids(line.household_id),
                groups=ids(line.building_group_id),
            )
        )
        fresh = self.window.problems.row(problem_id) or ws.problem_line(problem_id)
        self.status(self.tr("Problem is now “{s}”.").format(s=fresh.status.label))

    def weekly_report(self) -> None:
        # Imported here: QtPdf and ReportLab load when the list is first opened, so
        # start-up does not pay for them.
        from gridvisit.ui.dialogs.weekly_report import WeeklyReportDialog

        names = self.window.tree.names_up_from_current()
        WeeklyReportDialog.open_for(
            self.services, names.get("community"), names.get("grid"), self.window
        )

    def statistics_report(self) -> None:
        # Imported here, as the weekly list: QtPdf and ReportLab load when first opened.
        from gridvisit.ui.dialogs.statistics_report import StatisticsReportDialog

        names = self.window.tree.names_up_from_current()
        StatisticsReportDialog.open_for(
            self.services, names.get("community"), names.get("grid"), self.window
        )
