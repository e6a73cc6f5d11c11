"""Rotating backups through the SQLite backup API, and restoring them exactly."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from gridvisit.core import recovery
from gridvisit.core.auth import LoginThrottle
from gridvisit.core.clock import utcnow
from gridvisit.core.errors import AuthError, StorageError
from gridvisit.core.records import ProblemInput, VisitInput
from gridvisit.core.services import ServiceContext, Services
from gridvisit.storage import backups
from gridvisit.storage.backups import Backup, BackupPolicy, Reason
from gridvisit.storage.keystore import keys_path
from gridvisit.storage.models import Household
from tests.reliability.conftest import PASSWORD, dump, log_in


def _throttle(path: Path) -> LoginThrottle:
    return LoginThrottle(path.with_name("throttle.json"))


def _save_visit(services: Services, note: str) -> None:
    with services.ctx.read() as s:
        household = s.scalars(select(Household.id)).first()
    assert household is not None
    services.visits.record(
        VisitInput(
            household_id=household,
            visited_at=utcnow(),
            notes=note,
            problems=(ProblemInput("elevator", note),),
        )
    )


def test_restore_gives_back_exactly_the_data_backed_up(demo: tuple[Path, bool]) -> None:
    path, encrypted = demo
    session = log_in(path, encrypted=encrypted)
    services = Services(ServiceContext(session.db, session.actor))
    taken = recovery.backup_now(session.db)
    assert taken is not None and taken.encrypted == encrypted
    key = session.db.key
    session.db.dispose()
    before = dump(path, key)
    assert dump(taken.path, key) == before  # the copy is the database, row for row

    session = log_in(path, encrypted=encrypted)
    services = Services(ServiceContext(session.db, session.actor))
    _save_visit(services, "备份之后的走访")
    session.db.dispose()
    assert dump(path, key) != before

    replaced = recovery.restore(path, taken, "admin", PASSWORD, throttle=_throttle(path))
    assert dump(path, key) == before  # every row of every table, not only counts
    # The file it replaced is kept, with the visit saved after the backup.
    assert replaced is not None and replaced.reason is Reason.REPLACED
    assert any("备份之后的走访" in str(row) for row in dump(replaced.path, key)["visit"])
    assert not Path(f"{path}-wal").exists() or Path(f"{path}-wal").stat().st_size == 0
    log_in(path, encrypted=encrypted).db.dispose()  # and it opens normally


def test_restore_needs_a_password_of_the_backup(demo: tuple[Path, bool]) -> None:
    path, encrypted = demo
    session = log_in(path, encrypted=encrypted)
    taken = recovery.backup_now(session.db)
    session.db.dispose()
    assert taken is not None
    with pytest.raises(AuthError):
        recovery.restore(path, taken, "admin", "wrong-password", throttle=_throttle(path))


def test_a_damaged_backup_is_not_restored(tmp_path: Path) -> None:
    from tests.reliability.test_damage import damage

    path = tmp_path / "grid.db"
    from gridvisit.demo.generate import generate_demo

    generate_demo(path, households=30, weeks=3, password=PASSWORD)
    session = log_in(path, encrypted=False)
    good = recovery.backup_now(session.db)
    session.db.dispose()
    assert good is not None
    bad_path = good.path.with_name(good.path.name.replace("manual", "merge"))
    os.replace(good.path, bad_path)
    damage(bad_path, None)
    bad = next(b for b in backups.list_backups(path) if b.path == bad_path)
    with pytest.raises(StorageError, match=r"备份.*已损坏"):
        recovery.restore(path, bad, "admin", PASSWORD, throttle=_throttle(path))


def test_rotation_keeps_the_last_days_and_weeks(tmp_path: Path) -> None:
    path = tmp_path / "grid.db"
    from gridvisit.storage import open_database

    open_database(path, create=True).dispose()
    start = datetime(2026, 9, 1, 8, 0)  # a Tuesday
    made = []
    for day in range(60):
        for hour in (8, 17):  # two backups a day: the later one is that day's
            now = start + timedelta(days=day, hours=hour - 8)
            made.append(backups.create_backup(path, None, Reason.DAILY, now=now))
    manual = backups.create_backup(path, None, Reason.MANUAL, now=start)
    # A restore's replaced file, newest of its day: it must not take a daily slot.
    replaced = backups.create_backup(
        path, None, Reason.REPLACED, now=start + timedelta(days=59, hours=12)
    )
    removed = backups.prune(path, BackupPolicy(daily=5, weekly=3))
    kept = {b.path for b in backups.list_backups(path)}

    last_day = (start + timedelta(days=59)).date()
    expected: set[Path] = {manual.path, replaced.path}  # never deleted automatically
    by_day: dict[object, Backup] = {}
    by_week: dict[object, Backup] = {}
    for b in made:  # oldest first, so later ones win
        by_day[b.taken_at.date()] = b
        by_week[b.taken_at.isocalendar()[:2]] = b
    expected |= {by_day[last_day - timedelta(days=d)].path for d in range(5)}
    expected |= {b.path for b in sorted(by_week.values(), key=lambda b: b.taken_at)[-3:]}
    assert kept == expected
    assert len(removed) == len(made) - (len(expected) - 2)
    assert all(not b.path.exists() for b in removed)


def test_policy_comes_from_settings_and_survives_nonsense() -> None:
    values = {backups.SETTING_DAILY: "3", backups.SETTING_WEEKLY: "many"}
    assert BackupPolicy.from_settings(values.get) == BackupPolicy(daily=3, weekly=4)


def test_first_start_of_a_day_backs_up_once(demo: tuple[Path, bool]) -> None:
    path, encrypted = demo
    for _ in range(3):
        log_in(path, encrypted=encrypted).db.dispose()
    daily = [b for b in backups.list_backups(path) if b.reason is Reason.DAILY]
    assert len(daily) == 1
    assert keys_path(daily[0].path).exists() == encrypted


def test_a_failed_daily_backup_warns_but_lets_the_user_work(
    demo: tuple[Path, bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    path, encrypted = demo

    def full_disk(*_a: object, **_k: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(backups, "backup_sqlite", full_disk)
    session = log_in(path, encrypted=encrypted)
    try:
        assert len(session.warnings) == 1 and "磁盘空间不足" in session.warnings[0]
        assert session.actor.username == "admin"
    finally:
        session.db.dispose()
    assert backups.list_backups(path) == []


def test_a_driver_error_on_an_encrypted_backup_is_a_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """sqlcipher3's errors are not sqlite3's: a failing encrypted backup must still
    end as the Chinese StorageError, with nothing half-written left behind."""
    import sqlcipher3

    from gridvisit.storage import open_database

    path = tmp_path / "grid.db"
    open_database(path, create=True).dispose()

    def failing(_src: Path, dest: Path, *_a: object, **_k: object) -> None:
        dest.with_name(dest.name + ".tmp").write_bytes(b"half")
        raise sqlcipher3.OperationalError("database or disk is full")

    monkeypatch.setattr(backups, "backup_sqlite", failing)
    with pytest.raises(StorageError, match="备份失败"):
        backups.create_backup(path, b"k" * 32, Reason.DAILY)
    assert not [p for p in backups.backup_dir(path).iterdir() if p.name.endswith(".tmp")]


def test_interrupted_backup_leaves_no_listed_copy(tmp_path: Path) -> None:
    path = tmp_path / "grid.db"
    from gridvisit.storage import open_database

    open_database(path, create=True).dispose()
    folder = backups.backup_dir(path)
    folder.mkdir()
    half = folder / "grid-20261101-080000-daily.db.tmp"
    half.write_bytes(b"SQLite format 3\x00 half")
    old = datetime(2026, 11, 1).timestamp()
    os.utime(half, (old, old))
    assert backups.list_backups(path) == []
    backups.create_backup(path, None, Reason.DAILY)
    backups.prune(path, BackupPolicy())
    assert not half.exists()


def test_interrupted_restore_is_finished_on_the_next_start(demo: tuple[Path, bool]) -> None:
    path, encrypted = demo
    session = log_in(path, encrypted=encrypted)
    taken = recovery.backup_now(session.db)
    key = session.db.key
    session.db.dispose()
    assert taken is not None
    expected = dump(taken.path, key)
    # The state between the two renames: the old file moved away, the restored copy
    # written beside it but not yet renamed.
    pending = path.with_name(f".{path.name}.restoring")
    backups.backup_sqlite(taken.path, pending, key)
    aside = backups.create_backup(path, key, Reason.REPLACED).path  # named as restore does
    os.replace(path, aside)
    Path(f"{path}-wal").write_bytes(b"the old file's WAL")  # not yet moved along
    assert not path.exists()
    log_in(path, encrypted=encrypted).db.dispose()
    assert not pending.exists()
    # The old WAL went with the old file instead of being replayed onto the new one.
    assert Path(f"{aside}-wal").read_bytes() == b"the old file's WAL"
    restored = dump(path, key)
    assert restored["household"] == expected["household"]


def test_merge_backs_up_first(tmp_path: Path) -> None:
    from gridvisit.app import build_services
    from gridvisit.storage import open_database
    from tests.conftest import link_for_exchange

    laptop = open_database(tmp_path / "laptop.db", create=True)
    sub = open_database(tmp_path / "sub.db", create=True)
    try:
        link_for_exchange(laptop, sub, communities=["桂花社区"])
        package = build_services(laptop).exchange.export_package(tmp_path / "p.gvpkg").path
        exchange = build_services(sub).exchange
        exchange.merge_file(package)
        exchange.merge_file(package, backup=False)
        assert [b.reason for b in backups.list_backups(sub.path)] == [Reason.MERGE]
    finally:
        laptop.dispose()
        sub.dispose()


def test_backups_use_the_backup_api_not_a_file_copy() -> None:
    """A copy of the live file can be torn by a concurrent writer; the source must
    go through sqlite3's backup (backup_sqlite) only."""
    import re

    source = Path(backups.__file__).read_text(encoding="utf-8")
    copies = re.findall(r"(?:shutil\.copy\w*|copy_private)\((\w+)", source)
    assert copies and set(copies) == {"keys_path"}  # only key files are copied as files
