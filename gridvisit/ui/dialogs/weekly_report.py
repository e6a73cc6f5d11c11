"""每周问题清单: pick a week and a scope, preview the PDF, print it or save it.

The preview, print and save machinery is `ReportPreviewDialog` (shared with the
statistical report): the PDF is built on a worker thread into a private temporary
folder and shown with Qt's PDF viewer; what is printed or saved is exactly what is
previewed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QCheckBox, QComboBox, QWidget

from gridvisit.core.access import Action
from gridvisit.core.clock import IsoWeek, today_local
from gridvisit.core.services import Services
from gridvisit.reports.weekly import default_file_name, estimated_pages, render_weekly
from gridvisit.ui.dialogs.report_preview import Built, ReportPreviewDialog, print_pdf

WEEKS_BACK = 52


class WeeklyReportDialog(ReportPreviewDialog):
    def __init__(
        self,
        services: Services,
        *,
        community: str | None = None,
        grid: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(services, parent)
        self.setWindowTitle(self.tr("Weekly problem list"))
        self.week = QComboBox(self)
        this_week = IsoWeek.containing(today_local(services.ctx.now()))
        week = this_week
        for _ in range(WEEKS_BACK):
            self.week.addItem(self._week_text(week, this_week), str(week))
            week = week.previous()
        self.add_picker(self.tr("&Week:"), self.week)
        self.add_scope_pickers()
        self.full_names = QCheckBox(self.tr("Full names (internal use only)"), self)
        self.full_names.setToolTip(
            self.tr(
                "Print residents' full names. Every page then says the document holds "
                "personal information."
            )
        )
        self.pickers.addWidget(self.full_names)
        # Only roles that may see full personal data are offered full names.
        self.full_names.setVisible(services.ctx.can(Action.EXPORT_UNMASKED))
        self.watch(self.week.currentIndexChanged, self.full_names.toggled)
        self.start(community, grid)

    def _week_text(self, week: IsoWeek, this_week: IsoWeek) -> str:
        text = self.tr("Week {n} of {y} ({a} – {b})").format(
            n=week.week,
            y=week.year,
            a=week.monday.strftime("%m-%d"),
            b=week.sunday.strftime("%m-%d"),
        )
        if week == this_week:
            text += self.tr(" — this week")
        return text

    def selection(self) -> tuple[IsoWeek, str | None, str | None, bool]:
        community, grid = self.scope_names()
        return IsoWeek.parse(self.week.currentData()), community, grid, self.full_names.isChecked()

    # -- what the shared dialog asks -----------------------------------------------------
    def build_job(self, path: Path, on_page: Callable[[int, int], bool]) -> Callable[[], Built]:
        week, community, grid, full_names = self.selection()
        services = self.services

        def build() -> Built:
            scope, name = services.weekly.scope_for(community, grid)
            report = services.weekly.build(week, scope, name)
            if full_names:
                services.ctx.require(Action.EXPORT_UNMASKED)
                services.audit_log.record("report.full_names", week=str(week), scope=name)
            total = estimated_pages(report)
            render_weekly(
                report, str(path), full_names=full_names, on_page=lambda n: on_page(n, total)
            )
            return Built(report, path)

        return build

    def collecting_text(self) -> str:
        return self.tr("Collecting the problems…")

    def summary_text(self, built: Built) -> str:
        s = built.report.summary
        return self.tr(
            "{pages} pages · new {new}, carried over {carried}, resolved {resolved}, "
            "overdue {overdue}"
        ).format(
            pages=self.document.pageCount(),
            new=s.new,
            carried=s.carried_over,
            resolved=s.resolved,
            overdue=s.overdue,
        )

    def stopped_text(self) -> str:
        return self.tr("Stopped. Choose a week, community or grid to build a list again.")

    def failed_text(self, message: str) -> str:
        return self.tr("The list could not be built:\n{m}").format(m=message)

    def file_name(self, built: Built) -> str:
        return default_file_name(built.report)

    def save_title(self) -> str:
        return self.tr("Save weekly problem list")

    @classmethod
    def open_for(
        cls,
        services: Services,
        community: str | None,
        grid: str | None,
        parent: QWidget | None,
    ) -> None:
        dialog = cls(services, community=community, grid=grid, parent=parent)
        dialog.exec()
        dialog.deleteLater()


__all__ = ["WeeklyReportDialog", "print_pdf"]
