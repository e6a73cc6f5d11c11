"""Start-up (issue 18): what the first paint needs and nothing more, and the checks
that used to run before it (quick_check, the daily backup) still guard every write."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLabel

from gridvisit.demo.generate import DEMO_PASSWORD, generate_demo

# Modules the first paint must not load: each one costs a noticeable part of a second
# (or belongs to a feature the user has not opened yet).
HEAVY = (
    "pypinyin",  # the search's pinyin initials: loaded in the background
    "alembic",  # only when a migration is pending
    "sqlalchemy.dialects.postgresql",  # only for a server URL
    "psycopg",
    "psycopg2",
    "reportlab",  # the weekly PDF
    "PySide6.QtPdf",
    "PySide6.QtPdfWidgets",
    "openpyxl",  # Excel ledgers
)

# Runs the real command line in a child process and notes, when the main window first
# shows and again when its data is on screen, which of HEAVY are in sys.modules.
PROBE = """
import json, sys
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QMainWindow

heavy = json.loads(sys.argv[1])
seen = {}

def loaded_now():
    return sorted(m for m in sys.modules if any(m == h or m.startswith(h + ".") for h in heavy))

class Probe(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Show and isinstance(obj, QMainWindow) and "show" not in seen:
            seen["show"] = loaded_now()
            obj.loaded.connect(lambda: seen.setdefault("loaded", loaded_now()))
        return False

app = QApplication(["gridvisit"])
probe = Probe()
app.installEventFilter(probe)
from gridvisit.cli import main
code = main(sys.argv[2:])
seen["code"] = code
print("PROBE " + json.dumps(seen))
"""


@pytest.fixture(scope="module")
def encrypted_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("startup") / "demo.db"
    generate_demo(path, households=60, seed=3, encrypted=True)
    return path


def _probe(db: Path, tmp_path: Path, *extra: str) -> dict:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "GRIDVISIT_USER": "admin",
        "GRIDVISIT_PASSWORD": DEMO_PASSWORD,
    }
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            PROBE,
            json.dumps(HEAVY),
            *extra,
            "--db",
            str(db),
            "--screenshot",
            str(tmp_path / "shot.png"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("PROBE ")]
    assert lines, result.stdout + result.stderr
    return json.loads(lines[-1].removeprefix("PROBE "))


def test_first_paint_loads_none_of_the_heavy_modules(encrypted_demo: Path, tmp_path: Path) -> None:
    seen = _probe(encrypted_demo, tmp_path)
    assert seen["code"] == 0
    assert seen["show"] == []
    assert seen["loaded"] == []  # the households are on screen, still without them


def test_first_paint_of_a_plain_file_loads_none_either(tmp_path: Path) -> None:
    path = tmp_path / "plain.db"
    generate_demo(path, households=30, seed=4, encrypted=False)
    seen = _probe(path, tmp_path, "--no-encryption")
    assert seen["code"] == 0
    assert seen["show"] == [] and seen["loaded"] == []


def test_search_by_initials_works_before_the_warm_up(qtbot, window, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from gridvisit.core import search

    page = window.households
    page.warm_up_delay_ms = 60_000  # the search comes first
    monkeypatch.setattr(search, "pinyin_loaded", lambda: False)
    rows = window.services.workspace.household_rows(window.scope())
    monkeypatch.undo()
    assert rows and not any(r.has_initials for r in rows)
    page.set_rows(rows)
    target = rows[len(rows) // 2]
    query = search.initials(target.head)[0]
    page.search.setText(query)
    shown = page.model.rows()
    assert target.id in {r.id for r in shown}
    assert all(r.has_initials for r in page.model.all_rows())


def test_the_warm_up_loads_the_initials_in_the_background(qtbot, window, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from gridvisit.core import search

    page = window.households
    page.warm_up_delay_ms = 0
    monkeypatch.setattr(search, "pinyin_loaded", lambda: False)
    rows = window.services.workspace.household_rows(window.scope())
    monkeypatch.undo()
    search.initials_text.cache_clear()
    page._warm_up = None
    page.set_rows(rows)
    qtbot.waitUntil(lambda: page._warm_up is not None, timeout=5000)
    page._warm_up.join(30)
    names = {n for r in rows for n in r.names}
    assert search.initials_text.cache_info().currsize >= len(names)


# -- the checks behind the window ---------------------------------------------------


def _used_file(tmp_path: Path, *, encrypted: bool = True) -> Path:
    """A demo file opened once on this computer, without today's backup."""
    from gridvisit.storage import backups
    from tests.reliability.conftest import PASSWORD, log_in

    path = tmp_path / "grid.db"
    generate_demo(path, households=30, weeks=3, password=PASSWORD, encrypted=encrypted)
    log_in(path, encrypted=encrypted).db.dispose()
    for b in backups.list_backups(path):
        backups._remove(b)
    return path


def test_the_window_says_saving_waits_and_the_backup_is_taken(
    qtbot, zh, tmp_path: Path, settings, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    import threading

    from gridvisit import app as app_module
    from gridvisit.core.auth import LoginThrottle, login
    from gridvisit.core.services import ServiceContext, Services
    from gridvisit.storage import backups, engine
    from gridvisit.ui.startup import StartupChecks
    from tests.reliability.conftest import PASSWORD

    path = _used_file(tmp_path)
    release = threading.Event()
    real_check = engine._quick_check

    def slow_check(*args: object, **kwargs: object) -> None:
        assert release.wait(30)
        real_check(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "_quick_check", slow_check)
    session = login(
        path,
        "admin",
        PASSWORD,
        encrypted=True,
        throttle=LoginThrottle(tmp_path / "t.json"),
        defer_checks=True,
    )
    window = app_module.build_main_window(
        session.db, Services(ServiceContext(session.db, session.actor)), settings
    )
    qtbot.addWidget(window)
    checks = StartupChecks(session, window)
    checks.attach(window)
    checks.start()
    try:
        window.show()
        qtbot.waitUntil(window.is_loaded, timeout=20_000)  # on screen, the check still running
        assert session.db.writes_held()
        notes = [w.text() for w in window.statusBar().findChildren(QLabel) if w.isVisible()]
        assert any("保存" in n and "备份" in n for n in notes), notes
        assert not window.act_visit.isEnabled() and not window.act_new_household.isEnabled()
        with qtbot.waitSignal(checks.done, timeout=30_000) as blocker:
            release.set()
        assert blocker.args == [[]]
        assert window.act_visit.isEnabled() and window.act_new_household.isEnabled()
        assert not session.db.writes_held()
        assert [b.reason for b in backups.list_backups(path)] == [backups.Reason.DAILY]
    finally:
        release.set()
        checks.stop()
        window.tasks.wait(5000)
        session.db.dispose()


def test_a_damaged_file_found_behind_the_window_ends_the_screenshot_run(tmp_path: Path) -> None:
    from gridvisit.storage import backups
    from tests.reliability.conftest import PASSWORD
    from tests.reliability.test_damage import damage, key_of

    path = _used_file(tmp_path)
    damage(path, key_of(path))
    before = path.read_bytes()[4096:]
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "GRIDVISIT_USER": "admin",
        "GRIDVISIT_PASSWORD": PASSWORD,
    }
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "gridvisit",
            "--db",
            str(path),
            "--screenshot",
            str(tmp_path / "s.png"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
    )
    assert result.returncode == 1
    assert "已损坏" in result.stderr
    assert path.read_bytes()[4096:] == before
    assert backups.list_backups(path) == []


def test_damage_behind_the_window_returns_to_a_login_that_checks_first(
    qapp, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from gridvisit import app as app_module

    calls: list[bool] = []

    def fake_session(*_a: object, restored_from: object = None, defer_checks: bool = True):  # type: ignore[no-untyped-def]
        calls.append(defer_checks)
        return (0, app_module.DAMAGED) if len(calls) == 1 else (0, None)

    monkeypatch.setattr(app_module, "_session", fake_session)
    path = tmp_path / "x.db"
    path.write_bytes(b"")
    assert app_module.run_gui(path, create=True) == 0
    assert calls == [True, False]


def test_forms_wait_for_the_start_up_check_instead_of_freezing_the_window(
    qtbot,
    window,
    services,
    monkeypatch,  # type: ignore[no-untyped-def]
) -> None:
    """While writes are held, the page buttons that open a form say to wait; no form
    opens whose save would block the GUI thread at the gate."""
    from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

    said: list[str] = []
    monkeypatch.setattr(
        QMessageBox, "information", staticmethod(lambda _p, _t, text: said.append(text))
    )
    db = services.ctx.db
    db.hold_writes()
    try:
        page = window.households
        for button in (page.visit_button, page.new_button, page.add_resident_button):
            button.click()
        assert len(said) == 3 and all("状态栏的提示消失后再试" in s for s in said)
        assert not [
            w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog) and w.isVisible()
        ]
    finally:
        db.release_writes()


def _deferred(path: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    from gridvisit.core.auth import LoginThrottle, login
    from tests.reliability.conftest import PASSWORD

    return login(
        path,
        "admin",
        PASSWORD,
        encrypted=True,
        throttle=LoginThrottle(tmp_path / "t.json"),
        defer_checks=True,
    )


def test_the_checks_start_once_the_first_paint_is_on_screen(
    qtbot, zh, tmp_path: Path, settings
) -> None:  # type: ignore[no-untyped-def]
    """On two cores the check of a big file took a core from the first paint's own
    queries: it starts when the tree and the first page are loaded."""
    from gridvisit import app as app_module
    from gridvisit.core.services import ServiceContext, Services
    from gridvisit.ui.startup import StartupChecks

    session = _deferred(_used_file(tmp_path), tmp_path)
    window = app_module.build_main_window(
        session.db, Services(ServiceContext(session.db, session.actor)), settings
    )
    qtbot.addWidget(window)
    checks = StartupChecks(session, window)
    checks.attach(window)
    started_when_loaded: list[bool] = []
    window.loaded.connect(lambda: started_when_loaded.append(checks.started))
    app_module._start_after_first_paint(checks, window)
    try:
        assert not checks.started
        window.show()
        qtbot.waitUntil(lambda: bool(started_when_loaded), timeout=20_000)
        assert started_when_loaded[0] is False  # the paint came first ...
        qtbot.waitUntil(lambda: checks.finished, timeout=30_000)  # ... then the checks ran
        assert checks.damage is None and not session.db.check_pending
        assert not session.db.writes_held()
    finally:
        checks.stop()
        window.tasks.wait(5000)
        session.db.dispose()


def test_a_first_paint_that_never_comes_does_not_keep_the_file_unchecked(
    qtbot, zh, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QObject, Signal

    from gridvisit import app as app_module
    from gridvisit.ui.startup import StartupChecks

    class NeverLoads(QObject):
        loaded = Signal()

    monkeypatch.setattr(app_module, "CHECKS_AFTER_PAINT_MAX_MS", 100)
    session = _deferred(_used_file(tmp_path), tmp_path)
    checks = StartupChecks(session)
    try:
        with qtbot.waitSignal(checks.done, timeout=30_000):
            app_module._start_after_first_paint(checks, NeverLoads())
        assert not session.db.writes_held() and not session.db.check_pending
    finally:
        checks.stop()
        session.db.dispose()


def test_closing_before_the_checks_started_refuses_saves_at_once(
    tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """The window closed before its first paint: the check never ran, so nothing may
    be written, and a save must say so at once instead of waiting at the gate."""
    import time

    from gridvisit.core.errors import StorageError
    from gridvisit.storage import backups, engine
    from gridvisit.ui.startup import StartupChecks

    monkeypatch.setattr(engine, "WRITE_GATE_TIMEOUT_S", 20)
    path = _used_file(tmp_path)
    session = _deferred(path, tmp_path)
    checks = StartupChecks(session)
    try:
        checks.stop()
        started = time.monotonic()
        with pytest.raises(StorageError, match="禁止保存"):
            session.db.set_setting("probe", "x")
        assert time.monotonic() - started < 5
        assert backups.list_backups(path) == []
    finally:
        session.db.dispose()
    session = _deferred(path, tmp_path)  # the next start checks and backs up
    try:
        assert session.db.check_pending
    finally:
        session.db.dispose()
