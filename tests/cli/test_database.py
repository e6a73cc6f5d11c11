"""gridvisit/cli/database.py: `gridvisit init` and `gridvisit encrypt`."""

from __future__ import annotations

from pathlib import Path

import pytest

from gridvisit.cli import main
from gridvisit.storage import open_database


def test_init_makes_an_encrypted_file_and_never_overwrites(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "new.db"
    assert main(["init", "--db", str(path), "--name", "王管理"]) == 0
    assert f"已新建加密数据库 {path},管理员 admin。" in capsys.readouterr().out
    assert Path(f"{path}.keys").exists()
    before = path.read_bytes()
    assert main(["init", "--db", str(path)]) == 1
    assert "已存在,不会覆盖" in capsys.readouterr().err
    assert path.read_bytes() == before


def test_init_gives_an_old_plain_file_its_admin_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "old.db"
    open_database(path, create=True).dispose()  # from before logins: nobody has a password
    assert main(["init", "--db", str(path)]) == 0
    assert "设置管理员 admin 的密码" in capsys.readouterr().out
    assert main(["init", "--db", str(path)]) == 1
    assert "此数据库已经有管理员了。" in capsys.readouterr().err
    assert main(["user", "list", "--db", str(path), "--no-encryption"]) == 0


def test_encrypt_converts_a_plain_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.db"
    assert main(["--no-encryption", "init", "--db", str(path)]) == 0
    assert main(["encrypt", "--db", str(path)]) == 0
    assert "已加密" in capsys.readouterr().out
    assert main(["user", "list", "--db", str(path)]) == 0  # now without --no-encryption
    assert main(["encrypt", "--db", str(path)]) == 1
    assert "不是未加密的数据库" in capsys.readouterr().err
