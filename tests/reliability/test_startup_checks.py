"""The checks behind the first paint (issue 18): a login with `defer_checks` returns
before quick_check and the daily backup, and every promise still holds: damage is
found before anything is written, the daily backup is taken, writes wait for both."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from gridvisit.core.auth import Login, LoginThrottle, finish_login, login
from gridvisit.core.errors import DatabaseCorruptError
from gridvisit.storage import backups, engine
from gridvisit.storage.models import AuditEntry, Setting
from tests.reliability.conftest import PASSWORD, dump, log_in
from tests.reliability.test_damage import damage, key_of


def deferred_login(path: Path, encrypted: bool) -> Login:
    throttle = LoginThrottle(path.with_name("throttle.json"))
    return login(path, "admin", PASSWORD, encrypted=encrypted, throttle=throttle, defer_checks=True)


@pytest.fixture
def used(demo: tuple[Path, bool]) -> tuple[Path, bool]:
    """A demo file after its first login (bound to this computer, backed up once),
    with its backups removed so that the next start is the first of the day."""
    path, encrypted = demo
    session = log_in(path, encrypted=encrypted)
    session.db.dispose()
    for b in backups.list_backups(path):
        backups._remove(b)
    assert backups.backup_due_today(path)
    return path, encrypted


def _audit_count(path: Path, key: bytes | None) -> int:
    """Entries in the audit log, the WAL included (read past a damaged visit table)."""
    conn = engine.connect_raw(path, key, readonly=True)
    try:
        return int(conn.execute("SELECT count(*) FROM audit_entry").fetchone()[0])
    finally:
        conn.close()


def test_the_login_returns_before_the_check_and_holds_writes(used: tuple[Path, bool]) -> None:
    path, encrypted = used
    session = deferred_login(path, encrypted)
    try:
        assert session.pending is not None and session.db.check_pending
        assert session.db.writes_held()
        assert backups.list_backups(path) == []  # the daily backup comes later
        warnings = finish_login(session)
        assert warnings == []
        assert not session.db.writes_held() and not session.db.check_pending
        made = backups.list_backups(path)
        assert [b.reason for b in made] == [backups.Reason.DAILY]
        with session.db.read_session() as s:
            last = s.scalar(select(AuditEntry.action).order_by(AuditEntry.id.desc()).limit(1))
        assert last == "user.login"  # recorded once the file passed its check
    finally:
        session.db.dispose()


def test_a_damaged_file_is_caught_before_any_write(used: tuple[Path, bool]) -> None:
    path, encrypted = used
    key = key_of(path)
    audits = _audit_count(path, key)
    damage(path, key)
    before = path.read_bytes()
    session = deferred_login(path, encrypted)  # the window would open now
    try:
        with pytest.raises(DatabaseCorruptError) as caught:
            finish_login(session)
        assert "已损坏" in caught.value.message
        assert session.db.damaged and not session.db.writes_held()
        with pytest.raises(DatabaseCorruptError):  # and every later write is refused
            session.db.set_setting("after.damage", "1")
    finally:
        session.db.dispose()
    # Page 1 aside (SQLCipher may rewrite it with a fresh IV), not a byte changed:
    # no login entry, no daily backup of a damaged file.
    assert path.read_bytes()[4096:] == before[4096:]
    if not encrypted:
        assert path.read_bytes() == before
    assert backups.list_backups(path) == []
    assert _audit_count(path, key) == audits


def test_writes_wait_for_the_check_and_the_daily_backup(
    used: tuple[Path, bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, encrypted = used
    release = threading.Event()
    real_check = engine._quick_check

    def slow_check(*args: object, **kwargs: object) -> None:
        assert release.wait(30)
        real_check(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "_quick_check", slow_check)
    session = deferred_login(path, encrypted)
    db = session.db
    wrote = threading.Event()

    def write() -> None:
        db.set_setting("saved.early", "1")  # a user who saves at once
        wrote.set()

    writer = threading.Thread(target=write)
    checker = threading.Thread(target=finish_login, args=(session,))
    try:
        checker.start()
        writer.start()
        time.sleep(0.3)
        assert not wrote.is_set()  # held while the check runs
        with db.read_session() as s:
            assert s.get(Setting, "saved.early") is None
        release.set()
        checker.join(60)
        writer.join(60)
        assert wrote.is_set()
    finally:
        release.set()
        db.dispose()
    made = backups.list_backups(path)
    assert [b.reason for b in made] == [backups.Reason.DAILY]
    # The backup is the file as it was before the first write of the day.
    assert "saved.early" not in str(dump(made[0].path, key_of(path))["setting"])
    assert "saved.early" in str(dump(path, key_of(path))["setting"])


def test_an_abandoned_daily_backup_leaves_nothing_and_the_next_start_takes_it(
    used: tuple[Path, bool],
) -> None:
    path, encrypted = used
    session = deferred_login(path, encrypted)
    try:
        finish_login(session, cancelled=lambda: True)  # the window closed at once
    finally:
        session.db.dispose()
    assert backups.list_backups(path) == []
    assert not list(backups.backup_dir(path).glob("*.tmp"))
    session = deferred_login(path, encrypted)
    try:
        finish_login(session)
    finally:
        session.db.dispose()
    assert [b.reason for b in backups.list_backups(path)] == [backups.Reason.DAILY]


def test_a_cancelled_backup_stops_between_steps(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import sqlite3

    from gridvisit.storage import sqlite

    src = tmp_path / "big.db"
    conn = sqlite3.connect(src)
    conn.execute("CREATE TABLE t (x BLOB)")
    conn.executemany("INSERT INTO t VALUES (?)", [(b"x" * 4000,) for _ in range(400)])
    conn.commit()
    conn.close()
    monkeypatch.setattr(sqlite, "BACKUP_STEP_PAGES", 16)
    steps: list[int] = []

    def cancelled() -> bool:
        steps.append(1)
        return len(steps) >= 3

    with pytest.raises(sqlite.BackupCancelled):
        sqlite.backup_sqlite(src, tmp_path / "copy.db", cancelled=cancelled)
    assert len(steps) == 3
    assert not (tmp_path / "copy.db").exists() and not (tmp_path / "copy.db.tmp").exists()
    sqlite.backup_sqlite(src, tmp_path / "copy.db", cancelled=lambda: False)
    with sqlite3.connect(tmp_path / "copy.db") as copy:
        assert copy.execute("SELECT count(*) FROM t").fetchone() == (400,)


def test_an_open_that_must_write_checks_first(demo: tuple[Path, bool]) -> None:
    # A file never opened on this computer gets its binding written at once: the
    # check cannot wait, and damage is refused at the login as before.
    path, encrypted = demo
    damage(path, key_of(path))
    with pytest.raises(DatabaseCorruptError):
        deferred_login(path, encrypted)
    assert backups.list_backups(path) == []


def test_without_defer_the_login_checks_and_backs_up_as_before(used: tuple[Path, bool]) -> None:
    path, encrypted = used
    session = log_in(path, encrypted=encrypted)
    try:
        assert session.pending is None and not session.db.writes_held()
        assert [b.reason for b in backups.list_backups(path)] == [backups.Reason.DAILY]
        with session.db.read_session() as s:
            assert s.scalar(select(func.count()).select_from(AuditEntry)) > 0
    finally:
        session.db.dispose()


def test_a_check_that_cannot_finish_refuses_every_write(
    used: tuple[Path, bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A disk or network error during the deferred check is not damage, but the file
    was never checked: the writes must not be let through afterwards."""
    from sqlalchemy.exc import OperationalError

    from gridvisit.core.errors import StorageError

    path, encrypted = used
    key = key_of(path)
    audits = _audit_count(path, key)
    session = deferred_login(path, encrypted)
    try:

        def io_error(_engine: object, _path: object, **_kwargs: object) -> None:
            raise OperationalError("PRAGMA quick_check", {}, Exception("disk I/O error"))

        monkeypatch.setattr(engine, "_quick_check", io_error)
        with pytest.raises(StorageError):
            finish_login(session)
        assert not session.db.writes_held()  # nobody is left waiting ...
        with pytest.raises(StorageError, match="禁止保存"):
            session.db.set_setting("probe", "x")  # ... but nothing gets written
        assert backups.list_backups(path) == []
    finally:
        session.db.dispose()
    assert _audit_count(path, key) == audits


