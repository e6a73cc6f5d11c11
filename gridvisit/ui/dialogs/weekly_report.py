"""每周问题清单: pick a week and a scope, preview the PDF, print it or save it.

The PDF is built on a worker thread into a private temporary folder and shown
with Qt's PDF viewer; what is printed or saved is exactly what is previewed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QPageLayout, QPageSize, QPainter, QShortcut
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from gridvisit import paths
from gridvisit.core.access import Action
from gridvisit.core.clock import IsoWeek, today_local
from gridvisit.core.errors import GridVisitError
from gridvisit.core.files import write_atomically
from gridvisit.core.services import Services
from gridvisit.core.services.weekly import WeeklyReport
from gridvisit.reports.weekly import default_file_name, estimated_pages, render_weekly
from gridvisit.ui import files
from gridvisit.ui.dialogs.common import fit_to_screen
from gridvisit.ui.tasks import TaskRunner

WEEKS_BACK = 52
PRINT_DPI = 300  # enough for 8.5 pt Chinese; a page image stays near 35 MB


@dataclass(frozen=True)
class Built:
    report: WeeklyReport
    path: Path


def print_pdf(document: QPdfDocument, printer: QPrinter) -> int:
    """Paint the pages of `document` (honouring the printer's page range) onto
    `printer`, each scaled to fit the printable area. Returns pages printed."""
    count = document.pageCount()
    first, last = 1, count
    if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
        first, last = max(1, printer.fromPage()), min(count, printer.toPage() or count)
    painter = QPainter()
    if not painter.begin(printer):
        return 0
    printed = 0
    try:
        for page in range(first - 1, last):
            if printed:
                printer.newPage()
            points = document.pagePointSize(page)
            dpi = min(PRINT_DPI, printer.resolution())
            image = document.render(
                page, QSize(round(points.width() * dpi / 72), round(points.height() * dpi / 72))
            )
            area = QRectF(painter.viewport())
            scale = min(area.width() / image.width(), area.height() / image.height())
            size = image.size().toSizeF() * scale
            corner = QPointF((area.width() - size.width()) / 2, (area.height() - size.height()) / 2)
            painter.drawImage(QRectF(corner, size), image)
            printed += 1
    finally:
        painter.end()
    return printed


class WeeklyReportDialog(QDialog):
    page_done = Signal(int, int, int)  # build serial, page laid out, estimated pages
    finished_building = Signal(bool)  # True: a preview is shown; False: an error is

    def __init__(
        self,
        services: Services,
        *,
        community: str | None = None,
        grid: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.setWindowTitle(self.tr("Weekly problem list"))
        fit_to_screen(self, 1100, 780)
        # Previews may carry full names: in our private folder, gone with the dialog.
        self._tmp = paths.scratch("report")
        self._serial = 0
        self.built: Built | None = None
        self.tasks = TaskRunner(self)

        self.week = QComboBox(self)
        this_week = IsoWeek.containing(today_local(services.ctx.now()))
        week = this_week
        for _ in range(WEEKS_BACK):
            self.week.addItem(self._week_text(week, this_week), str(week))
            week = week.previous()
        self.community = QComboBox(self)
        self.community.addItem(self.tr("Whole sub-district"), None)
        for node in services.hierarchy.communities():
            self.community.addItem(node.name, node.id)
        self.grid = QComboBox(self)
        self.full_names = QCheckBox(self.tr("Full names (internal use only)"), self)
        self.full_names.setToolTip(
            self.tr(
                "Print residents' full names. Every page then says the document holds "
                "personal information."
            )
        )

        top = QHBoxLayout()
        for text, widget in (
            (self.tr("&Week:"), self.week),
            (self.tr("&Community:"), self.community),
            (self.tr("&Grid:"), self.grid),
        ):
            label = QLabel(text, self)
            label.setBuddy(widget)
            top.addWidget(label)
            top.addWidget(widget)
        top.addWidget(self.full_names)
        top.addStretch(1)
        # Only roles that may see full personal data are offered full names.
        self.full_names.setVisible(services.ctx.can(Action.EXPORT_UNMASKED))

        self.document = QPdfDocument(self)
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.message = QLabel(self)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        # While building: which page, of about how many, and a way to stop.
        self.progress = QProgressBar(self)
        self.progress.setMaximumWidth(420)
        self.cancel_button = QPushButton(self.tr("Stop"), self)
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.cancel)
        waiting = QWidget(self)
        wl = QVBoxLayout(waiting)
        wl.addStretch(1)
        wl.addWidget(self.message)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.progress, 1)
        row.addWidget(self.cancel_button)
        row.addStretch(1)
        wl.addLayout(row)
        wl.addStretch(1)
        self._waiting = waiting
        self._cancelled: set[int] = set()
        self.page_done.connect(self._page_done)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(waiting)
        self.stack.addWidget(self.view)

        self.status = QLabel(self)
        self.print_button = QPushButton(self.tr("&Print…"), self)
        self.save_button = QPushButton(self.tr("&Save as PDF…"), self)
        close = QPushButton(self.tr("Close"), self)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        for button in (self.print_button, self.save_button, close):
            button.setAutoDefault(False)
            bottom.addWidget(button)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.stack, 1)
        layout.addLayout(bottom)

        self.print_button.clicked.connect(self.print_report)
        self.save_button.clicked.connect(self.save_report)
        close.clicked.connect(self.reject)
        QShortcut(QKeySequence.StandardKey.Print, self).activated.connect(self.print_report)
        QShortcut(QKeySequence.StandardKey.Save, self).activated.connect(self.save_report)

        # Pickers rebuild the preview a moment after the last change.
        self._rebuild = QTimer(self)
        self._rebuild.setSingleShot(True)
        self._rebuild.setInterval(250)
        self._rebuild.timeout.connect(self.generate)
        self.community.currentIndexChanged.connect(self._community_changed)
        for signal in (
            self.week.currentIndexChanged,
            self.grid.currentIndexChanged,
            self.full_names.toggled,
        ):
            signal.connect(self._rebuild.start)

        if community:
            i = self.community.findText(community)
            self.community.setCurrentIndex(max(0, i))
        self._fill_grids()
        if grid:
            self.grid.setCurrentIndex(max(0, self.grid.findText(grid)))
        self._rebuild.stop()
        self.generate()

    # -- pickers -----------------------------------------------------------------------
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

    def _community_changed(self) -> None:
        self._fill_grids()
        self._rebuild.start()

    def _fill_grids(self) -> None:
        cid = self.community.currentData()
        self.grid.blockSignals(True)
        self.grid.clear()
        self.grid.addItem(self.tr("All grids"), None)
        if cid is not None:
            for node in self.services.hierarchy.grids(cid):
                self.grid.addItem(node.name, node.id)
        self.grid.setEnabled(cid is not None)
        self.grid.blockSignals(False)

    def selection(self) -> tuple[IsoWeek, str | None, str | None, bool]:
        community = self.community.currentText() if self.community.currentData() else None
        grid = self.grid.currentText() if self.grid.currentData() else None
        return IsoWeek.parse(self.week.currentData()), community, grid, self.full_names.isChecked()

    # -- building ------------------------------------------------------------------------
    def generate(self) -> None:
        week, community, grid, full_names = self.selection()
        self._serial += 1
        path = Path(self._tmp.name) / f"preview-{self._serial}.pdf"
        services = self.services

        serial = self._serial
        cancelled = self._cancelled
        signal = self.page_done

        def build() -> Built:
            scope, name = services.weekly.scope_for(community, grid)
            report = services.weekly.build(week, scope, name)
            if full_names:
                services.ctx.require(Action.EXPORT_UNMASKED)
                services.audit_log.record("report.full_names", week=str(week), scope=name)
            total = estimated_pages(report)

            def on_page(page: int) -> bool:
                signal.emit(serial, page, total)  # queued to the GUI thread
                return serial not in cancelled

            render_weekly(report, str(path), full_names=full_names, on_page=on_page)
            return Built(report, path)

        self._set_ready(False)
        self.message.setText(self.tr("Collecting the problems…"))
        self.progress.setRange(0, 0)  # busy until the first page
        self.progress.show()
        self.cancel_button.show()
        self.cancel_button.setEnabled(True)
        self.stack.setCurrentWidget(self._waiting)
        self.status.clear()
        self.tasks.run("report", build, self._built, self._failed)

    def _page_done(self, serial: int, page: int, total: int) -> None:
        if serial != self._serial:
            return
        total = max(total, page + 1)  # an estimate: never look finished before the end
        self.progress.setRange(0, total)
        self.progress.setValue(page)
        self.message.setText(
            self.tr("Laying out page {n} of about {total}…").format(n=page, total=total)
        )

    def cancel(self) -> None:
        """Stop building; the pickers then start a new list when changed."""
        self._cancelled.add(self._serial)
        self.cancel_button.setEnabled(False)
        self.message.setText(self.tr("Stopping…"))

    def _built(self, built: Built) -> None:
        self.document.close()
        error = self.document.load(str(built.path))
        if error != QPdfDocument.Error.None_:
            self._failed(self.tr("The PDF could not be opened for preview."))
            return
        self.built = built
        self.stack.setCurrentWidget(self.view)
        s = built.report.summary
        self.status.setText(
            self.tr(
                "{pages} pages · new {new}, carried over {carried}, resolved {resolved}, "
                "overdue {overdue}"
            ).format(
                pages=self.document.pageCount(),
                new=s.new,
                carried=s.carried_over,
                resolved=s.resolved,
                overdue=s.overdue,
            )
        )
        self._set_ready(True)
        self.finished_building.emit(True)

    def _failed(self, message: str) -> None:
        self.built = None
        self.progress.hide()
        self.cancel_button.hide()
        if self._serial in self._cancelled:
            self.message.setText(
                self.tr("Stopped. Choose a week, community or grid to build a list again.")
            )
        else:
            self.message.setText(self.tr("The list could not be built:\n{m}").format(m=message))
        self.stack.setCurrentWidget(self._waiting)
        self.finished_building.emit(False)

    def _set_ready(self, ready: bool) -> None:
        self.print_button.setEnabled(ready)
        self.save_button.setEnabled(ready)

    def is_ready(self) -> bool:
        return self.built is not None and self.save_button.isEnabled()

    # -- output ------------------------------------------------------------------------
    def print_report(self) -> None:
        built = self.built
        if built is None or not self.is_ready():
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setPageLayout(
            QPageLayout(
                QPageSize(QPageSize.PageSizeId.A4),
                QPageLayout.Orientation.Landscape,
                printer.pageLayout().margins(),
            )
        )
        printer.setDocName(default_file_name(built.report))
        dialog = QPrintDialog(printer, self)
        dialog.setMinMax(1, self.document.pageCount())
        accepted = dialog.exec() == QDialog.DialogCode.Accepted
        dialog.deleteLater()
        if accepted and print_pdf(self.document, printer) == 0:
            QMessageBox.warning(
                self,
                self.tr("Cannot print"),
                self.tr("The printer could not be started. Check that it is connected."),
            )

    def save_report(self) -> None:
        if not self.is_ready():
            return
        built = self.built
        assert built is not None
        path = files.save_file(
            self,
            self.tr("Save weekly problem list"),
            default_file_name(built.report),
            self.tr("PDF files (*.pdf)"),
            suffix=".pdf",
            purpose="report",
        )
        if path is None:
            return
        try:
            data = built.path.read_bytes()
            write_atomically(path, lambda fh: fh.write(data))
        except GridVisitError as exc:
            QMessageBox.warning(self, self.tr("Cannot save"), str(exc))
        except OSError as exc:
            QMessageBox.warning(
                self,
                self.tr("Cannot save"),
                self.tr("Saving {path} failed: {reason}. Choose another folder.").format(
                    path=path, reason=exc.strerror or exc
                ),
            )
        else:
            self.status.setText(self.tr("Saved to {path}").format(path=path))

    def done(self, result: int) -> None:
        self._rebuild.stop()
        self._cancelled.add(self._serial)  # a list being laid out stops at its next page
        self.tasks.wait(10_000)
        self.document.close()
        self._tmp.cleanup()
        super().done(result)

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
