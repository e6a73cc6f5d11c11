"""The command line writing to a database that an open window holds (issue 24, item 1).

SQLite's locks on Linux and macOS are POSIX advisory locks, held per process: closing
ANY descriptor of the file in that process drops all of them. Qt's file dialog sniffed
the content of every file in the folder it showed (to pick icons and the type column),
the database, its -wal and -shm included, and so took the window's locks away. The next
command-line process then believed it was the only user, checkpointed and deleted the
WAL and shared-memory index under the window, whose next write failed with "disk I/O
error" or "database disk image is malformed"; what it wrote went to a deleted file.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog, QFileDialog, QLineEdit
from sqlalchemy import select, text

from gridvisit.demo.generate import DEMO_PASSWORD
from gridvisit.exchange import keys
from gridvisit.storage import open_database
from gridvisit.ui.main_window import MainWindow

from .conftest import on_next_modal

pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="Windows file locks belong to handles, not processes"
)


def _public_key_file(folder: Path, name: str) -> Path:
    """A grid computer's public key file, made from a database of its own."""
    laptop = open_database(folder / f"{name}.db", create=True)
    try:
        keys.write_public_file(laptop, folder / f"{name}.pub", name)
    finally:
        laptop.dispose()
    return folder / f"{name}.pub"


def _my_locks(path: Path) -> list[str]:
    """This process's POSIX locks on `path`, from /proc/locks (Linux)."""
    inode = os.stat(path).st_ino
    mine = []
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if "->" in fields:  # a waiter, not a holder
            continue
        if fields[4] == str(os.getpid()) and fields[5].endswith(f":{inode}"):
            mine.append(line)
    return mine


def _first_grid(window: MainWindow) -> tuple[str, str]:
    """(community, grid) names of a grid of the demo: the area laptops register for."""
    from gridvisit.storage.models import Community, Grid

    with window.services.ctx.read() as s:
        row = s.execute(
            select(Community.name, Grid.name).join(Grid.community).order_by(Grid.id).limit(1)
        ).one()
    return row[0], row[1]


def _register_through_the_dialog(  # type: ignore[no-untyped-def]
    qtbot, window: MainWindow, folder: Path, key_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a clerk does: 账号 → 登记的电脑 → 登记, browsing to the folder of the
    database (the packages and key files usually sit beside it), then ticking the
    laptop's grids."""
    from gridvisit.ui.dialogs import devices

    seen: dict[str, str] = {}
    monkeypatch.setattr(
        devices.AreaDialog, "ask", classmethod(lambda cls, *_a: ([_first_grid(window)], []))
    )
    monkeypatch.setattr(
        devices.DeviceAsk, "tell", staticmethod(lambda _p, _t, text, **_k: seen.update(told=text))
    )

    def pick(dialog: QFileDialog) -> None:
        assert isinstance(dialog, QFileDialog)
        dialog.setDirectory(str(folder))
        # Let the file model list the folder and fetch every entry's icon and type.
        qtbot.wait(1500)
        dialog.findChild(QLineEdit, "fileNameEdit").setText(str(key_file))
        dialog.accept()

    def register(dialog: QDialog) -> None:
        assert isinstance(dialog, devices.DevicesDialog)
        state = on_next_modal(pick)
        dialog.register()  # the real file dialog, in the database's folder
        assert not state["left_open"]
        dialog.accept()

    outer = on_next_modal(register)
    window.security.devices()
    qtbot.waitUntil(lambda: "told" in seen, timeout=5000)
    assert not outer["left_open"]
    assert "网格一" in seen["told"]


@pytest.mark.skipif(not Path("/proc/locks").exists(), reason="needs Linux's /proc/locks")
def test_cli_write_beside_an_open_window(  # type: ignore[no-untyped-def]
    qtbot, window: MainWindow, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = window.services.ctx.db
    assert db.path is not None and db.path.parent == tmp_path
    first, second, third = (_public_key_file(tmp_path, n) for n in ("网格一", "网格二", "网格三"))

    _register_through_the_dialog(qtbot, window, tmp_path, first, monkeypatch)
    # The window still holds its SQLite locks on the database and its index.
    assert _my_locks(db.path), "the window lost its lock on the database file"
    assert _my_locks(Path(f"{db.path}-shm")), "the window lost its lock on the -shm index"

    env = {**os.environ, "GRIDVISIT_USER": "admin", "GRIDVISIT_PASSWORD": DEMO_PASSWORD}
    cli = subprocess.run(
        [sys.executable, "-m", "gridvisit", "--no-encryption", "keys", "register-device",
         "--db", str(db.path), "--grid", "/".join(_first_grid(window)), str(second)],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert cli.returncode == 0, cli.stderr
    assert Path(f"{db.path}-wal").exists(), "the command line deleted the window's WAL"

    # The window writes again, sees the command line's write, and the file is sound.
    window.services.keys.register_device(third, [_first_grid(window)])
    names = {d.name for d in window.services.keys.overview().devices}
    assert {"网格一", "网格二", "网格三"} <= names
    assert not db.damaged
    with db.read_session() as s:
        assert s.execute(text("PRAGMA quick_check")).scalar() == "ok"

    # A fresh process sees all three: nothing went to a deleted file.
    db.dispose()
    fresh = open_database(db.path)
    try:
        assert {"网格一", "网格二", "网格三"} <= {d.name for d in keys.registered_devices(fresh)}
    finally:
        fresh.dispose()
