"""Rotating backups of a database file, and restoring one.

Backups are made with SQLite's backup API (`sqlite.backup_sqlite`), never by copying
the live file: a copy taken while another connection writes can be torn. They live
in a folder beside the database (`NAME.db.backups/`), one file per backup, named
after the moment and the reason, with the key file beside each encrypted copy.

Kept: the newest backup of each of the last `daily` days that have one, and of each
of the last `weekly` ISO weeks. Backups made by hand, and the files restores
replaced, are never deleted automatically.

Restoring writes the chosen backup to a temporary file first; only then is the
current file (with its WAL and key file) moved into the backup folder, and the
restored copy renamed into place. The step in between is two renames; an
interruption there is finished by `finish_interrupted_restore` on the next start.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import partial
from pathlib import Path

from gridvisit.core.clock import LOCAL_TZ
from gridvisit.core.errors import EncryptedDatabaseError, GridVisitError, StorageError
from gridvisit.core.files import copy_private, make_private_dir
from gridvisit.storage.keystore import KEYS_SUFFIX, keys_path
from gridvisit.storage.sqlite import (
    backup_sqlite,
    connect_raw,
    driver_errors,
    encrypt_in_place,
    is_encrypted_database,
    is_plain_sqlite,
)

log = logging.getLogger(__name__)

SETTING_DAILY = "backup.keep_daily"
SETTING_WEEKLY = "backup.keep_weekly"
_NAME = re.compile(r"^(?P<stem>.+)-(?P<stamp>\d{8}-\d{6})(?:-(?P<n>\d+))?-(?P<reason>[a-z]+)\.db$")


class Reason(StrEnum):
    DAILY = "daily"
    MIGRATE = "migrate"
    MERGE = "merge"
    MANUAL = "manual"
    # The file a restore replaced, kept so that the restore itself can be undone.
    REPLACED = "replaced"

    @property
    def label(self) -> str:
        return _REASON_LABELS[self]


_REASON_LABELS = {
    Reason.DAILY: "每日自动",
    Reason.MIGRATE: "升级前",
    Reason.MERGE: "合并前",
    Reason.MANUAL: "手动",
    Reason.REPLACED: "恢复前的原文件",
}


# Never deleted automatically: made on purpose, or the file a restore replaced (which
# may be damaged, and must not push a sound backup of the same day out of its slot).
KEPT_BY_HAND = frozenset({Reason.MANUAL, Reason.REPLACED})


@dataclass(frozen=True)
class BackupPolicy:
    daily: int = 7
    weekly: int = 4

    @classmethod
    def from_settings(cls, get: Callable[[str], str | None]) -> BackupPolicy:
        def number(key: str, default: int) -> int:
            try:
                return max(1, int(get(key) or default))
            except ValueError:
                return default

        return cls(number(SETTING_DAILY, cls.daily), number(SETTING_WEEKLY, cls.weekly))


@dataclass(frozen=True)
class Backup:
    path: Path
    taken_at: datetime  # local time, from the file name
    reason: Reason
    size: int
    encrypted: bool  # it has its key file beside it


def backup_dir(db_path: Path) -> Path:
    return db_path.parent / f"{db_path.name}.backups"


def _stem(db_path: Path) -> str:
    return db_path.name.removesuffix(".db")


def list_backups(db_path: Path) -> list[Backup]:
    """This database's backups, newest first. Half-written ones (.tmp) are not listed."""
    folder = backup_dir(db_path)
    if not folder.is_dir():
        return []
    found = []
    for entry in folder.iterdir():
        m = _NAME.match(entry.name)
        if not m or m["stem"] != _stem(db_path) or not entry.is_file():
            continue
        try:
            reason = Reason(m["reason"])
            taken = datetime.strptime(m["stamp"], "%Y%m%d-%H%M%S")
            size = entry.stat().st_size
        except (ValueError, OSError):
            continue
        found.append(
            (taken, int(m["n"] or 0), Backup(entry, taken, reason, size, keys_path(entry).exists()))
        )
    found.sort(key=lambda t: (t[0], t[1]), reverse=True)
    return [b for *_, b in found]


def _beijing_now() -> datetime:
    """Backups are named and listed in Beijing wall-clock time, like every date the app
    shows, whatever zone the laptop is set to."""
    return datetime.now(LOCAL_TZ).replace(tzinfo=None)


