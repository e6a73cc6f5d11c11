from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QFontDatabase, QImage
from PySide6.QtWidgets import QApplication, QMessageBox

from gridvisit import app as app_module
from gridvisit.demo.generate import DEMO_PASSWORD, generate_demo


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("ui") / "demo.db"
    generate_demo(path, households=80, seed=2, encrypted=True)
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
        assert QApplication.translate("MainWindow", "Due this week") == "本周应访"
        assert QApplication.translate("Dialogs", "Cannot save") == "无法保存"
    finally:
        for t in translators:
            qapp.removeTranslator(t)


def test_screenshot_run_opens_window_and_writes_png(demo_path: Path, tmp_path: Path) -> None:
    # A real process: QApplication.exec() can only run once per test process cleanly.
    out = tmp_path / "shot.png"
    # Encrypted, as in real use: the screenshot run logs in from the environment.
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "GRIDVISIT_PASSWORD": DEMO_PASSWORD}
    for page in ("households", "problems", "due", "buildings", "stats"):
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "gridvisit",
                "--db",
                str(demo_path),
                "--screenshot",
                str(out),
                "--page",
                page,
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        image = QImage(str(out))
        assert (image.width(), image.height()) == (1400, 860)
        out.unlink()


def test_screenshot_of_missing_database_fails_cleanly(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "gridvisit",
            "--db",
            str(tmp_path / "none.db"),
            "--screenshot",
            str(tmp_path / "x.png"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 1
    assert "找不到数据库文件" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "x.png").exists()


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


def test_login_finishes_an_interrupted_restore_instead_of_creating_a_new_file(
    qapp: QApplication, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A restore stopped between its two renames leaves no database file, only the
    restored copy beside it. The window must finish the restore (as the commands do),
    not take the missing file for a first start and create an empty database."""
    from sqlalchemy import func, select

    from gridvisit.storage import backups
    from gridvisit.storage.backups import Reason
    from gridvisit.storage.models import Household

    path = tmp_path / "grid.db"
    generate_demo(path, households=12, weeks=2, encrypted=False)
    pending = path.with_name(f".{path.name}.restoring")
    backups.backup_sqlite(path, pending, None)
    os.replace(path, backups.create_backup(path, None, Reason.REPLACED).path)
    assert not path.exists()
    monkeypatch.setenv("GRIDVISIT_USER", "admin")
    monkeypatch.setenv("GRIDVISIT_PASSWORD", DEMO_PASSWORD)
    login = app_module._login_gui(path, create=True, encrypted=False, interactive=False)
    assert login is not None
    try:
        with login.db.read_session() as s:
            assert s.scalar(select(func.count(Household.id))) == 12
    finally:
        login.db.dispose()
    assert not pending.exists()
