"""月度统计表: pick a month, quarter or year and a scope, preview the statistical
report (reports/statistics.py), print it, save it as PDF or as an Excel 统计表.

The preview, print and save machinery is `ReportPreviewDialog`, shared with the
weekly problem list.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtGui import QPageLayout
from PySide6.QtWidgets import QComboBox, QPushButton, QWidget

from gridvisit.core.clock import today_local
from gridvisit.core.indicators import Period, PeriodKind
from gridvisit.core.services import Services
from gridvisit.reports.statistics import collect, default_file_name, render_statistics
from gridvisit.ui import files
from gridvisit.ui.dialogs.report_preview import Built, ReportPreviewDialog

# How far back each kind of period goes in the picker.
BACK = {PeriodKind.MONTH: 24, PeriodKind.QUARTER: 8, PeriodKind.YEAR: 5}
PAGES = 5  # about as many pages as a report has (for the progress bar)


class StatisticsReportDialog(ReportPreviewDialog):
    orientation = QPageLayout.Orientation.Portrait

    def __init__(
        self,
        services: Services,
        *,
        community: str | None = None,
        grid: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(services, parent)
        self.setWindowTitle(self.tr("Statistical report"))
        self.kind = QComboBox(self)
        for kind, text in (
            (PeriodKind.MONTH, self.tr("Monthly")),
            (PeriodKind.QUARTER, self.tr("Quarterly")),
            (PeriodKind.YEAR, self.tr("Yearly")),
        ):
            self.kind.addItem(text, kind.value)
        self.period = QComboBox(self)
        self.period.setMinimumContentsLength(16)
        self.add_picker(self.tr("&Report:"), self.kind)
        self.add_picker(self.tr("&Period:"), self.period)
        self.add_scope_pickers()
        self._fill_periods()
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.watch(self.period.currentIndexChanged)

        self.xlsx_button = QPushButton(self.tr("Save as &Excel…"), self)
        self.xlsx_button.setAutoDefault(False)
        self.xlsx_button.clicked.connect(self.save_xlsx)
        self.bottom.insertWidget(self.bottom.indexOf(self.save_button) + 1, self.xlsx_button)
        self.start(community, grid)

    # -- pickers -----------------------------------------------------------------------
    def _kind_changed(self) -> None:
        self._fill_periods()
        self._rebuild.start()

    def _fill_periods(self) -> None:
        kind = PeriodKind(self.kind.currentData())
        today = today_local(self.services.ctx.now())
        current = Period.containing(kind, today)
        self.period.blockSignals(True)
        self.period.clear()
        period = current
        for _ in range(BACK[kind]):
            text = period.label
            if period == current:
                text += self.tr(" — not over yet")
            self.period.addItem(text, period.code)
            period = period.previous()
        # The last finished period: what an office reports on.
        self.period.setCurrentIndex(1)
        self.period.blockSignals(False)

    def selection(self) -> tuple[Period, str | None, str | None]:
        community, grid = self.scope_names()
        return Period.parse(self.period.currentData()), community, grid

    # -- what the shared dialog asks -----------------------------------------------------
    def build_job(self, path: Path, on_page: Callable[[int, int], bool]) -> Callable[[], Built]:
        period, community, grid = self.selection()
        services = self.services

        def build() -> Built:
            data = collect(services, period, community, grid)
            render_statistics(data, str(path), on_page=lambda n: on_page(n, PAGES))
            return Built(data, path)

        return build

    def _set_ready(self, ready: bool) -> None:
        super()._set_ready(ready)
        if hasattr(self, "xlsx_button"):
            self.xlsx_button.setEnabled(ready)

    def summary_text(self, built: Built) -> str:
        ind = built.report.figures.indicators
        below = built.report.figures.below_target()
        text = self.tr("{pages} pages · coverage {c}, on time {t}").format(
            pages=self.document.pageCount(),
            c=_shown(ind["coverage"].value),
            t=_shown(ind["on_time_rate"].value),
        )
        if below:
            text += self.tr(" · below target: {names}").format(
                names="、".join(ind[k].name for k in below)
            )
        return text

    def file_name(self, built: Built) -> str:
        return default_file_name(built.report)

    def save_title(self) -> str:
        return self.tr("Save statistical report")

    def save_xlsx(self) -> None:
        built = self.built
        if built is None or not self.is_ready():
            return
        from gridvisit.reports.statistics_xlsx import xlsx_bytes

        path = files.save_file(
            self,
            self.tr("Save statistical report as Excel"),
            default_file_name(built.report, ".xlsx"),
            self.tr("Excel (*.xlsx)"),
            suffix=".xlsx",
            purpose="report",
        )
        if path is None:
            return
        data = xlsx_bytes(built.report)
        if self.write_file(path, lambda fh: fh.write(data)):
            self.status.setText(self.tr("Saved to {path}").format(path=path))

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


def _shown(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


__all__ = ["StatisticsReportDialog"]
