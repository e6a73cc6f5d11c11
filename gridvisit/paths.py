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
    return data_dir() / "gridvisit.db"


def demo_database_path() -> Path:
    return data_dir() / "demo.db"


def resource_root() -> Path:
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    return resource_root().joinpath(*parts)


def state_dir() -> Path:
    return Path(platformdirs.user_state_dir(APP_NAME, _AUTHOR, ensure_exists=True))
