"""gridvisit/cli/ledger.py: `gridvisit ledger export|import`."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from gridvisit.cli import main
from gridvisit.exchange.ledger import expected_columns_text


def test_import_help_lists_the_roster_columns(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["ledger", "import", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "需要的列(第一行为表头):" in out
    assert expected_columns_text().splitlines()[0] in out
    for column in ("社区", "网格", "楼栋党小组", "楼栋", "室", "姓名"):
        assert column in out


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cli") / "demo.db"
    argv = ["demo", "--no-encryption", "--db", str(path), "--households", "120", "--weeks", "4"]
    assert main(argv) == 0
    return path


def _residents(path: Path) -> tuple[int, int]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(
            "SELECT count(*), count(NULLIF(id_number, '')) FROM resident"
        ).fetchone()
    finally:
        conn.close()


def test_export_import_twice_through_the_command_line(
    small_demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ledger = tmp_path / "h.xlsx"
    db = ["--no-encryption", "--db"]
    assert main(["ledger", "export", *db, str(small_demo), "--kind", "households",
                 "--unmasked", "-o", str(ledger)]) == 0  # fmt: skip
    ws = load_workbook(ledger).active
    ids = sum(1 for (v,) in ws.iter_rows(min_row=2, min_col=8, max_col=8, values_only=True) if v)
    fresh = tmp_path / "fresh.db"
    assert main(["init", *db, str(fresh)]) == 0
    capsys.readouterr()
    assert main(["ledger", "import", *db, str(fresh), str(ledger)]) == 0
    out = capsys.readouterr().out
    assert "住户:新增 120,更新 0,未变 0" in out and "居民:新增 120,更新 0,未变 0" in out
    assert "未使用的列" in out and "人数" in out and "最近走访" in out and "重点人群" in out
    assert _residents(fresh) == (120, ids)
    assert main(["ledger", "import", *db, str(fresh), str(ledger)]) == 0
    out = capsys.readouterr().out
    assert "住户:新增 0,更新 0,未变 120" in out and "居民:新增 0,更新 0,未变 120" in out
    assert _residents(fresh) == (120, ids)


def test_a_masked_ledger_or_a_bad_roster_exits_1_and_writes_nothing(
    small_demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = ["--no-encryption", "--db"]
    masked = tmp_path / "m.xlsx"
    assert main(["ledger", "export", *db, str(small_demo), "--kind", "households",
                 "-o", str(masked)]) == 0  # fmt: skip
    fresh = tmp_path / "fresh.db"
    assert main(["init", *db, str(fresh)]) == 0
    capsys.readouterr()
    assert main(["ledger", "import", *db, str(fresh), str(masked)]) == 1
    err = capsys.readouterr().err
    # One line for the whole masked ledger, not one per row.
    assert "第 2、3、4 等共 120 行“户主”:姓名已打码" in err and "未导入任何数据" in err
    assert err.count("姓名已打码") == 1
    assert _residents(fresh) == (0, 0)
    wb = Workbook()
    wb.active.append(["社区", "网格", "姓名"])
    wb.active.append(["桂花社区", "玉兰苑网格", "王芳"])
    wb.save(tmp_path / "short.xlsx")
    assert main(["ledger", "import", *db, str(fresh), str(tmp_path / "short.xlsx")]) == 1
    err = capsys.readouterr().err
    assert "第 1 行(表头)缺少必需的列:楼栋党小组、楼栋、室" in err
    assert _residents(fresh) == (0, 0)
