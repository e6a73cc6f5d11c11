"""Backups as users meet them: the daily one on start, choosing and restoring one.

Restoring needs the password of a user of the backup: an encrypted backup opens only
with its own key slots (and the password must also match that user's hash in it), a
plain one is checked against its own user table. Wrong passwords count with the
logins (the same throttle, per database and user name). Restoring over a sound
database rolls everything back, the audit log included: only a community or
sub-district admin (in the backup) may. When the database is damaged or missing, any
user of the backup may restore it, so a grid worker alone with a broken file is not
stuck. The restored file is the database as it was then, passwords included.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from gridvisit.core.access import Action, allowed, denied
from gridvisit.core.errors import (
    AuthError,
    DatabaseCorruptError,
    EncryptedDatabaseError,
    StorageError,
)
from gridvisit.core.passwords import password_matches
from gridvisit.storage.backups import (
    Backup,
    BackupPolicy,
    Reason,
    backup_due_today,
    is_encrypted,
    list_backups,
    newest_sound_backup,
    quick_check,
    restore_backup,
    rotate,
    stored_user,
)
from gridvisit.storage.engine import Database, is_plain_sqlite
from gridvisit.storage.keystore import KeyStore, keys_path
from gridvisit.storage.sqlite import BackupCancelled

if TYPE_CHECKING:
    from gridvisit.core.passwords import LoginThrottle

log = logging.getLogger(__name__)


def policy(db: Database) -> BackupPolicy:
    return BackupPolicy.from_settings(db.setting)


def backup_now(
    db: Database, reason: Reason = Reason.MANUAL, *, cancelled: Callable[[], bool] | None = None
) -> Backup | None:
    """Back up a SQLite file database (a server database has its own backups)."""
    if db.path is None or not db.is_sqlite:
        return None
    return rotate(db.path, db.key, reason, policy(db), cancelled=cancelled)


def daily_backup(db: Database, *, cancelled: Callable[[], bool] | None = None) -> str | None:
    """The first start of a day backs the database up. Returns a warning to show when
    that failed: a full disk must not stop anyone working, but they must know.

    With `cancelled` (the window closed while the backup ran in the background) the
    copy is abandoned: writes wait for the daily backup, so nothing was written since
    the start and the next start takes it."""
    if db.path is None or not backup_due_today(db.path):
        return None
    try:
        backup_now(db, Reason.DAILY, cancelled=cancelled)
    except BackupCancelled:
        log.info("daily backup of %s abandoned: the app closed first", db.path)
        return None
    except StorageError as exc:
        log.warning("daily backup of %s failed: %s", db.path, exc)
        return f"今天的自动备份没有成功:{exc.message} {exc.hint}".strip()
    return None


def _backup_user(backup: Path, username: str, password: str) -> tuple[bytes | None, str]:
    """The key that opens `backup` (None for a plain file) and the user's role in it,
    if `username` with `password` was a user of it. Raises AuthError otherwise."""

    wrong = AuthError(
        f"用户名或密码不对,不能用备份“{backup.name}”恢复。",
        hint="请输入做这份备份时您的用户名和密码。",
    )
    key = None
    if keys_path(backup).exists():
        try:
            key = KeyStore.load(keys_path(backup)).unlock(username, password)
        except AuthError:
            raise wrong from None
    try:
        anyone, stored, role = stored_user(backup, username, key)
    except sqlite3.DatabaseError as exc:
        raise StorageError(f"无法读取备份“{backup.name}”:{exc}") from exc
    if not anyone:
        return key, role  # from before passwords: nothing to check
    # Also for an encrypted copy: a slot that opens proves nothing (see auth._check_user).
    if stored is None or not password_matches(stored, password):
        raise wrong
    return key, role


def unlock_backup(backup: Path, username: str, password: str) -> bytes | None:
    """The key that opens `backup` (None for a plain file), if `username` with
    `password` was a user of it. Raises AuthError otherwise. Not throttled: callers
    that take a password from a person go through `unlock_for_restore`."""
    return _backup_user(backup, username, password)[0]


def _current_damaged(db_path: Path, username: str, password: str) -> bool:
    """Is the database there to be rolled back, or is it broken (missing, failing
    quick_check, its key file unreadable)? When the user's password does not open the
    current file, nobody can tell: the answer is no (the stricter rule then holds)."""
    if not db_path.exists():
        return True
    key = None
    if not is_plain_sqlite(db_path) and is_encrypted(db_path):
        try:
            key = KeyStore.load(keys_path(db_path)).unlock(username, password)
        except AuthError:
            return False
        except EncryptedDatabaseError:
            return True
    return quick_check(db_path, key) is not None


def _may_restore(role: str, damaged: bool) -> None:
    if not damaged and not allowed(role, Action.MANAGE_BACKUPS):
        error = denied(role, Action.MANAGE_BACKUPS)
        error.hint = (
            "从备份恢复会撤销之后的一切改动(包括操作日志),须由社区或街道管理员办理;"
            "数据库损坏时,任何用户都可以恢复最新的完好备份。"
        )
        raise error


def unlock_for_restore(
    db_path: Path, backup: Backup, username: str, password: str, *, throttle: LoginThrottle
) -> bytes | None:
    """Check that `username` may restore `backup` over `db_path` and return the key
    that opens it. Counted with the logins: past three failures each one waits."""
    target = str(db_path)
    throttle.check(target, username)
    try:
        key, role = _backup_user(backup.path, username, password)
    except AuthError:
        throttle.failed(target, username)
        raise
    throttle.succeeded(target, username)
    _may_restore(role, _current_damaged(db_path, username, password))
    return key


def find_backup(db_path: Path, name: str) -> Backup:
    for b in list_backups(db_path):
        if name in (b.path.name, str(b.path)):
            return b
    raise StorageError(
        f"找不到备份“{name}”。", hint="用 gridvisit backup list --db 数据库文件 查看有哪些备份。"
    )


def restore(
    db_path: Path, backup: Backup, username: str, password: str, *, throttle: LoginThrottle
) -> Backup | None:
    """Restore a chosen backup, as `username`. The caller holds the instance lock."""
    key = unlock_for_restore(db_path, backup, username, password, throttle=throttle)
    return restore_backup(db_path, backup, key)


def restore_newest_sound(
    db_path: Path,
    username: str,
    password: str,
    confirm: Callable[[Backup], bool],
    *,
    throttle: LoginThrottle,
) -> Backup | None:
    """Find the newest backup that passes quick_check and opens for this user, ask
    `confirm`, restore it (for a damaged database: what the login offers). Returns
    the restored backup, or None when the user declined."""
    target = str(db_path)
    throttle.check(target, username)
    damaged = _current_damaged(db_path, username, password)
    roles: dict[Path, str] = {}

    def key_for(b: Backup) -> bytes | None:
        key, roles[b.path] = _backup_user(b.path, username, password)
        return key

    found = newest_sound_backup(db_path, key_for)
    if found is None:
        if list_backups(db_path) and not roles:
            throttle.failed(target, username)  # not one backup took this password
        if damaged:
            raise DatabaseCorruptError(
                f"数据库“{db_path.name}”已损坏,而且没有找到能用您的密码打开的完好备份。",
                hint="请不要删除或改写这个文件,把它和备份文件夹一起交给技术支持。",
            )
        raise StorageError(
            "没有找到能用您的密码打开的完好备份。",
            hint="用 gridvisit backup list 查看有哪些备份;加密的数据库只能用加密的备份恢复。",
        )
    throttle.succeeded(target, username)
    backup, key = found
    _may_restore(roles[backup.path], damaged)
    if not confirm(backup):
        return None
    restore_backup(db_path, backup, key)
    return backup
