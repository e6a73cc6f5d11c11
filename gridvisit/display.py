"""Can this Linux machine show a real window? Checked before Qt starts, because Qt
aborts with "could not load the Qt platform plugin xcb" and no hint of what to
install. The offscreen platform (tests, --self-test) needs none of this."""

from __future__ import annotations

import ctypes
import sys
from collections.abc import Callable, Mapping

# The libraries Qt's xcb platform plugin loads, and the Debian/Ubuntu packages that
# hold them (the same names on Debian 12 and Ubuntu 22.04/24.04).
XCB_PACKAGES = {
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libEGL.so.1": "libegl1",
    "libfontconfig.so.1": "libfontconfig1",
}


def _loads(soname: str) -> bool:
    try:
        ctypes.CDLL(soname)
    except OSError:
        return False
    return True


def missing_packages(loads: Callable[[str], bool] = _loads) -> list[str]:
    return sorted({pkg for soname, pkg in XCB_PACKAGES.items() if not loads(soname)})


def window_problem(
    environ: Mapping[str, str],
    platform: str = sys.platform,
    loads: Callable[[str], bool] = _loads,
) -> str | None:
    """What stops a real window from opening, with the command that fixes it; None
    when nothing does (or on Windows and macOS, where Qt brings what it needs)."""
    if not platform.startswith("linux"):
        return None
    qpa = environ.get("QT_QPA_PLATFORM", "")
    if qpa and not qpa.startswith("xcb"):
        return None  # offscreen, wayland, vnc…: not ours to check
    if not qpa and environ.get("WAYLAND_DISPLAY"):
        return None  # Qt uses its Wayland plugin there
    if not environ.get("DISPLAY"):
        return (
            "没有可用的图形显示(环境变量 DISPLAY 未设置),无法打开窗口。"
            "请在桌面环境中运行;在服务器上可用 xvfb-run gridvisit,"
            "或用 QT_QPA_PLATFORM=offscreen gridvisit --self-test 检查安装。"
        )
    missing = missing_packages(loads)
    if missing:
        return (
            "缺少显示窗口所需的系统库。请运行下面的命令安装后再启动:\n"
            f"  sudo apt-get install -y {' '.join(missing)}"
        )
    return None
