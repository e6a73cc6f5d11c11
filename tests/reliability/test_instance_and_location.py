"""One instance per database; warnings for network shares and removable drives."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from gridvisit import paths
from gridvisit.core.errors import StorageError
from gridvisit.demo.generate import generate_demo
from gridvisit.instance import DatabaseInUseError, InstanceLock, lock_path
from gridvisit.storage.location import Medium, Mount, classify, warning_for
from tests.reliability.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[2]


def _screenshot_run(db: Path, out: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "GRIDVISIT_PASSWORD": PASSWORD}
    return subprocess.run(
        [sys.executable, "-m", "gridvisit", "--db", str(db), "--screenshot", str(out)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=ROOT,
    )


@pytest.fixture(scope="module")
def small_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("instance") / "grid.db"
    generate_demo(path, households=20, weeks=2, password=PASSWORD, encrypted=True)
    return path


def test_a_second_instance_is_refused_with_the_reason(small_db: Path, tmp_path: Path) -> None:
    with InstanceLock(small_db):
        result = _screenshot_run(small_db, tmp_path / "x.png")
        assert result.returncode == 1
        assert "已经在另一个 gridvisit 里打开了" in result.stderr
        assert f"进程 {os.getpid()}" in result.stderr
        assert not (tmp_path / "x.png").exists()
        with pytest.raises(DatabaseInUseError):
            InstanceLock(small_db).acquire()
    assert _screenshot_run(small_db, tmp_path / "x.png").returncode == 0  # released


def test_a_lock_left_by_a_killed_process_does_not_block(small_db: Path, tmp_path: Path) -> None:
    code = (
        "import sys, time; from pathlib import Path; from gridvisit.instance import InstanceLock;"
        f"held = InstanceLock(Path({str(small_db)!r})).acquire(); print('held', flush=True);"
        "time.sleep(600)"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "held"
    with pytest.raises(DatabaseInUseError):
        InstanceLock(small_db).acquire()
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert lock_path(small_db).exists()  # killed: nobody removed it
    result = _screenshot_run(small_db, tmp_path / "y.png")
    assert result.returncode == 0, result.stderr


def test_restore_is_refused_while_the_app_has_the_database_open(
    small_db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from gridvisit import cli

    monkeypatch.setenv("GRIDVISIT_PASSWORD", PASSWORD)
    before = small_db.read_bytes()
    with InstanceLock(small_db):
        assert cli.main(["backup", "restore", "--db", str(small_db), "--latest"]) == 1
    assert "已经在另一个 gridvisit 里打开了" in capsys.readouterr().err
    assert small_db.read_bytes() == before


LINUX_MOUNTS = [
    Mount("/dev/sda2", "/", "ext4", "rw"),
    Mount("//nas/share", "/home/w/nas", "cifs", "rw"),
    Mount("server:/export", "/srv/nfs", "nfs4", "rw"),
    Mount("/dev/sdb1", "/media/w/KINGSTON", "vfat", "rw"),
    Mount("/dev/sdc1", "/data", "ext4", "rw"),
]


@pytest.mark.parametrize(
    ("path", "medium"),
    [
        ("/home/w/gridvisit.db", Medium.LOCAL),
        ("/home/w/nas/grid/gridvisit.db", Medium.NETWORK),
        ("/srv/nfs/gridvisit.db", Medium.NETWORK),
        ("/media/w/KINGSTON/gridvisit.db", Medium.REMOVABLE),
        ("/data/gridvisit.db", Medium.REMOVABLE),  # /sys/block/sdc/removable says 1
    ],
)
def test_linux_locations(path: str, medium: Medium) -> None:
    got = classify(
        Path(path),
        mounts=lambda: LINUX_MOUNTS,
        removable=lambda device: device == "/dev/sdc1",
        platform="linux",
    )
    assert got is medium


@pytest.mark.parametrize(
    ("path", "medium"),
    [
        ("C:\\Users\\w\\gridvisit.db", Medium.LOCAL),
        ("E:\\gridvisit.db", Medium.REMOVABLE),
        ("Z:\\grid\\gridvisit.db", Medium.NETWORK),
        ("\\\\nas\\share\\gridvisit.db", Medium.NETWORK),
    ],
)
def test_windows_locations(path: str, medium: Medium) -> None:
    mounts = [
        Mount("C:\\", "C:\\", "NTFS", "rw,fixed"),
        Mount("E:\\", "E:\\", "FAT32", "rw,removable"),
        Mount("Z:\\", "Z:\\", "", "rw,remote"),
    ]
    got = classify(path, mounts=lambda: mounts, platform="win32")  # type: ignore[arg-type]
    assert got is medium


def test_this_machines_temp_folder_is_local(tmp_path: Path) -> None:
    assert classify(tmp_path / "x.db") is Medium.LOCAL
    assert warning_for(tmp_path / "x.db") is None


def test_warnings_say_what_to_do() -> None:
    net = warning_for(Path("/x/grid.db"), Medium.NETWORK)
    usb = warning_for(Path("/x/grid.db"), Medium.REMOVABLE)
    assert net is not None and "网络共享" in net and "本机硬盘" in net
    assert usb is not None and "U 盘" in usb and "本机硬盘" in usb


def test_a_network_share_is_refused_as_the_default_location(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import gridvisit.storage.location as location

    monkeypatch.setattr(location, "classify", lambda _p: Medium.NETWORK)
    with pytest.raises(StorageError, match="网络共享") as caught:
        paths.default_database_path()
    assert "--db" in caught.value.hint
    monkeypatch.setattr(location, "classify", lambda _p: Medium.LOCAL)
    assert paths.default_database_path().name == "gridvisit.db"


def test_cli_warns_about_a_removable_drive(
    small_db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import gridvisit.storage.location as location
    from gridvisit import cli

    monkeypatch.setattr(location, "classify", lambda _p: Medium.REMOVABLE)
    monkeypatch.setenv("GRIDVISIT_PASSWORD", PASSWORD)
    assert cli.main(["audit", "verify", "--db", str(small_db)]) == 0
    assert "U 盘或移动硬盘上" in capsys.readouterr().err
