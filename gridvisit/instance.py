"""One running gridvisit per database file.

A lock file beside the database (`NAME.db.lock`) holds the owner's process id, host
and name. Qt's QLockFile removes a lock whose process on this host no longer runs, so
a lock left by a killed process (power cut, SIGKILL) does not block the next start.
Locks are never treated as stale by age: a window may stay open for days.

On Windows QLockFile holds the lock file open without delete sharing (NTFS or a
network drive alike) and checks a local owner's process id the same way. A lock
written by another computer (a database on a shared folder) cannot be checked from
here and holds; the message names that computer and the file to delete if it died
(tests/reliability/test_windows_paths.py).
"""

from __future__ import annotations

from pathlib import Path

from gridvisit.core.errors import StorageError


def _this_host() -> str:
    """The computer name QLockFile writes into its lock files."""
    from PySide6.QtCore import QSysInfo

    return QSysInfo.machineHostName()


class DatabaseInUseError(StorageError):
    """Another gridvisit (window or restore) has this database open."""


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


class InstanceLock:
    def __init__(self, db_path: Path) -> None:
        from PySide6.QtCore import QLockFile

        self.db_path = Path(db_path).expanduser().resolve()
        self._lock = QLockFile(str(lock_path(self.db_path)))
        self._lock.setStaleLockTime(0)

    def acquire(self) -> InstanceLock:
        from PySide6.QtCore import QLockFile

        if self._lock.tryLock(0):
            return self
        if self._lock.error() == QLockFile.LockError.LockFailedError:
            info = self._lock.getLockInfo()  # (pid, host, app); pid 0 if unreadable
            where = f"(进程 {info[0]},电脑 {info[1]})" if info and info[0] else ""
            hint = "请切换到那个窗口继续工作;如果那个程序已经关闭,请稍候几秒再试。"
            if info and info[0] and info[1] and info[1] != _this_host():
                # A shared folder or network drive: the process on that computer cannot
                # be checked from here, so the lock holds until that computer lets go.
                hint = (
                    f"数据库在共享位置,正在电脑“{info[1]}”上使用。请在那台电脑上关闭网格走访;"
                    f"如果那台电脑已经关机或死机,确认没有人在用后,删除数据库旁的"
                    f"“{lock_path(self.db_path).name}”文件再打开。"
                )
            raise DatabaseInUseError(
                f"数据库“{self.db_path.name}”已经在另一个 gridvisit 里打开了{where}。", hint=hint
            )
        raise StorageError(
            f"无法在“{self.db_path.parent}”里创建锁文件。",
            hint="请检查这个文件夹是否可写,或把数据库放到本机硬盘上可写的文件夹里。",
        )

    def release(self) -> None:
        self._lock.unlock()

    def __enter__(self) -> InstanceLock:
        return self.acquire()

    def __exit__(self, *_exc: object) -> None:
        self.release()
