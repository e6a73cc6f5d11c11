"""What every report dialog shares (the weekly problem list, the statistical report):
pickers along the top, the PDF built on a worker thread into a private temporary
folder and shown with Qt's PDF viewer, page progress with a Stop button, and Print
and Save buttons; what is printed or saved is exactly what is previewed.

A subclass adds its pickers to `self.pickers` (the community and grid pickers are
here: `add_scope_pickers`), calls `watch(...)` on the signals that should rebuild
the preview, and says what to build (`build_job`) and how to name it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer, Signal, SignalInstance
from PySide6.QtGui import QKeySequence, QPageLayout, QPageSize, QPainter, QShortcut
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
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
from gridvisit.core.errors import GridVisitError
from gridvisit.core.files import write_atomically
from gridvisit.core.services import Services
from gridvisit.ui import files
from gridvisit.ui.dialogs.common import fit_to_screen
from gridvisit.ui.tasks import TaskRunner

PRINT_DPI = 300  # enough for 8.5 pt Chinese; a page image stays near 35 MB


@dataclass(frozen=True)
class Built:
    report: Any  # what the PDF was made from (a WeeklyReport, a StatisticsReport)
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


class ReportPreviewDialog(QDialog):
    page_done = Signal(int, int, int)  # build serial, page laid out, estimated pages
    finished_building = Signal(bool)  # True: a preview is shown; False: an error is

    orientation = QPageLayout.Orientation.Landscape

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        fit_to_screen(self, 1100, 780)
        # Previews may carry full names: in our private folder, gone with the dialog.
        self._tmp = paths.scratch("report")
        self._serial = 0
        self.built: Built | None = None
        self.tasks = TaskRunner(self)
        self.pickers = QHBoxLayout()

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
        self.bottom = QHBoxLayout()
        self.bottom.addWidget(self.status, 1)
        close = QPushButton(self.tr("Close"), self)
        for button in (self.print_button, self.save_button, close):
            button.setAutoDefault(False)
            self.bottom.addWidget(button)

        layout = QVBoxLayout(self)
        layout.addLayout(self.pickers)
        layout.addWidget(self.stack, 1)
        layout.addLayout(self.bottom)

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

    # -- what a subclass says ----------------------------------------------------------
    def build_job(self, path: Path, on_page: Callable[[int, int], bool]) -> Callable[[], Built]:
        """A function, run on the worker thread, that writes the PDF to `path`, calls
        `on_page(page, estimated pages)` for each page laid out (False: stop, raise
        BuildCancelled) and returns what it built. Read the pickers here, on the GUI
        thread, not in the function."""
        raise NotImplementedError

    def collecting_text(self) -> str:
        return self.tr("Collecting the figures…")

    def summary_text(self, built: Built) -> str:
        return self.tr("{pages} pages").format(pages=self.document.pageCount())

    def stopped_text(self) -> str:
        return self.tr("Stopped. Choose another period, community or grid to build it again.")

    def failed_text(self, message: str) -> str:
        return self.tr("The report could not be built:\n{m}").format(m=message)

    def file_name(self, built: Built) -> str:
        raise NotImplementedError

    def save_title(self) -> str:
        return self.tr("Save report")

    # -- pickers -----------------------------------------------------------------------
    def add_picker(self, text: str, widget: QWidget) -> None:
        label = QLabel(text, self)
        label.setBuddy(widget)
        self.pickers.addWidget(label)
        self.pickers.addWidget(widget)

    def add_scope_pickers(self) -> None:
        """The community and grid pickers (the grids of the chosen community)."""
        self.community = QComboBox(self)
        self.community.addItem(self.tr("Whole sub-district"), None)
        for node in self.services.hierarchy.communities():
            self.community.addItem(node.name, node.id)
        self.grid = QComboBox(self)
        self.add_picker(self.tr("&Community:"), self.community)
        self.add_picker(self.tr("&Grid:"), self.grid)
        self.community.currentIndexChanged.connect(self._community_changed)
        self.watch(self.grid.currentIndexChanged)

    def watch(self, *signals: SignalInstance) -> None:
        for signal in signals:
            signal.connect(self._rebuild.start)

    def start(self, community: str | None, grid: str | None) -> None:
        """Select the scope the dialog was opened for, then build the first preview."""
        self.pickers.addStretch(1)
        if community:
            i = self.community.findText(community)
            self.community.setCurrentIndex(max(0, i))
        self._fill_grids()
        if grid:
            self.grid.setCurrentIndex(max(0, self.grid.findText(grid)))
        self._rebuild.stop()
        self.generate()

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

    def scope_names(self) -> tuple[str | None, str | None]:
        community = self.community.currentText() if self.community.currentData() else None
        grid = self.grid.currentText() if self.grid.currentData() else None
        return community, grid

    # -- building ------------------------------------------------------------------------
    def generate(self) -> None:
        self._serial += 1
        path = Path(self._tmp.name) / f"preview-{self._serial}.pdf"
        serial, cancelled, signal = self._serial, self._cancelled, self.page_done

        def on_page(page: int, total: int) -> bool:
            signal.emit(serial, page, total)  # queued to the GUI thread
            return serial not in cancelled

        job = self.build_job(path, on_page)

        self._set_ready(False)
        self.message.setText(self.collecting_text())
        self.progress.setRange(0, 0)  # busy until the first page
        self.progress.show()
        self.cancel_button.show()
        self.cancel_button.setEnabled(True)
        self.stack.setCurrentWidget(self._waiting)
        self.status.clear()
        self.tasks.run("report", job, self._built, self._failed)

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
        """Stop building; the pickers then start a new one when changed."""
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
        self.status.setText(self.summary_text(built))
        self._set_ready(True)
        self.finished_building.emit(True)

    def _failed(self, message: str) -> None:
        self.built = None
        self.progress.hide()
        self.cancel_button.hide()
        if self._serial in self._cancelled:
            self.message.setText(self.stopped_text())
        else:
            self.message.setText(self.failed_text(message))
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
                self.orientation,
                printer.pageLayout().margins(),
            )
        )
        printer.setDocName(self.file_name(built))
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
            self.save_title(),
            self.file_name(built),
            self.tr("PDF files (*.pdf)"),
            suffix=".pdf",
            purpose="report",
        )
        if path is None:
            return
        data = built.path.read_bytes()
        if self.write_file(path, lambda fh: fh.write(data)):
            self.status.setText(self.tr("Saved to {path}").format(path=path))

    def write_file(self, path: Path, produce: Callable[[Any], object]) -> bool:
        """Write through a temporary file and rename; a failure is shown. True if saved."""
        try:
            write_atomically(path, produce)
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
            return True
        return False

    def done(self, result: int) -> None:
        self._rebuild.stop()
        self._cancelled.add(self._serial)  # a report being laid out stops at its next page
        self.tasks.wait(10_000)
        self.document.close()
        self._tmp.cleanup()
        super().done(result)


__all__ = ["Built", "ReportPreviewDialog", "print_pdf"]
