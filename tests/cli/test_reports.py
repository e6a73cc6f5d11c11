"""gridvisit/cli/reports.py: `gridvisit report weekly`."""

from __future__ import annotations

import os
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


# --- report monthly ------------------------------------------------------------------

MONTHLY = ["--no-encryption", "report", "monthly"]


def test_report_monthly_writes_a_pdf_and_a_workbook(
    small_demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from openpyxl import load_workbook

    pdf, xlsx = tmp_path / "m.pdf", tmp_path / "m.xlsx"
    argv = [*MONTHLY, "--db", str(small_demo), "--month", "2026-11"]
    assert main([*argv, "-o", str(pdf), "--xlsx", str(xlsx)]) == 0
    assert pdf.read_bytes().startswith(b"%PDF")
    assert "主要指标" in load_workbook(xlsx).sheetnames
    said = capsys.readouterr().out
    assert "2026年11月 网格走访与问题办理统计表" in said and "走访覆盖率" in said
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.pdf", "m.xlsx"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--quarter", "2026-Q4"], "2026年第4季度"),
        (["--year", "2026"], "2026年 网格走访"),
    ],
)
def test_report_monthly_quarter_and_year(
    small_demo: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    message: str,
) -> None:
    out = tmp_path / "q.pdf"
    assert main([*MONTHLY, "--db", str(small_demo), *extra, "-o", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF")
    assert message in capsys.readouterr().out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--month", "2026-13"], "月份 13 不在 1–12 之间"),
        (["--month", "2026/11"], "格式不对"),
        (["--quarter", "2026-Q5"], "季度 5 不在 1–4 之间"),
        (["--year", "26"], "格式不对"),
        (["--month", "2026-11", "--year", "2026"], "统计期只能指定一种"),
        (["--month", "2099-01"], "尚未开始"),
        ([], "请指定统计期"),
        (["--month", "2026-11", "--community", "没有的社区"], "找不到名为“没有的社区”的社区"),
        (["--month", "2026-11", "--grid", "没有的网格"], "找不到名为“没有的网格”的网格"),
    ],
)
def test_report_monthly_refuses_bad_input_and_writes_nothing(
    small_demo: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    message: str,
) -> None:
    out = tmp_path / "m.pdf"
    argv = [*MONTHLY, "--db", str(small_demo), *extra]
    assert main([*argv, "-o", str(out), "--xlsx", str(tmp_path / "m.xlsx")]) == 1
    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_report_monthly_refuses_unwritable_outputs(
    small_demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [*MONTHLY, "--db", str(small_demo), "--month", "2026-11"]
    assert main([*argv, "-o", str(tmp_path / "nowhere" / "m.pdf")]) == 1
    assert f"文件夹“{tmp_path / 'nowhere'}”不存在" in capsys.readouterr().err
    assert main([*argv, "-o", str(tmp_path)]) == 1
    assert "是一个文件夹" in capsys.readouterr().err
    assert main(argv) == 1
    assert "-o" in capsys.readouterr().err
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        if not os.access(locked, os.W_OK):  # root writes anywhere
            assert main([*argv, "-o", str(locked / "m.pdf")]) == 1
            assert "没有写权限" in capsys.readouterr().err
            assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o700)
    assert [p.name for p in tmp_path.iterdir()] == ["locked"]


def test_report_monthly_failing_build_leaves_the_old_file(
    small_demo: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from gridvisit.reports import statistics_xlsx

    pdf, xlsx = tmp_path / "m.pdf", tmp_path / "m.xlsx"
    pdf.write_bytes(b"old pdf")

    def broken(data: object) -> bytes:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(statistics_xlsx, "xlsx_bytes", broken)
    argv = [*MONTHLY, "--db", str(small_demo), "--month", "2026-11"]
    assert main([*argv, "-o", str(pdf), "--xlsx", str(xlsx)]) != 0
    capsys.readouterr()
    # Both are built before either is written: the old PDF is untouched, no xlsx.
    assert pdf.read_bytes() == b"old pdf"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.pdf"]