def _new_path(db_path: Path, reason: Reason, now: datetime) -> Path:
    folder = backup_dir(db_path)
    base = f"{_stem(db_path)}-{now:%Y%m%d-%H%M%S}"
    dest = folder / f"{base}-{reason.value}.db"
    n = 1
    while dest.exists():
        dest = folder / f"{base}-{n}-{reason.value}.db"
        n += 1
    return dest


def _os_failure(action: str, exc: OSError) -> StorageError:
    from gridvisit.core.files import os_reason

    return StorageError(
        f"{action}失败:{os_reason(exc)}。",
        hint="请检查磁盘空间和文件夹权限;数据库本身没有改动。",
    )


def create_backup(
    db_path: Path,
    key: bytes | None,
    reason: Reason,
    *,
    now: datetime | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> Backup:
    """A consistent copy of the database (readable while others write to it). With
    `cancelled`, the copy may be abandoned half-way (BackupCancelled, nothing left)."""
    now = now or _beijing_now()
    dest = _new_path(db_path, reason, now)
    try:
        make_private_dir(dest.parent)
        backup_sqlite(db_path, dest, key, cancelled=cancelled)
    except OSError as exc:
        raise _os_failure("备份", exc) from exc
    except driver_errors() as exc:
        dest.with_name(dest.name + ".tmp").unlink(missing_ok=True)
        raise StorageError(f"备份失败:{exc}", hint="数据库本身没有改动。") from exc
    log.info("backed up %s to %s (%s)", db_path, dest, reason.value)
    return Backup(dest, now.replace(microsecond=0), reason, dest.stat().st_size, key is not None)


def _remove(backup: Backup) -> None:
    for path in (backup.path, keys_path(backup.path), Path(f"{backup.path}-wal")):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def prune(db_path: Path, policy: BackupPolicy) -> list[Backup]:
    """Delete automatic backups the policy no longer keeps; returns what was deleted."""
    backups = list_backups(db_path)
    keep: set[Path] = {b.path for b in backups if b.reason in KEPT_BY_HAND}
    days: list[object] = []
    weeks: list[object] = []
    for b in backups:  # newest first: the first seen of each day/week is its newest
        if b.reason in KEPT_BY_HAND:
            continue
        day = b.taken_at.date()
        week = b.taken_at.isocalendar()[:2]
        if day not in days and len(days) < policy.daily:
            days.append(day)
            keep.add(b.path)
        if week not in weeks and len(weeks) < policy.weekly:
            weeks.append(week)
            keep.add(b.path)
    _sweep_leftovers(db_path)
    removed = [b for b in backups if b.path not in keep]
    for b in removed:
        try:
            _remove(b)
        except OSError as exc:  # a backup we cannot delete is not worth failing over
            log.warning("could not delete old backup %s: %s", b.path, exc)
    return removed


def _sweep_leftovers(db_path: Path) -> None:
    """Half-written copies from a backup that was interrupted (power cut, full disk),
    left alone for an hour in case another process is writing one right now."""
    cutoff = datetime.now().timestamp() - 3600
    for entry in backup_dir(db_path).glob(f"{_stem(db_path)}-*.db.tmp*"):
        with contextlib.suppress(OSError):
            if entry.stat().st_mtime < cutoff:
                entry.unlink()


def backup_due_today(db_path: Path, now: datetime | None = None) -> bool:
    today = (now or _beijing_now()).date()
    return not any(b.taken_at.date() == today for b in list_backups(db_path))


def rotate(
    db_path: Path,
    key: bytes | None,
    reason: Reason,
    policy: BackupPolicy,
    *,
    cancelled: Callable[[], bool] | None = None,
) -> Backup:
    """Take an automatic backup and apply the policy."""
    made = create_backup(db_path, key, reason, cancelled=cancelled)
    prune(db_path, policy)
    return made


# --- checking and restoring ------------------------------------------------------------


def quick_check(path: Path, key: bytes | None) -> str | None:
    """None when SQLite's quick_check finds the file sound, else what it found."""
    try:
        conn = connect_raw(path, key, readonly=True)
    except driver_errors() as exc:
        return str(exc)
    try:
        rows = [r[0] for r in conn.execute("PRAGMA quick_check(20)")]
    except driver_errors() as exc:
        return str(exc)
    finally:
        conn.close()
    return None if rows == ["ok"] else "; ".join(rows)


def stored_user(
    path: Path, username: str, key: bytes | None = None
) -> tuple[bool, str | None, str]:
    """From a database copy, read-only: whether anyone had a password then, this
    active user's hash (None if no such user) and role. A file from before logins
    existed has no password column: nobody had one."""
    conn = connect_raw(path, key, readonly=True)
    try:
        try:
            anyone = conn.execute(
                "SELECT 1 FROM app_user WHERE password_hash != '' LIMIT 1"
            ).fetchone()
        except sqlite3.OperationalError:
            row = conn.execute(
                "SELECT role FROM app_user WHERE username = ? AND active", (username,)
            ).fetchone()
            return False, None, row[0] if row else ""
        row = conn.execute(
            "SELECT password_hash, role FROM app_user WHERE username = ? AND active", (username,)
        ).fetchone()
    finally:
        conn.close()
    return anyone is not None, (row[0] or "") if row else None, row[1] if row else ""


def _pending(db_path: Path) -> Path:
    return db_path.with_name(f".{db_path.name}.restoring")


def _move_pending_into_place(db_path: Path) -> None:
    pending = _pending(db_path)
    if keys_path(pending).exists():
        os.replace(keys_path(pending), keys_path(db_path))
    os.replace(pending, db_path)


def _move_stray_wal(db_path: Path, aside: Path | None) -> None:
    """The WAL (and index) of a file that was moved away belong to it: left behind,
    SQLite would replay them onto the restored file."""
    wal = Path(f"{db_path}-wal")
    if wal.exists():
        if aside is None or Path(f"{aside}-wal").exists():
            aside = backup_dir(db_path) / f"{_stem(db_path)}-{_beijing_now():%Y%m%d-%H%M%S}.orphan"
        os.replace(wal, f"{aside}-wal")
    Path(f"{db_path}-shm").unlink(missing_ok=True)


def finish_interrupted_restore(db_path: Path) -> bool:
    """If a restore stopped between moving the old file away and renaming the restored
    copy into place, finish it. Returns whether there was one to finish."""
    if db_path.exists() or not _pending(db_path).exists():
        return False
    replaced = [b for b in list_backups(db_path) if b.reason is Reason.REPLACED]
    _move_stray_wal(db_path, replaced[0].path if replaced else None)
    _move_pending_into_place(db_path)
    log.warning("finished an interrupted restore of %s", db_path)
    return True


def restore_backup(db_path: Path, backup: Backup, key: bytes | None) -> Backup | None:
    """Make `backup` the database at `db_path`. `key` opens the backup (None if plain).

    The caller holds the instance lock and has closed every connection. The replaced
    file is kept in the backup folder (returned), so a restore can itself be undone.
    A plain backup is never restored over an encrypted database: it would turn the
    file back into plain SQLite, readable by anyone who copies it."""
    if key is None and is_encrypted(db_path):
        raise plain_over_encrypted(backup)
    problem = quick_check(backup.path, key)
    if problem is not None:
        raise StorageError(
            f"备份“{backup.path.name}”本身已损坏,不能用来恢复({problem})。",
            hint="请选择更早的一份备份。",
        )
    pending = _pending(db_path)
    try:
        backup_sqlite(backup.path, pending, key)
        if key is None:
            keys_path(pending).unlink(missing_ok=True)
        replaced = None
        if db_path.exists():
            aside = _new_path(db_path, Reason.REPLACED, _beijing_now())
            make_private_dir(aside.parent)
            # Order matters for a power cut half-way: the key file is copied first
            # (the live file keeps its own), then the main file moves, then its WAL
            # follows it. From the moment the main file is gone, the next start
            # finishes the job (finish_interrupted_restore).
            if keys_path(db_path).exists():
                copy_private(keys_path(db_path), keys_path(aside))
            os.replace(db_path, aside)
            _move_stray_wal(db_path, aside)
            replaced = Backup(
                aside,
                _beijing_now(),
                Reason.REPLACED,
                aside.stat().st_size,
                keys_path(aside).exists(),
            )
        _move_pending_into_place(db_path)
    except OSError as exc:
        raise _os_failure("恢复", exc) from exc
    except driver_errors() as exc:
        pending.unlink(missing_ok=True)
        raise StorageError(f"恢复失败:{exc}", hint="数据库没有改动。") from exc
    log.warning("restored %s from %s", db_path, backup.path)
    return replaced


def is_encrypted(db_path: Path) -> bool:
    """The database is (or was, if its file is missing) encrypted: its key file says so."""
    return keys_path(db_path).exists() or is_encrypted_database(db_path)


def plain_over_encrypted(backup: Backup) -> EncryptedDatabaseError:
    return EncryptedDatabaseError(
        f"“{backup.path.name}”是未加密的备份,不能用来恢复已加密的数据库。",
        hint="它是数据库加密之前留下的;请选择加密之后的备份(备份列表中标为“加密”的)。",
    )


def newest_sound_backup(
    db_path: Path, key_for: Callable[[Backup], bytes | None]
) -> tuple[Backup, bytes | None] | None:
    """The newest backup that opens with its key and passes quick_check (for an
    encrypted database, only encrypted backups)."""
    encrypted = is_encrypted(db_path)
    for b in list_backups(db_path):
        if encrypted and not b.encrypted:
            continue
        try:
            key = key_for(b)
        except GridVisitError:
            continue
        if quick_check(b.path, key) is None:
            return b, key
    return None


# --- after `gridvisit encrypt` ---------------------------------------------------------


@dataclass(frozen=True)
class BackupConversion:
    encrypted: list[Path]  # backups now encrypted under the database's key
    left_plain: list[Path]  # files that could not be converted (damaged, leftovers)


def encrypt_plain_backups(
    db_path: Path,
    key: bytes,
    username: str,
    password_hash: str,
    write_keys: Callable[[Path], None],
) -> BackupConversion:
    """Encrypt every plain backup of `db_path` in place under `key` (the database's
    key); `write_keys(path)` writes the key file beside each, holding `username`'s
    slot. That user's stored hash in each copy becomes `password_hash` (their current
    one), so that the copy restores and logs in with the password that opens its slot.
    A backup's WAL is applied first. A backup that cannot be converted (damaged, or
    without `username` among its active users) is listed, never deleted here."""
    import sqlcipher3

    def adjust(conn: sqlite3.Connection) -> None:
        conn.execute(
            "UPDATE app_user SET password_hash = ? WHERE username = ?", (password_hash, username)
        )

    converted: list[Path] = []
    for b in list_backups(db_path):
        if b.encrypted or not is_plain_sqlite(b.path):
            continue
        try:
            if stored_user(b.path, username)[1] is None:
                continue  # nobody could log in to the converted copy
            encrypt_in_place(b.path, key, partial(write_keys, b.path), adjust)
        except (sqlite3.Error, sqlcipher3.Error, OSError) as exc:  # a damaged copy
            log.warning("could not encrypt backup %s: %s", b.path, exc)
            keys_path(b.path).unlink(missing_ok=True)
            b.path.with_name(f".{b.path.name}.encrypting").unlink(missing_ok=True)
            continue
        converted.append(b.path)
    return BackupConversion(converted, plain_leftovers(db_path))


def plain_leftovers(db_path: Path) -> list[Path]:
    """Files in the backup folder that may hold this database's data unencrypted: plain
    backups, WALs, half-written copies."""
    folder = backup_dir(db_path)
    if not folder.is_dir():
        return []
    found = []
    for entry in sorted(folder.iterdir()):
        if not entry.name.startswith(f"{_stem(db_path)}-") or not entry.is_file():
            continue
        if entry.name.endswith(KEYS_SUFFIX) or entry.name.endswith("-shm"):
            continue
        if entry.name.endswith(".db") and keys_path(entry).exists() and not is_plain_sqlite(entry):
            continue  # an encrypted backup
        found.append(entry)
    return found


def wipe(path: Path) -> None:
    """Overwrite a file with zeros, then delete it. On an SSD or a journaling file
    system old blocks may survive anyway; this is the best a program can do."""
    size = path.stat().st_size
    with path.open("r+b") as fh:
        block = b"\0" * (1024 * 1024)
        left = size
        while left > 0:
            fh.write(block[: min(left, len(block))])
            left -= len(block)
        fh.flush()
        os.fsync(fh.fileno())
    path.unlink()
