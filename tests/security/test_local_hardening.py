"""Issue 16: attacks on one laptop (key slots, backups after encryption, the audit
tail, restore rights, file permissions). Each test attacks one promise of
docs/security.md, "Local hardening"."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gridvisit.core.auth import LoginThrottle, create_database, login
from gridvisit.core.enums import Role
from gridvisit.core.errors import AuthError
from gridvisit.core.services import ServiceContext, Services
from gridvisit.storage.keystore import KeyStore, Slot, keys_path

ADMIN_PW = "admin password 1"
WORKER_PW = "worker password 1"


def _throttle(tmp_path: Path) -> LoginThrottle:
    return LoginThrottle(tmp_path / "failures.json")


def _encrypted_with_worker(tmp_path: Path) -> Path:
    """An encrypted database with an admin and a grid worker, both with key slots."""
    path = tmp_path / "laptop.db"
    made = create_database(path, "admin", "管理员", ADMIN_PW, encrypted=True)
    try:
        services = Services(ServiceContext(made.db, made.actor))
        services.users.create("worker1", "网格员一", Role.GRID_WORKER, password=WORKER_PW)
    finally:
        made.db.dispose()
    return path


# -- 1. a key slot is not proof of the password ------------------------------------------


def test_a_forged_key_slot_does_not_log_in_as_its_user(tmp_path: Path) -> None:
    path = _encrypted_with_worker(tmp_path)
    # The worker opens their own slot and reseals the database key into the admin's
    # slot under a password of their choice.
    store = KeyStore.load(keys_path(path))
    key = store.unlock("worker1", WORKER_PW)
    store.slots["admin"] = Slot.seal("admin", "chosen by worker", key)
    store.save()
    with pytest.raises(AuthError, match="用户名或密码不正确"):
        login(path, "admin", "chosen by worker", encrypted=True, throttle=_throttle(tmp_path))
    # The worker still logs in as themself.
    own = login(path, "worker1", WORKER_PW, encrypted=True, throttle=_throttle(tmp_path))
    assert own.actor.role is Role.GRID_WORKER
    own.db.dispose()


# -- 2. no plain copy survives `encrypt`; no plain backup over an encrypted file ---------

PLANTED_ID = "11010519491231002X"


def _plant(path: Path, password: str, *, encrypted: bool) -> None:
    """A resident whose ID number we then look for in the raw bytes."""
    from gridvisit.core.records import ResidentInput

    session = login(
        path,
        "admin",
        password,
        encrypted=encrypted,
        throttle=LoginThrottle(path.with_name("t.json")),
    )
    try:
        services = Services(ServiceContext(session.db, session.actor))
        c = services.hierarchy.add_community("测试社区")
        g = services.hierarchy.add_grid(c.id, "测试网格")
        bg = services.hierarchy.add_building_group(g.id, "测试楼")
        resident = ResidentInput("欧阳秘密", id_number=PLANTED_ID, phone="13912345678")
        services.households.register(bg.id, "9", "", "909", residents=(resident,))
    finally:
        session.db.dispose()


def test_encrypt_leaves_no_plain_backup_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from gridvisit.cli import main
    from gridvisit.storage import backups

    path = tmp_path / "grid.db"
    monkeypatch.setenv("GRIDVISIT_PASSWORD", "demo password 1")
    argv = ["--no-encryption", "demo", "--db", str(path), "--households", "20", "--weeks", "2"]
    assert main(argv) == 0
    _plant(path, "demo password 1", encrypted=False)
    assert main(["--no-encryption", "backup", "create", "--db", str(path)]) == 0
    assert main(["--no-encryption", "backup", "create", "--db", str(path)]) == 0
    before = backups.list_backups(path)
    assert len(before) >= 2 and not any(b.encrypted for b in before)
    folder = backups.backup_dir(path)
    assert any(PLANTED_ID.encode() in f.read_bytes() for f in folder.iterdir() if f.is_file())

    assert main(["--user", "admin", "encrypt", "--db", str(path)]) == 0
    after = backups.list_backups(path)
    assert {b.path.name for b in after} >= {b.path.name for b in before}  # none lost
    assert all(b.encrypted for b in after)
    for f in folder.iterdir():
        if f.is_file():
            data = f.read_bytes()
            assert PLANTED_ID.encode() not in data, f.name
            assert not data.startswith(b"SQLite format 3"), f.name
    # Each converted backup still restores, with the converting user's password.
    out = capsys.readouterr().out
    assert "备份" in out
    oldest = after[-1]
    assert main(["--user", "admin", "backup", "restore", "--db", str(path), oldest.path.name]) == 0
    assert not path.read_bytes().startswith(b"SQLite format 3")
    assert main(["--user", "admin", "check", "--db", str(path)]) == 0


def test_a_plain_backup_is_never_restored_over_an_encrypted_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A plain backup that got there anyway (copied in, or from an older version)."""
    import shutil

    from gridvisit.cli import main
    from gridvisit.core import recovery
    from gridvisit.core.errors import EncryptedDatabaseError
    from gridvisit.storage import backups

    plain = tmp_path / "plain.db"
    create_database(plain, "admin", "管理员", ADMIN_PW, encrypted=False).db.dispose()
    path = _encrypted_with_worker(tmp_path)
    folder = backups.backup_dir(path)
    folder.mkdir(exist_ok=True)
    shutil.copyfile(plain, folder / "laptop-20260101-080000-manual.db")
    [stale] = backups.list_backups(path)
    assert not stale.encrypted
    before = path.read_bytes()
    with pytest.raises(EncryptedDatabaseError, match="未加密的备份"):
        recovery.restore(path, stale, "admin", ADMIN_PW, throttle=_throttle(tmp_path))
    monkeypatch.setenv("GRIDVISIT_PASSWORD", ADMIN_PW)
    argv = ["--user", "admin", "backup", "restore", "--db", str(path), stale.path.name]
    assert main(argv) == 1
    assert "未加密的备份" in capsys.readouterr().err
    assert main(["--user", "admin", "backup", "restore", "--db", str(path), "--latest"]) == 1
    assert path.read_bytes() == before and keys_path(path).exists()


