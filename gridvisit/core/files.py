"""Writing user files (PDFs, packages, ledgers) so that a failure never leaves half a file."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from gridvisit.core.errors import OutputError

OS_REASONS = {
    errno.EACCES: "没有写权限",
    errno.EPERM: "没有写权限",
    errno.ENOSPC: "磁盘空间不足",
    errno.EROFS: "磁盘是只读的",
    errno.EISDIR: "这是一个文件夹",
}


def os_reason(exc: OSError) -> str:
    return OS_REASONS.get(exc.errno or 0, exc.strerror or str(exc))


def write_atomically(path: Path, produce: Callable[[BinaryIO], None]) -> None:
    """Write through a temporary file beside `path`, then rename: a failed or
    interrupted run leaves either the old file or none, never half a file."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"文件夹“{folder}”不存在。", hint="请先创建这个文件夹,或换一个保存位置。")
    try:
        fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise OutputError(
            f"不能在“{folder}”里写文件:{os_reason(exc)}。", hint="请换一个有写权限的保存位置。"
        ) from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            produce(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def write_file(path: Path, produce: Callable[[BinaryIO], None], *, what: str) -> None:
    """`write_atomically` with every OS failure turned into a Chinese OutputError."""
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"“{path}”是一个文件夹。", hint=f"请给出{what}的文件名。")
    try:
        write_atomically(path, produce)
    except OSError as exc:
        raise OutputError(
            f"保存“{path}”失败:{os_reason(exc)}。",
            hint="请换一个保存位置,或检查磁盘空间;如果文件正在其他程序里打开,请先关闭。",
        ) from exc
