"""One running gridvisit per database file.

A lock file beside the database (`NAME.db.lock`) holds the owner's process id, host
and name. Qt's QLockFile removes a lock whose process on this host no longer runs, so
a lock left by a killed process (power cut, SIGKILL) does not block the next start.
Locks are never treated as stale by age: a window may stay open for days.
"""

from __future__ import annotations

from pathlib import Path

from gridvisit.core.errors import StorageError


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
            raise DatabaseInUseError(
                f"数据库“{self.db_path.name}”已经在另一个 gridvisit 里打开了{where}。",
                hint="请切换到那个窗口继续工作;如果那个程序已经关闭,请稍候几秒再试。",
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
