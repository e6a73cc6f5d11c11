"""The window on a PostgreSQL server (issue 21): the real command line with a URL, and
the main window's pages on the server's data (tests/conftest.py starts the server)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel
from sqlalchemy import func, select

from gridvisit import app as app_module
from gridvisit.core.auth import default_throttle, login
from gridvisit.core.services import ServiceContext, Services
from gridvisit.demo.generate import DEMO_PASSWORD
from gridvisit.storage.models import Visit
from gridvisit.ui.dialogs.exchange import ReviewDialog
from gridvisit.ui.dialogs.security import LoginDialog
from gridvisit.ui.dialogs.visit_dialog import VisitDialog
from gridvisit.ui.main_window import MainWindow
from tests.conftest import copy_to_server
from tests.ui.conftest import on_next_modal


@pytest.fixture
def demo_url(demo_template: Path, pg_url: str) -> str:
    copy_to_server(demo_template, pg_url)
    return pg_url


def test_the_command_line_opens_the_window_on_a_url(demo_url: str, tmp_path: Path) -> None:
    out = tmp_path / "pg.png"
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "GRIDVISIT_USER": "admin",
        "GRIDVISIT_PASSWORD": DEMO_PASSWORD,
    }
    for page in ("households", "problems", "due"):
        result = subprocess.run(
            # The libpq options survive the way from the command line to the server.
            [sys.executable, "-m", "gridvisit", "--db", f"{demo_url}?sslmode=disable",
             "--screenshot", str(out), "--page", page],
            capture_output=True, text=True, env=env, timeout=180, cwd=tmp_path,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert "锁文件" not in result.stderr
        image = QImage(str(out))
        assert (image.width(), image.height()) == (1400, 860)
        out.unlink()
    assert list(tmp_path.iterdir()) == []  # no lock file, no backup folder anywhere here


def test_a_wrong_password_on_a_url_is_refused(demo_url: str, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "GRIDVISIT_USER": "admin",
        "GRIDVISIT_PASSWORD": "not the password",
    }
    result = subprocess.run(
        [sys.executable, "-m", "gridvisit", "--db", demo_url, "--screenshot",
         str(tmp_path / "x.png")],
        capture_output=True, text=True, env=env, timeout=180,
    )  # fmt: skip
    assert result.returncode == 1
    assert "用户名或密码不正确" in result.stderr
    assert not (tmp_path / "x.png").exists()


def test_households_page_on_the_server_shows_its_data(
    qtbot, zh, demo_url: str, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    session = login(demo_url, "admin", DEMO_PASSWORD, encrypted=True, throttle=default_throttle())
    assert session.db.path is None and session.pending is None  # no quick_check to wait for
    settings = QSettings(str(tmp_path / "window.ini"), QSettings.Format.IniFormat)
    try:
        services = Services(ServiceContext(session.db, session.actor))
        window = MainWindow(services, db_label="pg", settings=settings)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(window.is_loaded, timeout=20_000)
        households = window.households
        assert households.model.rowCount() > 0
        # Every page loads on the server.
        for index in range(window.pages.count()):
            window.pages.setCurrentIndex(index)
            qtbot.waitUntil(window.is_loaded, timeout=20_000)
        assert window.problems.model.rowCount() > 0
        # A write through the window: a visit with a problem, saved on the server.
        window.pages.setCurrentWidget(households)
        qtbot.waitUntil(window.is_loaded, timeout=20_000)
        row = households.model.row_at(0)
        households.table.selectRow(0)
        qtbot.waitUntil(lambda: households.current_id() == row.id)

        def fill(dialog: VisitDialog) -> None:
            dialog.notes.setPlainText("服务器上的走访")
            problem = dialog.add_problem()
            problem.category.setCurrentIndex(problem.category.findData("leak"))
            problem.description.setText("卫生间渗水")
            QTest.qWait(50)
            QTest.keyClick(dialog.notes, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

        state = on_next_modal(fill)
        window.log_visit(row.id)
        qtbot.waitUntil(window.is_loaded, timeout=20_000)
        assert not state["left_open"]
        fresh = households.model.rows()[households.model.position_of(row.id)]
        assert fresh.open_problems == row.open_problems + 1
        with session.db.read_session() as s:
            assert s.scalar(select(func.count()).where(Visit.notes == "服务器上的走访")) == 1
        # The dialogs that read the server open and show its data.
        for name in ("audit_log", "registered_computers", "weekly_report"):
            seen: list[str] = []
            on_next_modal(lambda dialog, seen=seen: seen.append(type(dialog).__name__))
            window.findChild(QAction, f"action_{name}").trigger()
            assert seen, name
        window.findChild(QAction, "action_merge_review").trigger()  # a window of its own
        review = qtbot.waitUntil(lambda: window.findChild(ReviewDialog) is not None) or (
            window.findChild(ReviewDialog)
        )
        review.close()
        # No backups of its own: the server's are pg_dump's.
        assert not window.findChild(QAction, "action_backups").isVisible()
        window.close()
        window.tasks.wait(5000)
    finally:
        session.db.dispose()


def test_the_login_dialog_on_a_url_checks_the_password_in_the_database(
    qtbot, zh, demo_url: str
) -> None:  # type: ignore[no-untyped-def]
    seen: dict[str, str] = {}

    def fill(dialog: LoginDialog) -> None:
        assert isinstance(dialog, LoginDialog)
        seen["label"] = " ".join(label.text() for label in dialog.findChildren(QLabel))
        dialog.username.setText("admin")
        dialog.password.setText("wrong password")
        dialog.try_login()
        seen["error"] = dialog.error.text()
        dialog.password.setText(DEMO_PASSWORD)
        dialog.try_login()

    url = demo_url.replace("postgres@", "postgres:secret@")  # trust: any password goes
    state = on_next_modal(fill)
    session = app_module._login_gui(url, create=False, encrypted=True, interactive=True)
    assert not state["left_open"] and session is not None
    try:
        assert session.actor.username == "admin" and session.db.key is None
        assert "127.0.0.1" in seen["label"] and "secret" not in seen["label"]
        assert "用户名或密码不正确" in seen["error"]
    finally:
        session.db.dispose()


def test_the_window_on_an_uninitialised_server_says_to_run_server_init(
    pg_url: str, tmp_path: Path
) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "GRIDVISIT_PASSWORD": "x" * 12}
    result = subprocess.run(
        [sys.executable, "-m", "gridvisit", "--db", pg_url, "--screenshot",
         str(tmp_path / "x.png")],
        capture_output=True, text=True, env=env, timeout=180,
    )  # fmt: skip
    assert result.returncode == 1
    assert "还没有初始化" in result.stderr and "gridvisit server init" in result.stderr
    assert not (tmp_path / "x.png").exists()
