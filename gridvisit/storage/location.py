"""Is a database file on a local disk, a network share or a removable drive?

SQLite's locking is unreliable over network file systems, and a USB stick pulled
out mid-write takes the file with it; both get a warning, and neither may be the
default location for the database.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from enum import StrEnum
from pathlib import Path, PureWindowsPath
from typing import NamedTuple

NETWORK_FILESYSTEMS = frozenset(
    {
        "nfs", "nfs4", "cifs", "smbfs", "smb3", "ncpfs", "afs", "9p", "davfs",
        "fuse.sshfs", "fuse.rclone", "fuse.davfs2", "glusterfs", "ceph", "fuse.glusterfs",
    }
)  # fmt: skip
REMOVABLE_ROOTS = ("/media/", "/run/media/", "/mnt/usb")


class Medium(StrEnum):
    LOCAL = "local"
    NETWORK = "network"
    REMOVABLE = "removable"

    @property
    def label(self) -> str:
        return {"local": "本机硬盘", "network": "网络共享文件夹", "removable": "U 盘或移动硬盘"}[
            self.value
        ]


class Mount(NamedTuple):
    device: str
    mountpoint: str
    fstype: str
    opts: str


def _mounts() -> list[Mount]:
    import psutil

    return [
        Mount(p.device, p.mountpoint, p.fstype, p.opts) for p in psutil.disk_partitions(all=True)
    ]


def _linux_removable(device: str) -> bool:
    """/sys/block/<disk>/removable is 1 for USB sticks and card readers; a partition
    (sdb1, nvme0n1p2) has no such file, its disk (the parent in sysfs) does."""
    if not device.startswith("/dev/"):
        return False
    try:
        node = Path("/sys/class/block", Path(device).resolve().name).resolve()
        for candidate in (node, node.parent):
            flag = candidate / "removable"
            if flag.exists():
                return flag.read_text().strip() == "1"
    except OSError:
        pass
    return False


def plain_windows_path(text: str) -> str:
    """An extended-length or device path in its everyday spelling: \\\\?\\C:\\x and
    \\\\.\\C:\\x are C:\\x (a drive, not a server), \\\\?\\UNC\\server\\share is
    \\\\server\\share. Python's resolve() on Windows can hand back either form."""
    head = text[:8].replace("/", "\\").upper()
    if head in ("\\\\?\\UNC\\", "\\\\.\\UNC\\"):
        return "\\\\" + text[8:]
    if head.startswith(("\\\\?\\", "\\\\.\\")):
        return text[4:]
    return text


def classify(
    path: Path,
    mounts: Callable[[], Iterable[Mount]] = _mounts,
    removable: Callable[[str], bool] = _linux_removable,
    platform: str = sys.platform,
) -> Medium:
    """Where `path` (which need not exist yet) lives. Unknown means local: the check
    only exists to warn, never to stop someone on an unusual but safe disk."""
    text = str(path)
    if platform == "win32":
        text = plain_windows_path(text)
        if text.startswith(("\\\\", "//")):
            return Medium.NETWORK  # a UNC path: \\server\share\...
        # abspath only on Windows itself: tests describe Windows paths on Linux.
        drive = PureWindowsPath(os.path.abspath(text) if sys.platform == "win32" else text).drive
    try:
        resolved = Path(path).expanduser().resolve()
    except OSError:
        return Medium.LOCAL
    best: Mount | None = None
    for m in mounts():
        mp = m.mountpoint
        if platform == "win32":
            inside = drive.upper() == PureWindowsPath(mp).drive.upper()
        else:
            inside = resolved == Path(mp) or Path(mp) in resolved.parents
        if inside and (best is None or len(mp) > len(best.mountpoint)):
            best = m
    if best is None:
        return Medium.LOCAL
    opts = set(best.opts.split(","))
    if platform == "win32":
        if "remote" in opts:
            return Medium.NETWORK
        if "removable" in opts or "cdrom" in opts:
            return Medium.REMOVABLE
        return Medium.LOCAL
    if best.fstype.lower() in NETWORK_FILESYSTEMS or best.device.startswith("//"):
        return Medium.NETWORK
    if best.mountpoint.startswith(REMOVABLE_ROOTS) or removable(best.device):
        return Medium.REMOVABLE
    return Medium.LOCAL


def warning_for(path: Path, medium: Medium | None = None) -> str | None:
    """The warning a user should read before working on this file, or None."""
    medium = medium or classify(path)
    if medium is Medium.NETWORK:
        return (
            f"数据库“{Path(path).name}”在网络共享文件夹上。网络中断或多台电脑同时打开时,"
            "数据库可能损坏。请把它复制到本机硬盘上使用,只把导出的数据包放到共享文件夹。"
        )
    if medium is Medium.REMOVABLE:
        return (
            f"数据库“{Path(path).name}”在 U 盘或移动硬盘上。保存时拔出会损坏数据库。"
            "请把它复制到本机硬盘上使用;U 盘只用来带数据包和备份。"
        )
    return None
