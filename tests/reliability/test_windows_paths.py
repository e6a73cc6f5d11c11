"""Windows code paths, exercised on Linux through their seams: drive letters, UNC and
extended-length paths, the one-instance lock held by another computer (a database on
a network drive), per-user folders, and databases under folders with Chinese names and
spaces (as Windows user names often are)."""

from __future__ import annotations

import os
import socket
import stat
import sys
from pathlib import Path

import pytest

from gridvisit import cli, paths
from gridvisit.demo.generate import generate_demo
from gridvisit.instance import DatabaseInUseError, InstanceLock, lock_path
from gridvisit.storage.location import Medium, Mount, classify
from tests.reliability.conftest import PASSWORD

WINDOWS_MOUNTS = [
    Mount("C:\\", "C:\\", "NTFS", "rw,fixed"),
    Mount("D:\\", "D:\\", "NTFS", "rw,fixed"),
    Mount("E:\\", "E:\\", "FAT32", "rw,removable"),
    Mount("F:\\", "F:\\", "CDFS", "ro,cdrom"),
    Mount("Z:\\", "Z:\\", "NTFS", "rw,remote"),
]


@pytest.mark.parametrize(
    ("path", "medium"),
    [
        ("C:\\Users\\张 三\\AppData\\Local\\gridvisit\\gridvisit\\gridvisit.db", Medium.LOCAL),
        ("d:\\网格 数据\\走访.db", Medium.LOCAL),  # drive letters in any case
        ("D:/网格/走访.db", Medium.LOCAL),  # forward slashes are Windows paths too
        ("e:\\gridvisit.db", Medium.REMOVABLE),
        ("F:\\gridvisit.db", Medium.REMOVABLE),
        ("z:\\共享\\gridvisit.db", Medium.NETWORK),  # a mapped network drive
        ("\\\\server\\share\\gridvisit.db", Medium.NETWORK),
        ("\\\\街道服务器\\网格 共享\\gridvisit.db", Medium.NETWORK),
        ("//server/share/gridvisit.db", Medium.NETWORK),
        ("\\\\?\\UNC\\server\\share\\gridvisit.db", Medium.NETWORK),
        # Extended-length and device paths name a drive, not a server.
        ("\\\\?\\C:\\Users\\w\\gridvisit.db", Medium.LOCAL),
        ("\\\\?\\E:\\gridvisit.db", Medium.REMOVABLE),
        ("\\\\.\\C:\\Users\\w\\gridvisit.db", Medium.LOCAL),
        ("\\\\?\\Z:\\gridvisit.db", Medium.NETWORK),
        ("G:\\not-mounted.db", Medium.LOCAL),  # unknown: only ever a warning
    ],
)
def test_windows_drive_letters_and_unc_paths(path: str, medium: Medium) -> None:
    got = classify(path, mounts=lambda: WINDOWS_MOUNTS, platform="win32")  # type: ignore[arg-type]
    assert got is medium


