"""gridvisit/cli/session.py: logging in, disposing, and errors to exit codes."""

from __future__ import annotations

import argparse
import io
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from gridvisit.cli import main, session
from gridvisit.core.errors import GridVisitError

PASSWORD = "gridvisit-demo"  # tests/cli/conftest.py sets it


@pytest.fixture
def encrypted_db(tmp_path: Path) -> Path:
    path = tmp_path / "grid.db"
    assert main(["init", "--db", str(path), "--user", "bob", "--name", "鲍勃"]) == 0
    return path


def _run(*argv: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gridvisit", *argv],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


def test_wrong_password_exits_1_in_chinese_without_a_trace(encrypted_db: Path) -> None:
    result = _run("user", "list", "--db", str(encrypted_db), GRIDVISIT_PASSWORD="not-the-one")
    assert result.returncode == 1
    assert "错误:用户名或密码不正确。" in result.stderr
    assert "注意大小写和输入法" in result.stderr  # the hint, on its own line
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_missing_database_exits_1_before_asking_for_a_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("GRIDVISIT_PASSWORD")
    missing = tmp_path / "nowhere.db"
    assert main(["audit", "list", "--db", str(missing)]) == 1
    err = capsys.readouterr().err
    assert f"错误:找不到数据库文件“{missing}”。" in err and "需要密码" not in err
    assert list(tmp_path.iterdir()) == []  # nothing created


def test_no_password_and_no_terminal_says_where_to_put_it(
    encrypted_db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("GRIDVISIT_PASSWORD")
    monkeypatch.setattr(sys, "stdin", io.StringIO())  # no terminal to ask in
    assert main(["user", "list", "--db", str(encrypted_db)]) == 1
    err = capsys.readouterr().err
    assert "需要密码,但没有提供。" in err and "GRIDVISIT_PASSWORD" in err


def test_the_only_key_slot_logs_in_without_user(
    encrypted_db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["user", "list", "--db", str(encrypted_db)]) == 0
    assert capsys.readouterr().out.startswith("bob\t鲍勃\t街道管理员")


def test_a_plain_file_is_refused_without_no_encryption(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = tmp_path / "plain.db"
    assert main(["--no-encryption", "init", "--db", str(plain)]) == 0
    capsys.readouterr()
    assert main(["user", "list", "--db", str(plain)]) == 1
    assert "没有加密" in capsys.readouterr().err
    assert main(["user", "list", "--db", str(plain), "--no-encryption"]) == 0


def test_logged_in_disposes_even_when_the_command_fails(encrypted_db: Path) -> None:
    args = argparse.Namespace(db=str(encrypted_db), user=None, no_encryption=False)
    disposed = []
    with pytest.raises(GridVisitError, match="半路"), session.logged_in(args) as s:
        assert s.actor.username == "bob"
        assert s.services.users.list()  # services act as the logged-in user
        real = s.db.dispose
        s.db.dispose = lambda: (disposed.append(True), real())  # type: ignore[method-assign]
        raise GridVisitError("半路出错")
    assert disposed == [True]


def test_merge_creates_a_missing_target_with_its_first_admin(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = argparse.Namespace(user=None, no_encryption=False)
    target = tmp_path / "sub.db"
    login = session.login(args, target, create=True)
    try:
        assert login.actor.username == "admin"
    finally:
        login.db.dispose()
    assert f"已新建加密数据库 {target},管理员 admin。" in capsys.readouterr().err
    assert Path(f"{target}.keys").exists()


def _fail(exc: BaseException):  # type: ignore[no-untyped-def]
    def handler(_args: argparse.Namespace) -> int:
        raise exc

    return handler


def test_run_maps_errors_to_exit_codes(
    capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    args = argparse.Namespace(command="check")
    assert session.run(lambda _a: 0, args, None) == 0
    assert session.run(_fail(GridVisitError("数据有误。", hint="请改正。")), args, None) == 1
    assert capsys.readouterr().err == "错误:数据有误。\n请改正。\n"
    assert session.run(_fail(KeyboardInterrupt()), args, None) == 130
    assert capsys.readouterr().err == "已取消。\n"
    log = tmp_path / "gridvisit.log"
    with caplog.at_level(logging.ERROR):
        assert session.run(_fail(ZeroDivisionError("boom")), args, log) == 3
    err = capsys.readouterr().err
    assert err == f"程序内部错误,详情已记录在 {log}。请把该文件发给技术支持。\n"
    assert "Traceback" not in err
    assert "unexpected error in command check" in caplog.text and "ZeroDivisionError" in caplog.text
