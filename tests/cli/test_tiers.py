"""gridvisit/cli/tiers.py: `gridvisit tier list|set|group`."""

from __future__ import annotations

from pathlib import Path

import pytest

from gridvisit.cli import main


@pytest.fixture
def plain_db(tmp_path: Path) -> list[str]:
    path = tmp_path / "t.db"
    assert main(["--no-encryption", "init", "--db", str(path)]) == 0
    return ["--no-encryption", "--db", str(path)]


def test_list_set_and_group(plain_db: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tier", "list", *plain_db]) == 0
    out = capsys.readouterr().out
    assert "semiannual\t半年\t每 182 天" in out and "annual\t年\t每 365 天" in out
    assert main(["tier", "set", *plain_db, "一般", "--days", "120", "--name", "普通"]) == 0
    assert capsys.readouterr().out == "已修改走访等级 normal:普通,每 120 天。\n"
    assert main(["tier", "group", *plain_db, "退役军人", "半年"]) == 0
    assert "退役军人 → semiannual" in capsys.readouterr().out
    assert main(["tier", "list", *plain_db]) == 0
    assert "veteran\t退役军人\t半年" in capsys.readouterr().out
    assert main(["tier", "set", *plain_db, "无此等级", "--days", "3"]) == 1
    assert "没有走访等级" in capsys.readouterr().err
    assert main(["tier", "set", *plain_db, "key"]) == 1
