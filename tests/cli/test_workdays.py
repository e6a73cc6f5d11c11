"""gridvisit/cli/workdays.py: `gridvisit calendar show|set-year`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from gridvisit.cli import main
from gridvisit.core.workdays import WorkCalendar, builtin_years


@pytest.fixture
def plain_db(tmp_path: Path) -> list[str]:
    path = tmp_path / "c.db"
    assert main(["--no-encryption", "init", "--db", str(path)]) == 0
    return ["--no-encryption", "--db", str(path)]


def test_set_year_from_arguments_then_show(
    plain_db: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["calendar", "show", *plain_db, "--year", "2031"]) == 0
    out = capsys.readouterr().out
    assert f"程序自带:2004–{builtin_years()[-1]} 年" in out
    assert "2031 年:没有安排,按周一至周五计算工作日。" in out
    args = ["calendar", "set-year", *plain_db, "--year", "2031"]
    assert (
        main(
            [
                *args,
                "--holidays",
                "2031-01-01",
                "2031-01-22..2031-01-28",
                "--workdays",
                "2031-01-19",
            ]
        )
        == 0
    )
    assert (
        "已录入 2031 年节假日安排:放假 8 天(其中周一至周五 6 天),调休上班 1 天。"
        in capsys.readouterr().out
    )
    assert main(["calendar", "show", *plain_db, "--year", "2031"]) == 0
    out = capsys.readouterr().out
    assert "本库录入:2031 年" in out and "调休上班:2031-01-19" in out


def test_set_year_from_a_file_and_bad_input(
    plain_db: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = tmp_path / "2032.txt"
    text.write_text(
        "# 2032 年\n假日: 2032-01-01, 2032-10-01..2032-10-07\n上班:2032-09-26\n", "utf-8"
    )
    assert main(["calendar", "set-year", *plain_db, "--year", "2032", "--file", str(text)]) == 0
    assert "放假 8 天" in capsys.readouterr().out
    js = tmp_path / "2033.json"
    js.write_text('{"holidays": ["2033-01-03"], "workdays": ["2033-01-08"]}', "utf-8")
    assert main(["calendar", "set-year", *plain_db, "--year", "2033", "--file", str(js)]) == 0
    capsys.readouterr()
    assert (
        main(["calendar", "set-year", *plain_db, "--year", "2033", "--holidays", "2034-01-01"]) == 1
    )
    assert "不在 2033 年" in capsys.readouterr().err
    assert (
        main(
            [
                "calendar",
                "set-year",
                *plain_db,
                "--year",
                "2033",
                "--holidays",
                "2033-01-01",
                "--workdays",
                "2033-01-04",
            ]
        )
        == 1
    )
    assert "调休上班日应是周六或周日" in capsys.readouterr().err
    text.write_text("胡说 2032-01-01\n", "utf-8")
    assert main(["calendar", "set-year", *plain_db, "--year", "2032", "--file", str(text)]) == 1
    assert "第 1 行无法识别" in capsys.readouterr().err


def test_show_warns_when_next_year_is_missing(
    plain_db: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert main(["calendar", "show", *plain_db]) == 0
    out = capsys.readouterr().out
    year = date.today().year
    missing = [y for y in (year, year + 1) if not WorkCalendar().knows(y)]
    if missing:  # 2027 when this was written: the package knew 2004-2026
        assert f"提示:尚未录入{missing[0]} 年" in out and "周一至周五" in out
    else:
        assert "提示" not in out
