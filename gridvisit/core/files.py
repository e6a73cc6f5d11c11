"""Writing user files (PDFs, packages, ledgers) so that a failure never leaves half a file,
and reading files from elsewhere within bounds."""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import re
import stat
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from gridvisit.core.errors import GridVisitError, OutputError

log = logging.getLogger(__name__)

OS_REASONS = {
    errno.EACCES: "没有写权限",
    errno.EPERM: "没有写权限",
    errno.ENOSPC: "磁盘空间不足",
    errno.EROFS: "磁盘是只读的",
    errno.EISDIR: "这是一个文件夹",
}


def os_reason(exc: OSError) -> str:
    return OS_REASONS.get(exc.errno or 0, exc.strerror or str(exc))


def write_atomically(path: Path, produce: Callable[[BinaryIO], object]) -> None:
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


def write_file(path: Path, produce: Callable[[BinaryIO], object], *, what: str) -> None:
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


# --- file names we make up -----------------------------------------------------------
# Every name the app proposes or writes by itself (packages, weekly lists, ledgers) goes
# through `safe_file_name`, so that a community or grid called "A:B" or "东区?" never
# yields a name Windows refuses, or one that means something else there.

# Characters Windows forbids in a name, control characters, and runs of white space
# (kept out since the names travel by USB stick, chat and e-mail).
_FORBIDDEN = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f\s]+')
# Device names Windows reserves whatever the extension: CON, CON.txt, con.tar.gz.
_RESERVED = frozenset(
    {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"}
    | {f"{dev}{n}" for dev in ("COM", "LPT") for n in (*"123456789", "¹", "²", "³")}
)
_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,10}$")
# NTFS allows 255 UTF-16 units, ext4 255 bytes: a Chinese character is 3 bytes in UTF-8.
NAME_BYTES = 240


def safe_file_name(name: str, *, fallback: str = "文件") -> str:
    """`name` as a file name every file system here accepts: forbidden and control
    characters and white space become "_", trailing dots and spaces go (Windows drops
    them), a reserved device name gets a "_" in front, and the stem is cut to fit
    NAME_BYTES of UTF-8, the suffix kept."""
    m = _SUFFIX.search(name)
    suffix = m[0] if m else ""
    stem = _FORBIDDEN.sub("_", name[: len(name) - len(suffix)].strip()).strip(" .")
    room = NAME_BYTES - len(suffix.encode("utf-8"))
    stem = stem.encode("utf-8")[:room].decode("utf-8", "ignore").rstrip(" .")
    if not stem.strip("_"):
        stem = fallback
    if stem.split(".")[0].upper() in _RESERVED:
        stem = f"_{stem}"
    return stem + suffix


def unique_path(folder: Path, name: str, taken: set[str] | None = None) -> Path:
    """`folder / safe_file_name(name)`, or "stem (2).suffix", "(3)"… when that name is
    already in `folder` or in `taken` (names handed out earlier in the same run), as
    Windows compares names: regardless of case. The chosen name is added to `taken`."""
    base = safe_file_name(name)
    m = _SUFFIX.search(base)
    suffix = m[0] if m else ""
    stem = base[: len(base) - len(suffix)]
    used = {n.casefold() for n in taken} if taken is not None else set()
    candidate, n = base, 1
    while candidate.casefold() in used or (Path(folder) / candidate).exists():
        n += 1
        candidate = f"{stem} ({n}){suffix}"
    if taken is not None:
        taken.add(candidate)
    return Path(folder) / candidate


class InputFileError(GridVisitError):
    """A file given to read is not there, not a regular file, or too big."""


def read_limited(path: Path, limit: int, *, what: str) -> bytes:
    """The bytes of a regular file of at most `limit` bytes, `what` naming it in the
    message otherwise. A device (/dev/zero), a pipe or a socket is refused before a
    byte is read: opening a pipe without a writer would wait forever, and a device
    can be endless. The size is checked on the open file and again while reading
    (a file may grow)."""
    path = Path(path)
    name = path.name or str(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise InputFileError(f"找不到文件“{path}”。", hint="请检查文件路径。") from None
    except IsADirectoryError:
        raise InputFileError(f"“{path}”是一个文件夹,不是{what}。") from None
    except OSError as exc:
        raise InputFileError(f"无法读取“{path}”:{os_reason(exc)}。") from exc
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputFileError(f"“{path}”是一个文件夹,不是{what}。")
        if not stat.S_ISREG(info.st_mode):
            raise InputFileError(
                f"“{name}”不是普通文件(可能是设备、管道或套接字),不能作为{what}读取。",
                hint=f"请选择保存在磁盘上的{what}。",
            )
        bound = f"{limit // 1024 // 1024} MB" if limit >= 1 << 20 else f"{limit // 1024} KB"
        too_big = InputFileError(
            f"“{name}”太大(超过 {bound}),不像是{what}。",
            hint=f"请确认选择的是{what}。",
        )
        if info.st_size > limit:
            raise too_big
        chunks, total = [], 0
        while chunk := os.read(fd, min(1 << 20, limit + 1 - total) or 1):
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise too_big
        return b"".join(chunks)
    except OSError as exc:
        raise InputFileError(f"无法读取“{path}”:{os_reason(exc)}。") from exc
    finally:
        os.close(fd)


# --- owner-only files (POSIX) ------------------------------------------------------------
# A database, its WAL, its key file and its backups are readable by their owner only,
# so that another account on the same computer cannot copy the key slots and attack
# the passwords offline. On Windows these calls change nothing: there a file's access
# comes from its folder's ACL (the user's profile is private by default).


def create_private_file(path: Path) -> None:
    """Create an empty file only its owner can read; never an existing one. SQLite
    gives the WAL and its index the database file's permissions."""
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_BINARY", 0), 0o600)
    os.close(fd)


def make_private_dir(path: Path) -> None:
    path.mkdir(mode=0o700, exist_ok=True)
    tighten(path)


def tighten(path: Path) -> None:
    """Take group and other permissions off a file or folder of ours (made by an older
    version, or copied in). Someone else's file, a symlink or a read-only disk is
    left as it is: opening must not fail over it."""
    if sys.platform == "win32":  # no POSIX modes there (and a form mypy can narrow)
        return
    try:
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode) or not info.st_mode & 0o077 or info.st_uid != os.getuid():
            return
        os.chmod(path, stat.S_IMODE(info.st_mode) & 0o700)
    except OSError as exc:
        log.warning("could not make %s owner-only: %s", path, exc)


def copy_private(source: Path, dest: Path) -> None:
    """Copy a small file (a key file) to a new owner-only file."""
    data = Path(source).read_bytes()
    fd = os.open(dest, os.O_CREAT | os.O_TRUNC | os.O_WRONLY | getattr(os, "O_BINARY", 0), 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    tighten(dest)  # it may have existed with a wider mode
