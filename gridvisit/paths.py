"""Where things live: per-user data/config/log folders, and bundled resources.

`resource_path` works both from a source checkout and from a PyInstaller bundle
(where files are unpacked under `sys._MEIPASS`)."""

from __future__ import annotations

import contextlib
import ntpath
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import NamedTuple

import platformdirs
from platformdirs.api import PlatformDirsABC

from gridvisit import APP_NAME

_AUTHOR = "gridvisit"


def _private(folder: str) -> Path:
    # Our folders in the user's profile are the user's alone (POSIX; on Windows the
    # profile's own ACL already keeps other accounts out).
    from gridvisit.core.files import tighten

    path = Path(folder)
    tighten(path)
    return path


class Folders(NamedTuple):
    """The per-user folders, as text in the platform's own spelling."""

    data: str
    config: str
    log: str
    state: str
    cache: str


def platform_dirs(platform: str = sys.platform, *, ensure: bool = False) -> PlatformDirsABC:
    """platformdirs' rules for `platform`; a seam so tests read the Windows folders on
    Linux (platformdirs then takes %LOCALAPPDATA% from WIN_PD_OVERRIDE_LOCAL_APPDATA)."""
    dirs: type[PlatformDirsABC]
    if platform == "win32":
        from platformdirs.windows import Windows

        dirs = Windows
    elif platform == "darwin":
        from platformdirs.macos import MacOS

        dirs = MacOS
    else:
        from platformdirs.unix import Unix

        dirs = Unix
    return dirs(APP_NAME, _AUTHOR, ensure_exists=ensure)


def folders(platform: str = sys.platform) -> Folders:
    """Where the data, config, log, state and cache folders are on `platform`, without
    creating them. On Windows all five are under %LOCALAPPDATA%\\gridvisit\\gridvisit
    (local, not roaming: a database must never follow a roaming profile to a server),
    which is also what the installer's uninstaller leaves alone."""
    dirs = platform_dirs(platform)
    # os.path joins with "/" when the Windows rules run on Linux (tests); Windows' own
    # spelling is backslashes, which is what a path there reads as anyway.
    spell = ntpath.normpath if platform == "win32" else os.path.normpath
    return Folders(
        *(
            spell(folder)
            for folder in (
                dirs.user_data_dir,
                dirs.user_config_dir,
                dirs.user_log_dir,
                dirs.user_state_dir,
                dirs.user_cache_dir,
            )
        )
    )


def data_dir() -> Path:
    return _private(platformdirs.user_data_dir(APP_NAME, _AUTHOR, ensure_exists=True))


def config_dir() -> Path:
    return _private(platformdirs.user_config_dir(APP_NAME, _AUTHOR, ensure_exists=True))


def log_dir() -> Path:
    return _private(platformdirs.user_log_dir(APP_NAME, _AUTHOR, ensure_exists=True))


# --- scratch files that must not outlive the process -------------------------------------
# Previews of a weekly list may carry full names: they are written to a private folder
# of ours (not the shared temporary folder), in a folder named after the process.
# Each start removes the folders of processes that no longer run (a crash, a kill).

_SCRATCH_NAME = re.compile(r"^[a-z]+-(?P<pid>\d+)-")


def scratch_root() -> Path:
    cache = Path(platformdirs.user_cache_dir(APP_NAME, _AUTHOR, ensure_exists=True))
    from gridvisit.core.files import make_private_dir

    _private(str(cache))
    root = cache / "scratch"
    make_private_dir(root)
    return root


def scratch_prefix(kind: str) -> str:
    return f"{kind}-{os.getpid()}-"


def scratch_dir(kind: str) -> Path:
    """A new private folder for this process's scratch files of `kind`."""
    return Path(tempfile.mkdtemp(prefix=scratch_prefix(kind), dir=scratch_root()))


def scratch(kind: str) -> tempfile.TemporaryDirectory[str]:
    """Like `scratch_dir`, removed by `cleanup()` (or when garbage collected)."""
    return tempfile.TemporaryDirectory(prefix=scratch_prefix(kind), dir=scratch_root())


def sweep_scratch() -> None:
    """Remove the scratch folders of processes that no longer run, and those older
    versions left in the shared temporary folder."""
    import psutil

    for entry in scratch_root().iterdir():
        m = _SCRATCH_NAME.match(entry.name)
        if m and int(m["pid"]) != os.getpid() and not psutil.pid_exists(int(m["pid"])):
            shutil.rmtree(entry, ignore_errors=True)
    for entry in Path(tempfile.gettempdir()).glob("gridvisit-[rs][eh]*-*"):
        with contextlib.suppress(OSError):
            mine = sys.platform == "win32" or entry.stat().st_uid == os.getuid()
            if (
                mine
                and entry.is_dir()
                and entry.name.startswith(("gridvisit-report-", "gridvisit-shot-"))
            ):
                shutil.rmtree(entry, ignore_errors=True)


def default_database_path() -> Path:
    """The database used when none is named. Refused on a network share or a removable
    drive (a redirected profile folder, say): the user picks a local file with --db."""
    from gridvisit.core.errors import StorageError
    from gridvisit.storage.location import Medium, classify

    path = data_dir() / "gridvisit.db"
    medium = classify(path)
    if medium is not Medium.LOCAL:
        raise StorageError(
            f"默认的数据文件夹“{path.parent}”在{medium.label}上,不能用来存放数据库。",
            hint="请用 --db 指定本机硬盘上的数据库文件,例如 gridvisit --db D:\\网格\\gridvisit.db。",
        )
    return path


def demo_database_path() -> Path:
    return data_dir() / "demo.db"


def resource_root() -> Path:
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    return resource_root().joinpath(*parts)


USER_GUIDE = "user-guide.zh-CN.md"


def user_guide() -> Path | None:
    """The Chinese user guide: beside the resources in the bundle, docs/ in a clone."""
    for candidate in (
        resource_path("docs", USER_GUIDE),
        Path(__file__).resolve().parent.parent / "docs" / USER_GUIDE,
    ):
        if candidate.is_file():
            return candidate
    return None


def state_dir() -> Path:
    return _private(platformdirs.user_state_dir(APP_NAME, _AUTHOR, ensure_exists=True))
