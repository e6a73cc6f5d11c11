"""SQLite files below SQLAlchemy: telling plain from encrypted files, raw DB-API
connections (checks, backups), consistent copies through the backup API and the
in-place conversion to SQLCipher. The engine (engine.py) and the backups
(backups.py) both stand on this module, so neither needs the other's internals."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from gridvisit.core.files import copy_private, create_private_file
from gridvisit.storage.keystore import keys_path

SQLITE_HEADER = b"SQLite format 3\x00"


def is_plain_sqlite(path: Path) -> bool:
    """True for an existing plain (unencrypted) SQLite file."""
    if not path.is_file():  # a pipe would block the open below forever
        return False
    try:
        with path.open("rb") as fh:
            return fh.read(len(SQLITE_HEADER)) == SQLITE_HEADER
    except OSError:
        return False


def is_encrypted_database(path: Path) -> bool:
    """An existing, non-empty file that is not plain SQLite but has a key file beside it."""
    return (
        path.is_file()
        and path.stat().st_size > 0
        and not is_plain_sqlite(path)
        and keys_path(path).exists()
    )


def raw_key_pragma(key: bytes) -> str:
    # A raw key skips SQLCipher's own PBKDF2: the key already comes from argon2id.
    return f"PRAGMA key = \"x'{key.hex()}'\""


def connect_raw(path: Path, key: bytes | None, *, readonly: bool = False) -> sqlite3.Connection:
    """A DB-API connection outside SQLAlchemy (checks, backups): sqlite3 for a plain
    file, sqlcipher3 with the raw key for an encrypted one."""
    target = f"file:{Path(path).resolve()}" + ("?mode=ro" if readonly else "")
    if key is None:
        return sqlite3.connect(target, uri=True)
    import sqlcipher3

    conn = sqlcipher3.connect(target, uri=True)
    conn.execute("PRAGMA cipher_log_level = NONE")
    conn.execute(raw_key_pragma(key))
    return conn


def driver_errors() -> tuple[type[Exception], ...]:
    """What either driver raises: sqlcipher3's errors do not derive from sqlite3's, so
    `except sqlite3.Error` alone misses every failure on an encrypted file."""
    import sqlcipher3

    return (sqlite3.Error, sqlcipher3.Error)


class BackupCancelled(Exception):
    """A backup was stopped half-way (the app closed): no copy was made."""


BACKUP_STEP_PAGES = 2048  # pages copied between two looks at `cancelled`


def backup_sqlite(
    source: Path,
    dest: Path,
    key: bytes | None = None,
    *,
    cancelled: Callable[[], bool] | None = None,
) -> Path:
    """Consistent copy of a live SQLite file through the backup API, written atomically.
    An encrypted database is copied encrypted, with its key file beside the copy.
    Both are owner-only. When `cancelled` returns true between two steps, the copy is
    abandoned (nothing is left behind) and BackupCancelled is raised."""
    tmp = dest.with_name(dest.name + ".tmp")
    tmp.unlink(missing_ok=True)
    create_private_file(tmp)
    src = connect_raw(source, key, readonly=True)
    dst = connect_raw(tmp, key)

    def progress(_status: int, _remaining: int, _total: int) -> None:
        if cancelled is not None and cancelled():
            raise BackupCancelled

    try:
        try:
            if cancelled is None:
                src.backup(dst)
            else:
                src.backup(dst, pages=BACKUP_STEP_PAGES, progress=progress)
        finally:
            dst.close()
    except BackupCancelled:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        src.close()
    if key is not None:
        copy_private(keys_path(source), keys_path(dest))
    os.replace(tmp, dest)
    return dest


def encrypt_in_place(
    path: Path,
    key: bytes,
    before_swap: Callable[[], None],
    adjust: Callable[[Any], None] | None = None,
) -> None:
    """Replace a plain SQLite file with an encrypted copy (raw `key`).

    The copy is written beside it with `sqlcipher_export`; `adjust`, if given, gets
    a connection to the encrypted copy (to change it before it is used); `before_swap`
    (writing the key file) runs next; only then does the copy replace the original,
    so an interruption leaves the plain file as it was. The old blocks are not wiped."""
    import sqlcipher3

    temp = path.with_name(f".{path.name}.encrypting")
    temp.unlink(missing_ok=True)
    create_private_file(temp)
    conn = sqlcipher3.connect(str(path))
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute(f"ATTACH DATABASE ? AS encrypted KEY \"x'{key.hex()}'\"", (str(temp),))
        conn.execute("SELECT sqlcipher_export('encrypted')")
        conn.execute("DETACH DATABASE encrypted")
    finally:
        conn.close()
    try:
        if adjust is not None:
            copy = connect_raw(temp, key)
            try:
                with copy:
                    adjust(copy)
            finally:
                copy.close()
        before_swap()
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    # Checkpointed (TRUNCATE) above, so the old WAL holds nothing left to apply.
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    os.replace(temp, path)
