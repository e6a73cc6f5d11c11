"""A damaged database is stopped on open and at the first sign of damage later."""

from __future__ import annotations

import random
from pathlib import Path
from typing import BinaryIO

import pytest

from gridvisit import cli
from gridvisit.core import recovery
from gridvisit.core.auth import LoginThrottle
from gridvisit.core.errors import DatabaseCorruptError
from gridvisit.storage import backups
from gridvisit.storage.engine import connect_raw
from tests.reliability.conftest import PASSWORD, dump, log_in


def damage(path: Path, key: bytes | None = None) -> None:
    """Overwrite the root pages of the visit and household tables, as a bad sector
    would. Everything is checkpointed into the main file first."""
    conn = connect_raw(path, key)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page = int(conn.execute("PRAGMA page_size").fetchone()[0])
        roots = [
            r[0]
            for r in conn.execute(
                "SELECT rootpage FROM sqlite_master WHERE name IN ('visit', 'household')"
            )
        ]
    finally:
        conn.close()
    # The same bytes every run: random ones sometimes made SQLite say "malformed" at
    # the first read instead of letting quick_check report the damage.
    noise = random.Random(20261202).randbytes(1024)
    with path.open("r+b") as fh:
        if key is None:  # a plain file: the rows may be below an interior root page
            roots += [_first_leaf(fh, page, root) for root in roots]
        for number in dict.fromkeys(roots):
            fh.seek((number - 1) * page + 24)
            fh.write(noise)


def _first_leaf(fh: BinaryIO, page_size: int, number: int) -> int:
    """The leftmost leaf under a table b-tree page of a plain SQLite file: an
    interior root's first 1 KB is mostly free space, a full leaf's holds rows."""
    while True:
        fh.seek((number - 1) * page_size)
        data = fh.read(page_size)
        if data[0] != 0x05:  # not an interior table page
            return number
        first_cell = int.from_bytes(data[12:14], "big")
        number = int.from_bytes(data[first_cell : first_cell + 4], "big")


def key_of(path: Path) -> bytes | None:
    from gridvisit.storage.keystore import KeyStore, keys_path

    if not keys_path(path).exists():
        return None
    return KeyStore.load(keys_path(path)).unlock("admin", PASSWORD)


def test_damage_is_found_on_open_and_nothing_is_written(demo: tuple[Path, bool]) -> None:
    path, encrypted = demo
    damage(path, key_of(path))
    before = path.read_bytes()
    with pytest.raises(DatabaseCorruptError) as caught:
        log_in(path, encrypted=encrypted)
    assert "已损坏" in caught.value.message and "backup restore" in caught.value.hint
    # Page 1 aside (SQLCipher may write it again with a fresh IV when it opens a
    # file), not a byte of the damaged file changed.
    assert path.read_bytes()[4096:] == before[4096:]
    if not encrypted:
        assert path.read_bytes() == before
    assert backups.list_backups(path) == []  # no "daily backup" of a damaged file


def test_cli_refuses_a_damaged_file_and_restores_the_newest_sound_backup(
    demo: tuple[Path, bool], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path, encrypted = demo
    monkeypatch.setenv("GRIDVISIT_PASSWORD", PASSWORD)
    flag = [] if encrypted else ["--no-encryption"]
    session = log_in(path, encrypted=encrypted)  # takes the daily backup
    key = session.db.key
    session.db.dispose()
    good = dump(path, key)
    damage(path, key)
    assert cli.main(["audit", "list", "--db", str(path), *flag]) == 1
    assert "已损坏" in capsys.readouterr().err

    assert cli.main(["backup", "restore", "--db", str(path), "--latest", *flag]) == 0
    out = capsys.readouterr().out
    assert "已从备份恢复" in out
    restored = dump(path, key)
    # Equal except what the restore itself appended: its login and audit entry.
    assert {t: rows for t, rows in restored.items() if t not in ("audit_entry", "setting")} == {
        t: rows for t, rows in good.items() if t not in ("audit_entry", "setting")
    }
    actions = [row[5] for row in restored["audit_entry"]]
    assert actions[-1] == "backup.restore"
    assert cli.main(["check", "--db", str(path), *flag]) == 0
    replaced = [b for b in backups.list_backups(path) if b.reason is backups.Reason.REPLACED]
    assert len(replaced) == 1  # the damaged file is kept, not deleted


def test_check_reports_damage_without_writing_anything(
    demo: tuple[Path, bool], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path, encrypted = demo
    monkeypatch.setenv("GRIDVISIT_PASSWORD", PASSWORD)
    damage(path, key_of(path))
    before = path.read_bytes()
    flag = [] if encrypted else ["--no-encryption"]
    assert cli.main(["check", "--db", str(path), *flag]) == 1
    err = capsys.readouterr().err
    assert "完整性检查发现" in err and "处损坏,例如:" in err and "backup restore" in err
    assert len(err.splitlines()) < 8  # one finding shown, not fifty
    assert path.read_bytes() == before  # not even a login or a daily backup
    assert backups.list_backups(path) == []


def test_no_sound_backup_is_said_plainly(demo: tuple[Path, bool]) -> None:
    path, _encrypted = demo
    damage(path, key_of(path))
    with pytest.raises(DatabaseCorruptError, match="没有找到"):
        recovery.restore_newest_sound(
            path,
            "admin",
            PASSWORD,
            lambda _b: True,
            throttle=LoginThrottle(path.with_name("t.json")),
        )


def test_damage_found_while_working_blocks_further_writes(demo: tuple[Path, bool]) -> None:
    path, encrypted = demo
    session = log_in(path, encrypted=encrypted)
    db = session.db
    try:
        db.engine.dispose()
        damage(path, db.key)  # fresh connections read the damaged pages
        with pytest.raises(DatabaseCorruptError), db.read_session() as s:
            s.connection().exec_driver_sql("SELECT count(*), max(notes) FROM visit").all()
        assert db.damaged
        with pytest.raises(DatabaseCorruptError, match="禁止写入"):
            db.set_setting("anything", "x")
    finally:
        db.dispose()


def test_the_damage_helper_really_damages(demo: tuple[Path, bool]) -> None:
    path, encrypted = demo
    session = log_in(path, encrypted=encrypted)
    key = session.db.key
    session.db.dispose()
    assert backups.quick_check(path, key) is None
    damage(path, key)
    assert backups.quick_check(path, key) is not None
