"""Backups as users meet them: the daily one on start, choosing and restoring one.

Restoring needs the password of a user of the backup: an encrypted backup opens only
with its own key slots, and a plain one is checked against its own user table. The
restored file is the database as it was then, passwords included.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path

from gridvisit.core.errors import AuthError, DatabaseCorruptError, StorageError
from gridvisit.storage.backups import (
    Backup,
    BackupPolicy,
    Reason,
    backup_due_today,
    list_backups,
    newest_sound_backup,
    restore_backup,
    rotate,
    stored_password,
)
from gridvisit.storage.engine import Database
from gridvisit.storage.keystore import KeyStore, keys_path

log = logging.getLogger(__name__)


def policy(db: Database) -> BackupPolicy:
    return BackupPolicy.from_settings(db.setting)


def backup_now(db: Database, reason: Reason = Reason.MANUAL) -> Backup | None:
    """Back up a SQLite file database (a server database has its own backups)."""
    if db.path is None or not db.is_sqlite:
        return None
    return rotate(db.path, db.key, reason, policy(db))


def daily_backup(db: Database) -> str | None:
    """The first start of a day backs the database up. Returns a warning to show when
    that failed: a full disk must not stop anyone working, but they must know."""
    if db.path is None or not backup_due_today(db.path):
        return None
    try:
        backup_now(db, Reason.DAILY)
    except StorageError as exc:
        log.warning("daily backup of %s failed: %s", db.path, exc)
        return f"今天的自动备份没有成功:{exc.message} {exc.hint}".strip()
    return None


def unlock_backup(backup: Path, username: str, password: str) -> bytes | None:
    """The key that opens `backup` (None for a plain file), if `username` with
    `password` was a user of it. Raises AuthError otherwise."""
    if keys_path(backup).exists():
        return KeyStore.load(keys_path(backup)).unlock(username, password)
    from gridvisit.core.auth import password_matches  # auth imports this module

    try:
        anyone, stored = stored_password(backup, username)
    except sqlite3.DatabaseError as exc:
        raise StorageError(f"无法读取备份“{backup.name}”:{exc}") from exc
    if not anyone:
        return None  # from before passwords: nothing to check
    if stored is None or not password_matches(stored, password):
        raise AuthError(
            f"用户名或密码不对,不能用备份“{backup.name}”恢复。",
            hint="请输入做这份备份时您的用户名和密码。",
        )
    return None


def find_backup(db_path: Path, name: str) -> Backup:
    for b in list_backups(db_path):
        if name in (b.path.name, str(b.path)):
            return b
    raise StorageError(
        f"找不到备份“{name}”。", hint="用 gridvisit backup list --db 数据库文件 查看有哪些备份。"
    )


def restore(db_path: Path, backup: Backup, username: str, password: str) -> Backup | None:
    """Restore a chosen backup, as `username`. The caller holds the instance lock."""
    key = unlock_backup(backup.path, username, password)
    return restore_backup(db_path, backup, key)


def restore_newest_sound(
    db_path: Path,
    username: str,
    password: str,
    confirm: Callable[[Backup], bool],
) -> Backup | None:
    """For a damaged database: find the newest backup that passes quick_check and
    opens for this user, ask `confirm`, restore it. Returns the restored backup, or
    None when the user declined."""
    found = newest_sound_backup(db_path, lambda b: unlock_backup(b.path, username, password))
    if found is None:
        raise DatabaseCorruptError(
            f"数据库“{db_path.name}”已损坏,而且没有找到能用您的密码打开的完好备份。",
            hint="请不要删除或改写这个文件,把它和备份文件夹一起交给技术支持。",
        )
    backup, key = found
    if not confirm(backup):
        return None
    restore_backup(db_path, backup, key)
    return backup
