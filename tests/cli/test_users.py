"""gridvisit/cli/users.py: `gridvisit user add|passwd|list`."""

from __future__ import annotations

from pathlib import Path

import pytest

from gridvisit.cli import main

OLD, NEW = "gridvisit-demo", "a-new-pass-9"  # tests/cli/conftest.py sets OLD


@pytest.fixture
def plain_db(tmp_path: Path) -> list[str]:
    path = tmp_path / "u.db"
    assert main(["--no-encryption", "init", "--db", str(path)]) == 0
    return ["--no-encryption", "--db", str(path)]


def test_add_list_and_passwords(
    plain_db: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GRIDVISIT_NEW_PASSWORD", OLD)
    add = ["user", "add", *plain_db, "carol", "--name", "卡罗尔", "--role", "subdistrict_admin"]
    assert main(add) == 0
    assert "已添加用户 carol(街道管理员)。" in capsys.readouterr().out
    assert main(["user", "list", *plain_db]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "admin\t管理员\t街道管理员",
        "carol\t卡罗尔\t街道管理员",
    ]
    # Her own password: the old one is asked for too.
    monkeypatch.setenv("GRIDVISIT_NEW_PASSWORD", NEW)
    assert main(["user", "passwd", *plain_db, "--user", "carol"]) == 0
    assert capsys.readouterr().out == "密码已修改。\n"
    assert main(["user", "list", *plain_db, "--user", "carol"]) == 1  # OLD no longer opens
    assert "用户名或密码不正确" in capsys.readouterr().err
    monkeypatch.setenv("GRIDVISIT_PASSWORD", NEW)
    assert main(["user", "list", *plain_db, "--user", "carol"]) == 0
    # An admin resets someone else's.
    monkeypatch.setenv("GRIDVISIT_PASSWORD", OLD)
    monkeypatch.setenv("GRIDVISIT_NEW_PASSWORD", "reset-pass-77")
    capsys.readouterr()
    assert main(["user", "passwd", *plain_db, "carol"]) == 0
    assert capsys.readouterr().out == "已重设 carol 的密码。\n"


def test_unknown_user_and_grid_exit_1(
    plain_db: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GRIDVISIT_NEW_PASSWORD", NEW)
    assert main(["user", "passwd", *plain_db, "nobody"]) == 1
    err = capsys.readouterr().err
    assert "找不到用户“nobody”。" in err and "gridvisit user list" in err
    add = ["user", "add", *plain_db, "dan", "--name", "丹", "--role", "grid_worker"]
    assert main([*add, "--grid", "没有的社区/没有的网格"]) == 1
    assert "找不到" in capsys.readouterr().err
    assert main(["user", "list", *plain_db]) == 0
    assert "dan" not in capsys.readouterr().out  # nothing half-written


def test_deactivate_activate_and_import(
    plain_db: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from openpyxl import Workbook, load_workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["用户名", "姓名", "角色", "网格/社区", "电话"])
    ws.append(["sun", "孙街道", "街道管理员", "", ""])
    ws.append(["sun", "重复", "组长", "", ""])
    wb.save(tmp_path / "bad.xlsx")
    handout = tmp_path / "pw.xlsx"
    assert main(["user", "import", *plain_db, str(tmp_path / "bad.xlsx"), "-o", str(handout)]) == 1
    err = capsys.readouterr().err
    assert "第 3 行“用户名”:与第 2 行重复" in err and "没有添加任何用户" in err
    assert not handout.exists()
    ws.delete_rows(3)
    wb.save(tmp_path / "good.xlsx")
    assert main(["user", "import", *plain_db, str(tmp_path / "good.xlsx"), "-o", str(handout)]) == 0
    assert "已添加 1 个用户" in capsys.readouterr().out
    sheet = load_workbook(handout).active
    assert sheet is not None
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    password = next(r for r in rows if r[0] == "sun")[4]
    monkeypatch.setenv("GRIDVISIT_PASSWORD", password)
    assert main(["user", "list", *plain_db, "--user", "sun"]) == 0  # the handout's password opens
    monkeypatch.setenv("GRIDVISIT_PASSWORD", OLD)
    assert main(["user", "deactivate", *plain_db, "admin"]) == 1  # not oneself
    assert "不能停用自己的账号" in capsys.readouterr().err
    assert main(["user", "deactivate", *plain_db, "sun"]) == 0
    monkeypatch.setenv("GRIDVISIT_PASSWORD", password)
    assert main(["user", "list", *plain_db, "--user", "sun"]) == 1
    monkeypatch.setenv("GRIDVISIT_PASSWORD", OLD)
    assert main(["user", "activate", *plain_db, "sun"]) == 0
    assert "已重新启用 sun。" in capsys.readouterr().out
    monkeypatch.setenv("GRIDVISIT_PASSWORD", password)
    assert main(["user", "list", *plain_db, "--user", "sun"]) == 0