def test_login_encrypts_plain_backups_an_older_version_left(tmp_path: Path) -> None:
    """Installations that ran `encrypt` before this fix still hold plain backups."""
    import shutil

    from gridvisit.core import recovery
    from gridvisit.storage import backups

    plain = tmp_path / "plain.db"
    create_database(plain, "admin", "管理员", ADMIN_PW, encrypted=False).db.dispose()
    _plant(plain, ADMIN_PW, encrypted=False)
    path = _encrypted_with_worker(tmp_path)
    folder = backups.backup_dir(path)
    folder.mkdir(exist_ok=True)
    shutil.copyfile(plain, folder / "laptop-20260101-080000-manual.db")
    # Converted by the first login of one of its users (they hold a password for
    # it); the worker was none, so it waits for the admin.
    worker = login(path, "worker1", WORKER_PW, encrypted=True, throttle=_throttle(tmp_path))
    worker.db.dispose()
    old = next(b for b in backups.list_backups(path) if b.reason is backups.Reason.MANUAL)
    assert not old.encrypted
    admin = login(path, "admin", ADMIN_PW, encrypted=True, throttle=_throttle(tmp_path))
    admin.db.dispose()
    old = next(b for b in backups.list_backups(path) if b.reason is backups.Reason.MANUAL)
    assert old.encrypted and PLANTED_ID.encode() not in old.path.read_bytes()
    assert not old.path.read_bytes().startswith(b"SQLite format 3")
    key = recovery.unlock_backup(old.path, "admin", ADMIN_PW)
    assert backups.quick_check(old.path, key) is None


# -- 3. the audit tail is checked before anything is appended ----------------------------


def _plain_with_history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from gridvisit.cli import main

    path = tmp_path / "plain.db"
    monkeypatch.setenv("GRIDVISIT_PASSWORD", ADMIN_PW)
    assert main(["--no-encryption", "init", "--db", str(path)]) == 0
    for _ in range(4):  # each login is an entry
        assert main(["--no-encryption", "audit", "list", "--db", str(path)]) == 0
    return path


def _delete_audit(path: Path, where: str) -> None:
    import sqlite3

    conn = sqlite3.connect(path)
    with conn:
        conn.execute("DROP TRIGGER audit_entry_no_delete")
        conn.execute(f"DELETE FROM audit_entry WHERE {where}")
    conn.close()


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("id = (SELECT max(id) FROM audit_entry)", "最后的第 5 条审计记录被删除"),
        ("id >= (SELECT max(id) - 1 FROM audit_entry)", "最后的第 4 至 5 条审计记录被删除"),
        ("1", "最后的第 1 至 5 条审计记录被删除"),
    ],
    ids=["last", "last-two", "all"],
)
def test_audit_verify_sees_deleted_newest_entries(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    where: str,
    expected: str,
) -> None:
    from gridvisit.cli import main

    path = _plain_with_history(tmp_path, monkeypatch)
    _delete_audit(path, where)
    capsys.readouterr()
    # `audit verify` logs in first; that login must not paper over the gap.
    assert main(["--no-encryption", "audit", "verify", "--db", str(path)]) == 1
    assert expected in capsys.readouterr().err
    assert main(["--no-encryption", "audit", "verify", "--db", str(path)]) == 1


