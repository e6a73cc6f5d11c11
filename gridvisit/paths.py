"""Where things live: per-user data/config/log folders, and bundled resources.

`resource_path` works both from a source checkout and from a PyInstaller bundle
(where files are unpacked under `sys._MEIPASS`)."""

from __future__ import annotations

import sys
from pathlib import Path

import platformdirs

from gridvisit import APP_NAME

_AUTHOR = "gridvisit"


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, _AUTHOR, ensure_exists=True))


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, _AUTHOR, ensure_exists=True))


def log_dir() -> Path:
    return Path(platformdirs.user_log_dir(APP_NAME, _AUTHOR, ensure_exists=True))


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
    return Path(platformdirs.user_state_dir(APP_NAME, _AUTHOR, ensure_exists=True))