def test_a_save_waits_for_the_checks_only_so_long(
    used: tuple[Path, bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A backup stalled on a network drive must not hang a save (and the window that
    made it) for ever: the save is refused with a message that says to retry."""
    from gridvisit.core.errors import StorageError

    path, encrypted = used
    session = deferred_login(path, encrypted)
    try:
        monkeypatch.setattr(engine, "WRITE_GATE_TIMEOUT_S", 0.2)
        started = time.monotonic()
        with pytest.raises(StorageError, match="暂时不能保存"):
            session.db.set_setting("probe", "x")
        assert time.monotonic() - started < 5
        finish_login(session)  # the checks still finish afterwards, and saving works
        session.db.set_setting("probe", "x")
    finally:
        session.db.dispose()


def _endless_check(eng: Any, _path: Path, running: Any = None) -> None:
    """Stands in for quick_check on a huge file: a real statement on the real
    connection that only sqlite3's interrupt stops (counting to 10**12)."""
    with eng.connect() as conn:
        running(conn.connection.dbapi_connection)
        try:
            conn.exec_driver_sql(
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c"
                " WHERE x < 1000000000000) SELECT count(*) FROM c"
            ).all()
        finally:
            running(None)


def test_closing_the_window_interrupts_a_long_check_and_nothing_is_written(
    used: tuple[Path, bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Closing right after the start must not wait for the check of a big file (about
    a second at 30k households, encrypted). The check is stopped, not skipped: the
    file stays unchecked, nothing is written, and the next start checks it again."""
    from gridvisit.core.errors import StorageError
    from gridvisit.ui.startup import StartupChecks

    path, encrypted = used
    key = key_of(path)
    audits = _audit_count(path, key)
    monkeypatch.setattr(engine, "_quick_check", _endless_check)
    session = deferred_login(path, encrypted)
    checks = StartupChecks(session)
    checks.start()
    try:
        deadline = time.monotonic() + 10
        while session.db._checking is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert session.db._checking is not None, "the check never started"
        started = time.monotonic()
        checks.stop(timeout=10)  # what closing the window does
        assert time.monotonic() - started < 5
        assert not checks._thread.is_alive()
        assert checks.damage is None  # stopped, not found damaged
        with pytest.raises(StorageError, match="禁止保存"):
            session.db.set_setting("probe", "x")
        assert backups.list_backups(path) == []
    finally:
        checks.stop(timeout=10)
        session.db.dispose()
    assert _audit_count(path, key) == audits
    monkeypatch.undo()
    session = deferred_login(path, encrypted)  # the next start checks and backs up
    try:
        assert session.db.check_pending
        assert finish_login(session) == []
        assert not session.db.check_pending
    finally:
        session.db.dispose()
    assert [b.reason for b in backups.list_backups(path)] == [backups.Reason.DAILY]


def test_a_check_abandoned_before_it_began_does_not_start(
    used: tuple[Path, bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window closed before the check thread reached the check: it must not start
    afterwards and hold the closing app for its whole length."""
    from gridvisit.core.errors import StorageError

    path, encrypted = used
    monkeypatch.setattr(engine, "_quick_check", _endless_check)
    session = deferred_login(path, encrypted)
    try:
        session.db.interrupt_check()
        started = time.monotonic()
        with pytest.raises(StorageError, match="已取消"):
            finish_login(session)
        assert time.monotonic() - started < 5
        with pytest.raises(StorageError, match="禁止保存"):
            session.db.set_setting("probe", "x")
    finally:
        session.db.dispose()