def test_a_broken_audit_tail_stops_writes_says_why_and_the_admin_settles_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from gridvisit.cli import main
    from gridvisit.core.errors import AuditTailError

    path = _plain_with_history(tmp_path, monkeypatch)
    _delete_audit(path, "id >= (SELECT max(id) - 1 FROM audit_entry)")
    # Logging in still works (nobody is locked out of what is saved), with a warning;
    # every change is refused, saying what happened and what the admin does.
    session = login(path, "admin", ADMIN_PW, encrypted=False, throttle=_throttle(tmp_path))
    try:
        assert any("操作日志" in w and "audit accept-tail" in w for w in session.warnings)
        services = Services(ServiceContext(session.db, session.actor))
        with pytest.raises(AuditTailError, match="暂停保存") as refused:
            services.hierarchy.add_community("新社区")
        assert "gridvisit audit verify" in refused.value.hint
        assert [c.name for c in services.hierarchy.communities()] == []  # nothing half-done
    finally:
        session.db.dispose()
    capsys.readouterr()
    assert main(["--no-encryption", "audit", "list", "--db", str(path)]) == 0
    assert "audit accept-tail" in capsys.readouterr().err
    # A grid worker may not settle it; an admin may, and the gap stays on record.
    monkeypatch.setenv("GRIDVISIT_PASSWORD", ADMIN_PW)
    assert main(["--no-encryption", "audit", "accept-tail", "--db", str(path)]) == 0
    out = capsys.readouterr().out
    assert "第 4 至 5 条" in out
    assert main(["--no-encryption", "audit", "verify", "--db", str(path)]) == 0
    out = capsys.readouterr().out
    assert "第 4 至 5 条审计记录被删除" in out and "已由 admin" in out
    session = login(path, "admin", ADMIN_PW, encrypted=False, throttle=_throttle(tmp_path))
    try:
        assert session.warnings == []
        Services(ServiceContext(session.db, session.actor)).hierarchy.add_community("新社区")
    finally:
        session.db.dispose()
    assert main(["--no-encryption", "audit", "verify", "--db", str(path)]) == 0


# -- 4. restoring and the keep policy are an admin's; restore passwords are throttled -----

DEMO_PW = "demo password 1"


