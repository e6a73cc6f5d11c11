"""Preview, print or save one PDF of the building view (一户一档, 走访清单, 楼栋图), with
the weekly list's machinery (ui/dialogs/weekly_report.py): built on a worker thread
into a private temporary folder, shown with Qt's PDF viewer, printed with
`print_pdf`, saved atomically; what is printed or saved is what is previewed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QPageLayout, QPageSize, QShortcut
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from gridvisit import paths
from gridvisit.core.access import Action
from gridvisit.core.errors import GridVisitError
from gridvisit.core.files import write_atomically
from gridvisit.core.services import Services
from gridvisit.ui import files
from gridvisit.ui.dialogs.common import fit_to_screen
from gridvisit.ui.dialogs.weekly_report import print_pdf
from gridvisit.ui.tasks import TaskRunner

# build(path, full_names) writes the PDF and returns (file name, landscape).
Build = Callable[[str, bool], tuple[str, bool]]


class PdfPreviewDialog(QDialog):
    finished_building = Signal(bool)

    def __init__(
        self,
        services: Services,
        title: str,
        build: Build,
        *,
        offer_full_names: bool = True,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.services = services
        self.setWindowTitle(title)
        fit_to_screen(self, 1000, 780)
        self._build = build
        self._tmp = paths.scratch("report")
        self._serial = 0
        self.path: Path | None = None
        self.file_name = ""
        self.landscape = False
        self.tasks = TaskRunner(self)
        self.full_names = QCheckBox(self.tr("Full names (internal use only)"), self)
        self.full_names.setVisible(offer_full_names and services.ctx.can(Action.EXPORT_UNMASKED))
        self.full_names.toggled.connect(self.generate)
        self.document = QPdfDocument(self)
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.message = QLabel(self)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.message)
        self.stack.addWidget(self.view)
        self.status = QLabel(self)
        self.print_button = QPushButton(self.tr("&Print…"), self)
        self.save_button = QPushButton(self.tr("&Save as PDF…"), self)
        close = QPushButton(self.tr("Close"), self)
        top = QHBoxLayout()
        top.addWidget(self.full_names)
        top.addStretch(1)
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
        self.generate()

    def generate(self) -> None:
        self._serial += 1
        path = Path(self._tmp.name) / f"preview-{self._serial}.pdf"
        full = self.full_names.isChecked()
        build = self._build

        def run() -> tuple[Path, str, bool]:
            name, landscape = build(str(path), full)
            return path, name, landscape

        self._set_ready(False)
        self.message.setText(self.tr("Building the PDF…"))
        self.stack.setCurrentWidget(self.message)
        self.tasks.run("print", run, self._built, self._failed)

    def _built(self, result: tuple[Path, str, bool]) -> None:
        path, name, landscape = result
        self.document.close()
        if self.document.load(str(path)) != QPdfDocument.Error.None_:
            self._failed(self.tr("The PDF could not be opened for preview."))
            return
        self.path, self.file_name, self.landscape = path, name, landscape
        self.stack.setCurrentWidget(self.view)
        self.status.setText(self.tr("{pages} pages").format(pages=self.document.pageCount()))
        self._set_ready(True)
        self.finished_building.emit(True)

    def _failed(self, message: str) -> None:
        self.path = None
        self.message.setText(self.tr("The PDF could not be built:\n{m}").format(m=message))
        self.stack.setCurrentWidget(self.message)
        self.finished_building.emit(False)

    def _set_ready(self, ready: bool) -> None:
        self.print_button.setEnabled(ready)
        self.save_button.setEnabled(ready)

    def is_ready(self) -> bool:
        return self.path is not None and self.save_button.isEnabled()

    def print_report(self) -> None:
        if not self.is_ready():
            return
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        orientation = (
            QPageLayout.Orientation.Landscape
            if self.landscape
            else QPageLayout.Orientation.Portrait
        )
        printer.setPageLayout(
            QPageLayout(
                QPageSize(QPageSize.PageSizeId.A4), orientation, printer.pageLayout().margins()
            )
        )
        printer.setDocName(self.file_name)
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
        if not self.is_ready() or self.path is None:
            return
        source = self.path
        target = files.save_file(
            self,
            self.tr("Save as PDF"),
            self.file_name,
            self.tr("PDF files (*.pdf)"),
            suffix=".pdf",
            purpose="report",
        )
        if target is None:
            return
        try:
            data = source.read_bytes()
            write_atomically(target, lambda fh: fh.write(data))
        except (GridVisitError, OSError) as exc:
            QMessageBox.warning(self, self.tr("Cannot save"), str(exc))
        else:
            self.status.setText(self.tr("Saved to {path}").format(path=target))

    def done(self, result: int) -> None:
        self.tasks.wait(10_000)
        self.document.close()
        self._tmp.cleanup()
        super().done(result)


__all__ = ["PdfPreviewDialog"]