def test_the_windows_per_user_folders_are_local_and_take_chinese_names(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    local = "C:\\Users\\张 三\\AppData\\Local"
    monkeypatch.setenv("WIN_PD_OVERRIDE_LOCAL_APPDATA", local)
    monkeypatch.setenv("WIN_PD_OVERRIDE_APPDATA", "C:\\Users\\张 三\\AppData\\Roaming")
    f = paths.folders(platform="win32")
    base = local + "\\gridvisit\\gridvisit"
    assert f.data == f.config == f.state == base  # never the roaming profile
    assert f.log.startswith(base) and f.cache.startswith(base)
    for folder in f:
        assert (
            classify(folder + "\\gridvisit.db", mounts=lambda: WINDOWS_MOUNTS, platform="win32")
            is Medium.LOCAL
        )  # type: ignore[arg-type]


def test_the_linux_per_user_folders_follow_xdg(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", "/home/张 三/.local/share")
    f = paths.folders(platform="linux")
    assert f.data == "/home/张 三/.local/share/gridvisit"


def test_a_lock_held_by_another_computer_says_which_and_what_to_do(tmp_path: Path) -> None:
    """A database on a network drive opened on another computer: its process cannot be
    checked from here, so the lock holds (never "stale" by age), and the message names
    that computer and the lock file to delete if it crashed there."""
    db = tmp_path / "grid.db"
    db.write_bytes(b"")
    other = "STREET-PC-07" if socket.gethostname() != "STREET-PC-07" else "STREET-PC-08"
    lock_path(db).write_text(f"4242\ngridvisit\n{other}\nmachine-id-of-{other}\nboot\n")
    with pytest.raises(DatabaseInUseError) as caught:
        InstanceLock(db).acquire()
    assert other in caught.value.message and "4242" in caught.value.message
    assert "grid.db.lock" in caught.value.hint and other in caught.value.hint
    assert "稍候几秒" not in caught.value.hint  # waiting will not help here
    assert lock_path(db).read_text().startswith("4242\n")  # not taken over


def test_a_lock_of_a_dead_process_here_is_taken_over(tmp_path: Path) -> None:
    db = tmp_path / "grid.db"
    db.write_bytes(b"")
    with InstanceLock(db):
        pass
    import psutil

    dead = max(psutil.pids()) + 10_000
    host = socket.gethostname()
    lock_path(db).write_text(f"{dead}\ngridvisit\n{host}\n")
    with InstanceLock(db):
        assert lock_path(db).read_text().startswith(f"{os.getpid()}\n")


@pytest.fixture(scope="module")
def chinese_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("win") / "张 三的 文件" / "网格 数据 (2026)"
    folder.mkdir(parents=True)
    path = folder / "锦绣 花园.db"
    generate_demo(path, households=20, weeks=2, password=PASSWORD, encrypted=True)
    return path


def test_a_database_under_a_path_with_chinese_and_spaces_works_end_to_end(
    chinese_db: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("GRIDVISIT_PASSWORD", PASSWORD)
    db = str(chinese_db)
    assert cli.main(["check", "--db", db]) == 0
    assert cli.main(["backup", "create", "--db", db]) == 0
    out = tmp_path / "导出 文件"
    out.mkdir()
    sub, sub_pub = tmp_path / "街道 库.db", out / "街道 公钥.pub"
    assert cli.main(["--no-encryption", "init", "--db", str(sub)]) == 0
    assert (
        cli.main(
            [
                "--no-encryption",
                "keys",
                "create",
                "--db",
                str(sub),
                "--name",
                "街道",
                "-o",
                str(sub_pub),
            ]
        )
        == 0
    )
    assert cli.main(["keys", "trust-subdistrict", "--db", db, str(sub_pub)]) == 0
    sub_pub.unlink()
    assert cli.main(["export", "--db", db, "--per-grid", "--full", "-o", str(out)]) == 0
    pdf = out / "第 5 周 问题清单.pdf"
    assert cli.main(["report", "weekly", "--db", db, "--week", "2026-W05", "-o", str(pdf)]) == 0
    capsys.readouterr()
    assert pdf.read_bytes().startswith(b"%PDF")
    assert list(out.glob("*.gvpkg"))
    keys = chinese_db.with_name(chinese_db.name + ".keys")
    backups = chinese_db.with_name(chinese_db.name + ".backups")
    assert keys.is_file() and any(backups.iterdir())
    with InstanceLock(chinese_db):
        assert lock_path(chinese_db).is_file()
    assert classify(chinese_db) is Medium.LOCAL
    if os.name == "posix":  # owner-only (on Windows the profile's ACL does it: security.md)
        for p in (chinese_db, keys, backups, *backups.iterdir()):
            assert not stat.S_IMODE(p.stat().st_mode) & 0o077, p


@pytest.mark.skipif(sys.platform == "win32", reason="describes Windows from Linux")
def test_windows_rules_never_touch_the_disk_here() -> None:
    # The seam reads Windows paths as text on Linux: no C:\ folder is made.
    assert not Path("C:\\Users").exists()
