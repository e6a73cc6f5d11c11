"""The statistical report dialog (报表 → 月度统计表…): opens, the preview renders the
report of the chosen period and scope, save writes the PDF and the workbook, print
paints every page, and the window's menu opens it for the selected node."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from PySide6.QtGui import QAction
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog

from gridvisit.core.indicators import Period
from gridvisit.core.records import Scope
from gridvisit.core.services import Services
from gridvisit.ui.dialogs.statistics_report import StatisticsReportDialog
from gridvisit.ui.main_window import MainWindow
from tests.ui.conftest import on_next_modal


@pytest.fixture
def dialog(qtbot, zh, services: Services) -> StatisticsReportDialog:  # type: ignore[no-untyped-def]
    dlg = StatisticsReportDialog(services)
    qtbot.addWidget(dlg)
    with qtbot.waitSignal(dlg.finished_building, timeout=30_000) as blocker:
        dlg.show()
    assert blocker.args == [True], dlg.message.text()
    return dlg


def _text(path: Path) -> str:
    return "".join(page.extract_text() for page in PdfReader(path).pages)


def test_preview_shows_last_month_of_the_subdistrict(
    dialog: StatisticsReportDialog, services: Services
) -> None:
    assert dialog.windowTitle() == "统计表"
    assert dialog.document.status() == QPdfDocument.Status.Ready
    assert dialog.document.pageCount() >= 2
    built = dialog.built
    assert built is not None
    period = Period.parse(dialog.period.currentData())
    # the last finished month is what it opens on
    assert period == Period.parse(dialog.period.itemData(0)).previous()
    assert "尚未结束" in dialog.period.itemText(0)
    text = _text(built.path)
    assert f"{period.label} 网格走访与问题办理统计表" in text
    summary = services.stats.summary(period, Scope())
    coverage = summary.figures.value("coverage")
    shown = "—" if coverage is None else f"{coverage * 100:.1f}%"
    assert shown in text
    assert "走访覆盖率" in dialog.status.text() and "页" in dialog.status.text()
    assert dialog.save_button.isEnabled() and dialog.xlsx_button.isEnabled()


def test_changing_period_and_scope_rebuilds(qtbot, dialog: StatisticsReportDialog) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(dialog.finished_building, timeout=30_000):
        dialog.kind.setCurrentIndex(1)  # quarterly
    assert dialog.built is not None
    assert "季度 网格走访与问题办理统计表" in _text(dialog.built.path)
    with qtbot.waitSignal(dialog.finished_building, timeout=30_000):
        dialog.community.setCurrentIndex(1)
    community = dialog.community.currentText()
    text = _text(dialog.built.path)
    assert community in text and "分网格情况" in text


def _choose(monkeypatch: pytest.MonkeyPatch, target: Path) -> None:
    monkeypatch.setattr(QFileDialog, "exec", lambda self: 1)
    monkeypatch.setattr(QFileDialog, "selectedFiles", lambda self: [str(target)])


def test_save_writes_the_preview_and_the_workbook(
    dialog: StatisticsReportDialog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    _choose(monkeypatch, out / "统计表")
    dialog.save_report()
    saved = out / "统计表.pdf"
    assert dialog.built is not None
    assert saved.read_bytes() == dialog.built.path.read_bytes()
    assert str(saved) in dialog.status.text()
    _choose(monkeypatch, out / "统计表")
    dialog.save_xlsx()
    wb = load_workbook(out / "统计表.xlsx")
    assert wb.sheetnames[0] == "主要指标" and "分社区情况" in wb.sheetnames
    assert sorted(p.name for p in out.iterdir()) == ["统计表.pdf", "统计表.xlsx"]


def test_print_paints_every_page_in_portrait(
    dialog: StatisticsReportDialog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "printed.pdf"

    def accept(self: QPrintDialog) -> int:
        printer = self.printer()
        assert printer.pageLayout().orientation().name == "Portrait"
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(out))
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(QPrintDialog, "exec", accept)
    dialog.print_report()
    assert len(PdfReader(out).pages) == dialog.document.pageCount()


def test_reports_menu_opens_it_for_the_selected_community(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    key = next(k for k in window.tree.node_keys() if k.startswith("community:"))
    window.tree.select_key(key)
    community = window.tree.node(key)
    action = window.findChild(QAction, "action_statistics_report")
    assert action is not None and action.text() == "月度统计表(&M)…"
    menus = {a.text(): a.menu() for a in window.menuBar().actions()}
    assert action in menus["报表(&R)"].actions()
    seen: dict[str, object] = {}

    def check(dlg: QDialog) -> None:
        assert isinstance(dlg, StatisticsReportDialog)
        seen["community"] = dlg.community.currentText()
        if not dlg.is_ready():
            with qtbot.waitSignal(dlg.finished_building, timeout=30_000):
                pass
        seen["ok"] = dlg.is_ready()
        dlg.accept()

    state = on_next_modal(check)
    action.trigger()
    assert not state["left_open"]
    assert seen == {"community": community.name, "ok": True}
