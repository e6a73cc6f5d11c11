"""The weekly problem list dialog: preview, save, print, and opening it from the window."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox

from gridvisit.core.services import Services
from gridvisit.ui.dialogs.weekly_report import WeeklyReportDialog, print_pdf
from gridvisit.ui.main_window import MainWindow
from tests.ui.conftest import on_next_modal


@pytest.fixture
def dialog(qtbot, zh, services: Services) -> WeeklyReportDialog:  # type: ignore[no-untyped-def]
    community = services.hierarchy.communities()[0].name
    # Built before the first show: wait on the signal, not by polling (waitUntil's
    # qWait loop starves the worker thread of the GIL).
    dlg = WeeklyReportDialog(services, community=community)
    qtbot.addWidget(dlg)
    with qtbot.waitSignal(dlg.finished_building, timeout=20_000) as blocker:
        dlg.show()
    assert blocker.args == [True], dlg.message.text()
    return dlg


def test_preview_shows_the_built_pdf(dialog: WeeklyReportDialog, services: Services) -> None:
    assert dialog.document.status() == QPdfDocument.Status.Ready
    assert dialog.document.pageCount() >= 1
    assert dialog.built is not None
    reader = PdfReader(dialog.built.path)
    assert len(reader.pages) == dialog.document.pageCount()
    community = services.hierarchy.communities()[0].name
    assert f"{community} 第" in reader.pages[0].extract_text()
    assert "页" in dialog.status.text() and dialog.save_button.isEnabled()


def test_changing_the_scope_rebuilds_the_preview(qtbot, dialog: WeeklyReportDialog) -> None:  # type: ignore[no-untyped-def]
    first = dialog.built
    with qtbot.waitSignal(dialog.finished_building, timeout=20_000):
        dialog.grid.setCurrentIndex(1)
    assert dialog.built is not first and dialog.built is not None
    grid = dialog.grid.currentText()
    assert grid in PdfReader(dialog.built.path).pages[0].extract_text().replace(" ", "")
    with qtbot.waitSignal(dialog.finished_building, timeout=20_000):
        dialog.full_names.setChecked(True)
    assert "个人信息" in PdfReader(dialog.built.path).pages[0].extract_text()


def _choose_in_file_dialog(monkeypatch: pytest.MonkeyPatch, target: Path) -> None:
    """The app's file dialog, answered with `target` as if the user typed it."""
    monkeypatch.setattr(QFileDialog, "exec", lambda self: 1)
    monkeypatch.setattr(QFileDialog, "selectedFiles", lambda self: [str(target)])


def test_save_writes_exactly_the_preview(
    dialog: WeeklyReportDialog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "清单"  # no suffix: .pdf is added
    _choose_in_file_dialog(monkeypatch, target)
    dialog.save_report()
    saved = tmp_path / "清单.pdf"
    assert dialog.built is not None
    assert saved.read_bytes() == dialog.built.path.read_bytes()
    assert str(saved) in dialog.status.text()


def test_save_to_a_missing_folder_explains(
    dialog: WeeklyReportDialog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "nowhere" / "x.pdf"
    _choose_in_file_dialog(monkeypatch, target)
    said: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "warning", staticmethod(lambda _p, _t, text: said.append(text))
    )
    dialog.save_report()
    assert said and "不存在" in said[0]
    assert not target.parent.exists()


def test_print_paints_every_page(
    dialog: WeeklyReportDialog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "printed.pdf"

    def accept(self: QPrintDialog) -> int:
        printer = self.printer()
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(QPrintDialog, "exec", accept)
    dialog.print_report()
    assert len(PdfReader(out).pages) == dialog.document.pageCount()


def test_print_pdf_honours_a_page_range(dialog: WeeklyReportDialog, tmp_path: Path) -> None:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "one.pdf"))
    printer.setPrintRange(QPrinter.PrintRange.PageRange)
    printer.setFromTo(1, 1)
    assert print_pdf(dialog.document, printer) == 1
    assert len(PdfReader(tmp_path / "one.pdf").pages) == 1


def test_window_action_opens_the_list_for_the_selected_grid(
    qtbot, window: MainWindow, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    grid_key = next(k for k in window.tree.node_keys() if k.startswith("grid:"))
    window.tree.select_key(grid_key)
    grid = window.tree.node(grid_key)
    seen: dict[str, object] = {}

    def check(dlg: QDialog) -> None:
        assert isinstance(dlg, WeeklyReportDialog)
        seen["grid"] = dlg.grid.currentText()
        seen["community"] = dlg.community.currentData()
        if not dlg.is_ready():  # no event runs between this test and the wait
            with qtbot.waitSignal(dlg.finished_building, timeout=20_000):
                pass
        seen["ok"] = dlg.is_ready()
        dlg.accept()

    state = on_next_modal(check)
    window.act_weekly.trigger()
    assert not state["left_open"]
    assert seen["grid"] == grid.name and seen["community"] is not None and seen["ok"]


def test_qtpdf_is_not_loaded_at_start_up() -> None:
    # The PDF modules load when the list is opened, not with the main window.
    code = (
        "import sys, gridvisit.app, gridvisit.ui.main_window; "
        "print('PySide6.QtPdf' in sys.modules, 'reportlab' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_building_shows_pages_and_can_be_stopped(qtbot, zh, services: Services) -> None:  # type: ignore[no-untyped-def]
    dlg = WeeklyReportDialog(services)
    qtbot.addWidget(dlg)
    pages: list[tuple[int, int]] = []
    dlg.page_done.connect(lambda _serial, page, total: pages.append((page, total)))
    with qtbot.waitSignal(dlg.finished_building, timeout=30_000):
        dlg.show()
    assert pages and pages[-1][0] == dlg.document.pageCount()
    assert dlg.progress.maximum() >= pages[-1][0]
    # Stop the next build as soon as it starts: no preview, a clear message, and the
    # pickers build again afterwards.
    with qtbot.waitSignal(dlg.finished_building, timeout=30_000) as blocker:
        dlg.week.setCurrentIndex(1)
        dlg._rebuild.stop()
        dlg.generate()
        dlg.cancel()
    assert blocker.args == [False]
    assert "已停止" in dlg.message.text() and not dlg.save_button.isEnabled()
    with qtbot.waitSignal(dlg.finished_building, timeout=30_000) as blocker:
        dlg.week.setCurrentIndex(0)
    assert blocker.args == [True]