@pytest.fixture
def demo_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An encrypted demo database (admin, community1, worker1, ...) with one backup."""
    from gridvisit.demo.generate import generate_demo

    path = tmp_path / "grid.db"
    generate_demo(path, households=20, weeks=2, password=DEMO_PW, encrypted=True)
    monkeypatch.setenv("GRIDVISIT_PASSWORD", DEMO_PW)
    from gridvisit.cli import main

    assert main(["--user", "admin", "backup", "create", "--db", str(path)]) == 0
    return path


def test_a_grid_worker_can_neither_restore_nor_change_the_keep_policy(
    demo_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from gridvisit.cli import main
    from gridvisit.storage import backups

    path = demo_db
    [taken] = [b for b in backups.list_backups(path) if b.reason is backups.Reason.MANUAL]
    capsys.readouterr()
    worker = ["--user", "worker1", "backup"]
    assert main([*worker, "keep", "--db", str(path), "--daily", "1", "--weekly", "1"]) == 1
    assert "权限" in capsys.readouterr().err
    assert main([*worker, "restore", "--db", str(path), taken.path.name]) == 1
    assert "权限" in capsys.readouterr().err
    assert main([*worker, "restore", "--db", str(path), "--latest"]) == 1
    assert "权限" in capsys.readouterr().err
    replaced = backups.Reason.REPLACED
    assert not any(b.reason is replaced for b in backups.list_backups(path))  # nothing restored
    # The policy is what it was; a community admin may change it and restore.
    assert main(["--user", "admin", "backup", "keep", "--db", str(path)]) == 0
    assert "最近 7 天" in capsys.readouterr().out
    admin = ["--user", "community1", "backup"]
    assert main([*admin, "keep", "--db", str(path), "--daily", "3"]) == 0
    assert main([*admin, "restore", "--db", str(path), taken.path.name]) == 0


def test_the_window_offers_restore_and_keep_only_to_admins(demo_db: Path) -> None:
    from gridvisit.core.errors import PermissionDeniedError

    worker = login(demo_db, "worker1", DEMO_PW, encrypted=True, throttle=_throttle(demo_db.parent))
    try:
        services = Services(ServiceContext(worker.db, worker.actor))
        [taken, *_] = services.backups.list()
        with pytest.raises(PermissionDeniedError):
            services.backups.set_policy(1, 1)
        with pytest.raises(PermissionDeniedError):
            services.backups.unlock(taken, DEMO_PW)
        services.backups.create()  # backing up is still everybody's
    finally:
        worker.db.dispose()


def test_wrong_restore_passwords_are_throttled_like_logins(
    demo_db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from gridvisit.cli import main
    from gridvisit.storage import backups

    path = demo_db
    [taken] = [b for b in backups.list_backups(path) if b.reason is backups.Reason.MANUAL]
    monkeypatch.setenv("GRIDVISIT_PASSWORD", "guessed wrong 1")
    capsys.readouterr()
    messages = []
    for _ in range(8):
        assert (
            main(["--user", "admin", "backup", "restore", "--db", str(path), taken.path.name]) == 1
        )
        messages.append(capsys.readouterr().err)
    assert all("秒后再试" not in m for m in messages[:3])
    assert all("秒后再试" in m for m in messages[4:])
    # Throttled even with the right password, and counted with the logins.
    monkeypatch.setenv("GRIDVISIT_PASSWORD", DEMO_PW)
    assert main(["--user", "admin", "backup", "restore", "--db", str(path), taken.path.name]) == 1
    assert "秒后再试" in capsys.readouterr().err
    assert main(["--user", "admin", "audit", "list", "--db", str(path)]) == 1


def test_a_grid_worker_alone_with_a_damaged_file_can_still_recover_it(
    demo_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from gridvisit.cli import main
    from tests.reliability.test_damage import damage

    damage(demo_db, KeyStore.load(keys_path(demo_db)).unlock("admin", DEMO_PW))
    assert main(["--user", "worker1", "audit", "list", "--db", str(demo_db)]) == 1
    assert main(["--user", "worker1", "backup", "restore", "--db", str(demo_db), "--latest"]) == 0
    assert main(["--user", "worker1", "check", "--db", str(demo_db)]) == 0


# -- 7. owner-only files; no preview outlives the process ---------------------------------

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def _everything(path: Path) -> dict[str, int]:
    """The database's own files and the backup folder with all it holds."""
    from gridvisit.storage import backups

    found = {}
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), keys_path(path)):
        if p.exists():
            found[p.name] = _mode(p)
    folder = backups.backup_dir(path)
    if folder.exists():
        found[folder.name + "/"] = _mode(folder)
        found.update({f"{folder.name}/{f.name}": _mode(f) for f in folder.iterdir()})
    return found


@posix_only
def test_database_key_file_wal_and_backups_are_owner_only(tmp_path: Path) -> None:
    from gridvisit.core import recovery
    from gridvisit.storage import backups

    path = _encrypted_with_worker(tmp_path)
    session = login(path, "admin", ADMIN_PW, encrypted=True, throttle=_throttle(tmp_path))
    try:
        Services(ServiceContext(session.db, session.actor)).hierarchy.add_community("甲社区")
        made = recovery.backup_now(session.db)
        assert made is not None
        files = _everything(path)  # while open: the WAL and its index exist
    finally:
        session.db.dispose()
    assert {"laptop.db", "laptop.db-wal", "laptop.db.keys", "laptop.db.backups/"} <= set(files)
    assert sum(name.endswith(".db.keys") for name in files) >= 3  # the backups' too
    assert {n: m for n, m in files.items() if m & 0o077} == {}, files
    assert files["laptop.db.backups/"] == 0o700
    recovery.restore(path, made, "admin", ADMIN_PW, throttle=_throttle(tmp_path))
    assert {n: m for n, m in _everything(path).items() if m & 0o077} == {}
    assert any(b.reason is backups.Reason.REPLACED for b in backups.list_backups(path))


@posix_only
def test_plain_database_and_encrypt_results_are_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "plain.db"
    create_database(path, "admin", "管理员", ADMIN_PW, encrypted=False).db.dispose()
    assert _mode(path) == 0o600
    from gridvisit.core.auth import encrypt_database

    encrypt_database(path, "admin", ADMIN_PW, throttle=_throttle(tmp_path))
    assert {n: m for n, m in _everything(path).items() if m & 0o077} == {}


@posix_only
def test_files_left_readable_by_an_older_version_are_tightened_on_open(tmp_path: Path) -> None:
    from gridvisit.core import recovery

    path = _encrypted_with_worker(tmp_path)
    session = login(path, "admin", ADMIN_PW, encrypted=True, throttle=_throttle(tmp_path))
    recovery.backup_now(session.db)
    session.db.dispose()
    for name in _everything(path):
        target = path.parent / name.rstrip("/")
        target.chmod(0o755 if target.is_dir() else 0o644)
    assert all(m & 0o044 for m in _everything(path).values())
    login(path, "worker1", WORKER_PW, encrypted=True, throttle=_throttle(tmp_path)).db.dispose()
    assert {n: m for n, m in _everything(path).items() if m & 0o077} == {}


