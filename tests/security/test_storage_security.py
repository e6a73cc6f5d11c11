"""Encryption at rest and the tamper-evident audit log, at the storage level."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from gridvisit.core.errors import AuthError, EncryptedDatabaseError
from gridvisit.core.records import Actor, ResidentInput
from gridvisit.core.services import ServiceContext, Services
from gridvisit.core.services.users import ensure_default_admin
from gridvisit.storage import open_database
from gridvisit.storage.audit import verify_audit
from gridvisit.storage.keystore import KeyStore, keys_path

PLANTED_ID = "11010519491231002X"
PLANTED_PHONE = "13912345678"
PLANTED_NAME = "欧阳秘密"


def _fill(db) -> Services:  # type: ignore[no-untyped-def]
    actor = ensure_default_admin(ServiceContext(db, Actor(None, "system")))
    services = Services(ServiceContext(db, actor))
    c = services.hierarchy.add_community("和平社区")
    g = services.hierarchy.add_grid(c.id, "第一网格")
    bg = services.hierarchy.add_building_group(g.id, "1号楼党小组")
    services.households.register(
        bg.id,
        "1",
        "1",
        "101",
        residents=(ResidentInput(PLANTED_NAME, id_number=PLANTED_ID, phone=PLANTED_PHONE),),
    )
    return services


def _raw(path: Path) -> bytes:
    return path.read_bytes() if path.exists() else b""


def _leaks(data: bytes) -> list[str]:
    needles = [PLANTED_ID, PLANTED_PHONE, PLANTED_NAME]
    found = [n for n in needles if n.encode("utf-8") in data]
    # UTF-16 too: SQLite may store text that way.
    found += [n for n in needles if n.encode("utf-16-le") in data]
    return found


def test_encrypted_database_file_wal_and_backup_hold_no_plaintext(tmp_path: Path) -> None:
    path = tmp_path / "laptop.db"
    _store, key = KeyStore.create(keys_path(path), "admin", "correct horse 1")
    db = open_database(path, create=True, key=key)
    try:
        _fill(db)
        wal = path.with_name(path.name + "-wal")
        assert wal.exists() and wal.stat().st_size > 0  # the WAL is checked while it holds data
        assert _leaks(_raw(path)) == []
        assert _leaks(_raw(wal)) == []
        backup = db.backup_to(tmp_path / "laptop-backup.db")
    finally:
        db.dispose()
    assert not path.read_bytes().startswith(b"SQLite format 3")
    assert _leaks(_raw(path)) == []
    assert _leaks(_raw(backup)) == [] and not backup.read_bytes().startswith(b"SQLite format 3")
    # The backup opens with the password, through its own copy of the key file.
    key2 = KeyStore.load(keys_path(backup)).unlock("admin", "correct horse 1")
    db2 = open_database(backup, key=key2)
    try:
        services = Services(ServiceContext(db2, Actor(1, "admin")))
        names = [r.name for r in services.households.residents(1)]
        assert names == [PLANTED_NAME]
    finally:
        db2.dispose()


def test_the_same_data_unencrypted_does_leak(tmp_path: Path) -> None:
    """The check above can fail: on a plain file the planted values are found."""
    db = open_database(tmp_path / "plain.db", create=True)
    try:
        _fill(db)
    finally:
        db.dispose()
    assert PLANTED_ID in _leaks(_raw(tmp_path / "plain.db"))


def test_wrong_password_missing_key_file_and_no_key_fail_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "laptop.db"
    store, key = KeyStore.create(keys_path(path), "admin", "correct horse 1")
    open_database(path, create=True, key=key).dispose()
    with pytest.raises(AuthError, match="密码不正确"):
        store.unlock("admin", "wrong password")
    with pytest.raises(AuthError, match="密码不正确"):
        store.unlock("nobody", "correct horse 1")
    with pytest.raises(EncryptedDatabaseError, match="需要密码"):
        open_database(path)
    # A key file from another database: SQLCipher cannot decrypt, said in Chinese.
    _other, other_key = KeyStore.create(tmp_path / "other.keys", "admin", "x" * 10)
    with pytest.raises(EncryptedDatabaseError, match="无法用它的密钥文件解密"):
        open_database(path, key=other_key)
    keys_path(path).unlink()
    with pytest.raises(EncryptedDatabaseError, match="找不到它的密钥文件"):
        KeyStore.load(keys_path(path))


def test_password_change_rewraps_the_slot_only(tmp_path: Path) -> None:
    path = tmp_path / "laptop.db"
    store, key = KeyStore.create(keys_path(path), "admin", "first password")
    before = path.read_bytes() if path.exists() else b""
    store.set_slot("admin", "second password", key)
    store.set_slot("wang", "wang's password", key)
    again = KeyStore.load(keys_path(path))
    assert again.unlock("admin", "second password") == key
    assert again.unlock("wang", "wang's password") == key
    with pytest.raises(AuthError):
        again.unlock("admin", "first password")
    assert (path.read_bytes() if path.exists() else b"") == before


# -- audit log ------------------------------------------------------------------------


def _audited_db(tmp_path: Path) -> Path:
    db = open_database(tmp_path / "audit.db", create=True)
    try:
        services = _fill(db)
        for n in range(5):
            services.hierarchy.add_community(f"社区{n}")
    finally:
        db.dispose()
    return tmp_path / "audit.db"


def _verify(path: Path):  # type: ignore[no-untyped-def]
    db = open_database(path)
    try:
        with db.read_session() as s:
            return verify_audit(s)
    finally:
        db.dispose()


def _sqlite3(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path)
    with conn:
        for sql in statements:
            conn.execute(sql)
    conn.close()


def test_audit_log_is_append_only_inside_sqlite(tmp_path: Path) -> None:
    path = _audited_db(tmp_path)
    verdict = _verify(path)
    assert verdict.ok and verdict.entries >= 9
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        _sqlite3(path, "UPDATE audit_entry SET actor_name='x' WHERE id=3")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        _sqlite3(path, "DELETE FROM audit_entry WHERE id=3")


DROP = ("DROP TRIGGER audit_entry_no_update", "DROP TRIGGER audit_entry_no_delete")


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        ("UPDATE audit_entry SET actor_name='mallory' WHERE id=4", "第 4 条审计记录被改动"),
        ("UPDATE audit_entry SET detail='{}' WHERE id=2", "第 2 条审计记录被改动"),
        ("DELETE FROM audit_entry WHERE id=5", "第 5 条审计记录被删除"),
        ("DELETE FROM audit_entry WHERE id IN (3, 4)", "第 3 至 4 条审计记录被删除"),
        ("DELETE FROM audit_entry WHERE id=(SELECT max(id) FROM audit_entry)", "最后的第"),
    ],
)
def test_edited_or_deleted_audit_rows_are_detected(
    tmp_path: Path, tamper: str, expected: str
) -> None:
    path = _audited_db(tmp_path)
    _sqlite3(path, *DROP, tamper)
    verdict = _verify(path)
    assert not verdict.ok
    assert any(expected in p for p in verdict.problems), verdict.problems
