from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QApplication, QMessageBox

from gridvisit import app as app_module
from gridvisit.storage import open_database
from gridvisit.storage.demo import generate_demo


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ui") / "demo.db"
    generate_demo(path, households=80, seed=2)
    return path


def test_bundled_cjk_font_registers(qapp: QApplication) -> None:
    family = app_module.register_fonts()
    assert family is not None
    assert "WenQuanYi" in family
    assert QFontDatabase.hasFamily(family)


def test_chinese_catalogue_is_loaded(qapp: QApplication) -> None:
    translators = app_module.install_translators(qapp)
    try:
        assert translators, "gridvisit_zh_CN.qm missing: `make test` builds it"
        assert QApplication.translate("MainWindow", "Database: {path}") == "数据库:{path}"
    finally:
        for t in translators:
            qapp.removeTranslator(t)


def test_main_window_shows_counts_in_chinese(qapp: QApplication, qtbot, demo_path: Path) -> None:  # type: ignore[no-untyped-def]
    translators = app_module.install_translators(qapp)
    db = open_database(demo_path)
    try:
        window = app_module.build_main_window(db, app_module.build_services(db))
        qtbot.addWidget(window)
        window.show()
        qtbot.waitExposed(window)
        assert window.windowTitle() == "网格走访 — 入户走访管理"
        assert "住户 80 户" in window.summary_label.text()
        assert "管理员" in window.statusBar().currentMessage()
    finally:
        for t in translators:
            qapp.removeTranslator(t)
        db.dispose()


def test_run_gui_opens_and_closes(qapp: QApplication, demo_path: Path) -> None:
    QTimer.singleShot(200, qapp.quit)
    assert app_module.run_gui(demo_path, create=False) == 0


def test_run_gui_reports_a_bad_file(
    qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "critical", lambda _parent, title, text: shown.append(f"{title}|{text}")
    )
    bad = tmp_path / "bad.db"
    bad.write_text("not a database", encoding="utf-8")
    assert app_module.run_gui(bad, create=False) == 1
    assert shown and "不是 gridvisit 数据库文件" in shown[0]
