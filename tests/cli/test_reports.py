"""gridvisit/cli/reports.py: `gridvisit report weekly`."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from gridvisit.cli import main


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "demo.db"
    assert (
        main(
            [
                "demo",
                "--no-encryption",
                "--db",
                str(path),
                "--households",
                "120",
                "--end-date",
                "2026-11-20",
            ]
        )
        == 0
    )
    return path


def test_report_weekly_writes_a_pdf(
    small_demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "w47.pdf"
    conn = sqlite3.connect(small_demo)
    community = conn.execute("SELECT name FROM community ORDER BY name").fetchone()[0]
    conn.close()
    argv = ["--no-encryption", "report", "weekly", "--db", str(small_demo), "--week", "2026-W47"]
    assert main([*argv, "--community", community, "-o", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF")
    said = capsys.readouterr().out
    assert f"{community} 2026-W47" in said and "新增" in said
    assert "延期后按期" in said
    # This year or next without a schedule (none was entered): the command says so.
    from datetime import date

    from gridvisit.core.workdays import WorkCalendar

    year = date.today().year
    if not all(WorkCalendar().knows(y) for y in (year, year + 1)):
        assert "提示:尚未录入" in said and "周一至周五" in said


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--week", "2026-W54"], "没有第 54 周"),
        (["--week", "47"], "格式不对"),
        (["--week", "2026-W47", "--community", "没有的社区"], "找不到名为“没有的社区”的社区"),
        (["--week", "2026-W47", "--grid", "没有的网格"], "找不到名为“没有的网格”的网格"),
    ],
)
def test_report_weekly_refuses_bad_input_and_writes_nothing(
    small_demo: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    message: str,
) -> None:
    out = tmp_path / "w.pdf"
    argv = ["--no-encryption", "report", "weekly", "--db", str(small_demo)]
    assert main([*argv, *extra, "-o", str(out)]) == 1
    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