def test_preview_and_screenshot_scratch_files_never_outlive_the_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Full-name previews are written to the app's private folder, not /tmp, in a
    folder named after the process; folders of processes that no longer run (a
    crash, a kill) are removed at the next start."""
    import subprocess
    import sys
    import tempfile

    from gridvisit import paths

    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    tempfile.tempdir = None  # pick up TMPDIR
    try:
        code = (
            "from gridvisit import paths; import os, sys; "
            "d = paths.scratch_dir('report'); (d / 'preview-1.pdf').write_bytes(b'%PDF'); "
            "print(d, flush=True); os._exit(9)"  # dies without cleaning up
        )
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        dead = Path(out.stdout.strip())
        assert dead.is_dir() and (dead / "preview-1.pdf").exists()
        assert not dead.is_relative_to(tmp_path / "tmp")  # not in the shared temp folder
        if os.name == "posix":
            assert _mode(dead.parent) == 0o700 and _mode(dead) == 0o700
        mine = paths.scratch_dir("report")
        paths.sweep_scratch()  # what every start does
        assert not dead.exists()
        assert mine.exists()  # this process still runs
        assert not list((tmp_path / "tmp").glob("gridvisit-*"))
    finally:
        tempfile.tempdir = None


def test_what_encrypt_cannot_convert_is_named_and_wiped_on_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from gridvisit.cli import main
    from gridvisit.storage import backups

    path = tmp_path / "grid.db"
    monkeypatch.setenv("GRIDVISIT_PASSWORD", ADMIN_PW)
    assert main(["--no-encryption", "init", "--db", str(path)]) == 0
    _plant(path, ADMIN_PW, encrypted=False)
    assert main(["--no-encryption", "backup", "create", "--db", str(path)]) == 0
    folder = backups.backup_dir(path)
    [manual] = [b for b in backups.list_backups(path) if b.reason is backups.Reason.MANUAL]
    stray = folder / f"{manual.path.stem}.orphan-wal"  # a WAL whose file went away
    stray.write_bytes(b"WAL " + PLANTED_ID.encode())
    capsys.readouterr()
    assert main(["encrypt", "--db", str(path)]) == 0
    err = capsys.readouterr().err
    assert stray.name in err and "--wipe-leftovers" in err
    assert stray.exists() and backups.list_backups(path)[0].encrypted
    # Run again, as the message says: the database is encrypted by now.
    assert main(["encrypt", "--db", str(path), "--wipe-leftovers"]) == 0
    assert not stray.exists()
    assert backups.plain_leftovers(path) == []
    assert all(b.encrypted for b in backups.list_backups(path))


def test_with_a_broken_audit_tail_nothing_is_done_that_could_not_be_audited(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Imports, exports, merges, key changes and backups write their audit entry
    after the work: they are refused before it, never done and then reported as
    failed."""
    from openpyxl import Workbook

    from gridvisit.core.errors import AuditTailError
    from gridvisit.storage import backups

    path = _plain_with_history(tmp_path, monkeypatch)
    roster = tmp_path / "roster.xlsx"
    wb = Workbook()
    wb.active.append(["社区", "网格", "楼栋党小组", "楼栋", "室", "姓名"])
    wb.active.append(["新社区", "新网格", "1号楼", "1", "101", "张三"])
    wb.save(roster)
    _delete_audit(path, "id = (SELECT max(id) FROM audit_entry)")
    session = login(path, "admin", ADMIN_PW, encrypted=False, throttle=_throttle(tmp_path))
    try:
        services = Services(ServiceContext(session.db, session.actor))
        before = backups.list_backups(path)
        for attempt, leaves in (
            (lambda: services.exchange.import_roster(roster), None),
            (
                lambda: services.exchange.export_ledger(
                    "households", tmp_path / "u.xlsx", masked=False
                ),
                tmp_path / "u.xlsx",
            ),
            (lambda: services.keys.create(tmp_path / "k.pub", "电脑"), tmp_path / "k.pub"),
            (lambda: services.exchange.merge_file(tmp_path / "none.gvpkg"), None),
            (services.backups.create, None),
        ):
            with pytest.raises(AuditTailError):
                attempt()
            assert leaves is None or not leaves.exists()
        assert services.hierarchy.communities() == []
        assert backups.list_backups(path) == before
    finally:
        session.db.dispose()
