from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QDialog

from gridvisit import app as app_module
from gridvisit.core.services import Services
from gridvisit.demo.generate import generate_demo
from gridvisit.storage import Database, open_database
from gridvisit.ui.main_window import MainWindow


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    # Ends today, so some households are due and some problems open right now.
    generate_demo(path, households=240, seed=5, end=date.today())
    return path


@pytest.fixture
def demo_db(demo_template: Path, tmp_path: Path) -> Iterator[Database]:
    import sqlite3

    copy = tmp_path / "demo.db"
    src = sqlite3.connect(demo_template)
    src.execute(f"VACUUM INTO '{copy}'")
    src.close()
    db = open_database(copy)
    yield db
    db.dispose()


@pytest.fixture
def zh(qapp: QApplication) -> Iterator[None]:
    translators = app_module.install_translators(qapp)
    yield
    for t in translators:
        qapp.removeTranslator(t)


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def services(demo_db: Database) -> Services:
    return app_module.build_services(demo_db)


@pytest.fixture
def window(qtbot, zh, services: Services, settings: QSettings) -> MainWindow:  # type: ignore[no-untyped-def]
    win = MainWindow(services, db_label="demo.db", settings=settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(win.is_loaded, timeout=10_000)
    return win


def on_next_modal(handler: Callable[[QDialog], None]) -> dict[str, bool]:
    """Run `handler` on the next modal dialog once it is open (dialogs block in exec()).

    A dialog the handler leaves open is rejected, so a broken test fails instead of
    hanging; `left_open` in the returned dict says it happened."""
    state = {"left_open": False}

    def poll() -> None:
        widget = QApplication.activeModalWidget()
        if widget is None:
            QTimer.singleShot(10, poll)
            return
        widget.activateWindow()
        try:
            handler(widget)
        finally:
            if widget.isVisible():
                state["left_open"] = True
                QDialog.reject(widget)  # without asking about typed text

    QTimer.singleShot(0, poll)
    return state
