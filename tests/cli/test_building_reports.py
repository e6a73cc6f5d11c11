"""`gridvisit report household|sweep|buildings` (issue 20): the prints read back with
pdftotext, masked by default, refused outside a worker's area or on bad input with a
Chinese message, exit 1 and nothing written."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

from gridvisit.cli import main

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs pdftotext")

END = "2026-11-20"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bv") / "demo.db"
    argv = ["demo", "--no-encryption", "--db", str(path), "--households", "300"]
    assert main([*argv, "--end-date", END]) == 0
    return path


def _text(pdf: Path, *options: str) -> str:
    return subprocess.run(
        ["pdftotext", *options, str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout


def _one(db: Path, sql: str, *params: object) -> tuple:  # type: ignore[type-arg]
    conn = sqlite3.connect(db)
    try:
        return tuple(conn.execute(sql, params).fetchone())
    finally:
        conn.close()


BASE = ["--no-encryption", "report"]


def test_household_card_by_uuid(demo: Path, tmp_path: Path) -> None:
    uuid, hid, b, u, r = _one(
        demo,
        "SELECT h.uuid, h.id, building, unit, room FROM household h"
        " WHERE EXISTS (SELECT 1 FROM problem p WHERE p.household_id = h.id) LIMIT 1",
    )
    (head,) = _one(
        demo, "SELECT name FROM resident WHERE household_id=? ORDER BY is_head DESC, id", hid
    )
    out = tmp_path / "card.pdf"
    assert main([*BASE, "household", "--db", str(demo), "--household", uuid, "-o", str(out)]) == 0
    text = _text(out)
    assert "一户一档" in text and f"{b}栋{u}单元{r}室" in text
    assert "家庭成员" in text and "最近走访" in text and "未办结问题" in text
    assert "已办结问题" in text
    assert head not in text and head[0] + "*" in text  # masked by default


def test_household_card_by_address_needs_the_grid_when_it_repeats(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    b, u, r, grid = _one(
        demo,
        "SELECT building, unit, room, g.name FROM household h"
        " JOIN building_group bg ON bg.id = h.building_group_id JOIN grid g ON g.id = bg.grid_id"
        " ORDER BY h.id LIMIT 1",
    )
    out = tmp_path / "card.pdf"
    argv = [*BASE, "household", "--db", str(demo), "--household", f"{b}号楼{u}单元{r}室"]
    assert main([*argv, "-o", str(out)]) == 1
    assert "--grid" in capsys.readouterr().err and not out.exists()
    assert main([*argv, "--grid", grid, "-o", str(out)]) == 0
    assert f"{b}栋{u}单元{r}室" in _text(out)


def test_sweep_list_in_walking_order_with_tick_boxes(demo: Path, tmp_path: Path) -> None:
    (grid,) = _one(demo, "SELECT name FROM grid ORDER BY id LIMIT 1")
    out = tmp_path / "sweep.pdf"
    argv = [*BASE, "sweep", "--db", str(demo), "--grid", grid, "--week", "2026-W47"]
    assert main([*argv, "-o", str(out)]) == 0
    text = _text(out, "-layout")
    assert "走访清单" in text and "2026年第47周" in text and "走访情况" in text
    # Building headings come in order, each with its households.
    headings = [line.split("(")[0].strip() for line in text.splitlines() if "户)" in line]
    numbers = [int(h.split("栋")[0]) for h in headings if h and h.split("栋")[0].isdigit()]
    assert numbers and numbers == sorted(numbers)


def test_building_chart_on_a4(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    group, grid, buildings = _one(
        demo,
        "SELECT bg.name, g.name, bg.buildings FROM building_group bg JOIN grid g"
        " ON g.id = bg.grid_id ORDER BY bg.id LIMIT 1",
    )
    out = tmp_path / "chart.pdf"
    argv = [*BASE, "buildings", "--db", str(demo), "--building-group", group, "--grid", grid]
    assert main([*argv, "-o", str(out)]) == 0
    text = _text(out)
    assert "楼栋图" in text and "1层" in text
    for b in buildings.split(","):
        assert f"{b}栋" in text
    assert "A4" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["sweep", "--grid", "没有的网格", "--week", "2026-W47"], "找不到名为“没有的网格”的网格"),
        (["sweep", "--grid", "X", "--week", "2026-W60"], "没有第 60 周"),
        (["buildings", "--building-group", "没有的小组"], "找不到名为“没有的小组”的楼栋党小组"),
        (["household", "--household", "张三家"], "不是住户编号,也不是地址"),
        (["household", "--household", "999栋1单元101室"], "找不到地址为"),
    ],
)
def test_bad_input_is_refused_in_chinese_and_nothing_written(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    out = tmp_path / "x.pdf"
    assert main([*BASE, extra[0], "--db", str(demo), *extra[1:], "-o", str(out)]) == 1
    assert message in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_a_worker_prints_only_their_area(
    demo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine, other = _one(
        demo,
        "SELECT g.name, (SELECT name FROM grid WHERE id != g.id ORDER BY id LIMIT 1)"
        " FROM user_grid ug JOIN app_user u ON u.id = ug.user_id JOIN grid g ON g.id = ug.grid_id"
        " WHERE u.username = 'worker1'",
    )
    worker = ["--no-encryption", "--user", "worker1", "report", "sweep", "--db", str(demo)]
    out = tmp_path / "s.pdf"
    assert main([*worker, "--grid", other, "--week", "2026-W47", "-o", str(out)]) == 1
    assert "不在您负责的" in capsys.readouterr().err and not out.exists()
    assert main([*worker, "--grid", mine, "--week", "2026-W47", "--unmasked", "-o", str(out)]) == 1
    assert "权限" in capsys.readouterr().err and not out.exists()
    assert main([*worker, "--grid", mine, "--week", "2026-W47", "-o", str(out)]) == 0


def test_full_names_for_an_admin_are_audited(demo: Path, tmp_path: Path) -> None:
    uuid, hid = _one(demo, "SELECT uuid, id FROM household ORDER BY id LIMIT 1")
    (head,) = _one(
        demo, "SELECT name FROM resident WHERE household_id=? ORDER BY is_head DESC, id", hid
    )
    out = tmp_path / "card.pdf"
    argv = [*BASE, "household", "--db", str(demo), "--household", uuid, "--full-names"]
    assert main([*argv, "-o", str(out)]) == 0
    text = _text(out)
    assert head in text and "本文件含居民个人信息" in text
    (n,) = _one(demo, "SELECT count(*) FROM audit_entry WHERE action = 'report.full_names'")
    assert n >= 1


def test_a_rented_house_card_names_the_owner_masked_and_the_tenants(
    demo: Path, tmp_path: Path
) -> None:
    uuid, owner, phone, tenants = _one(
        demo,
        "SELECT uuid, owner_name, owner_phone, tenant_count FROM household"
        " WHERE house_status = 'rented' AND owner_name != '' ORDER BY id LIMIT 1",
    )
    out = tmp_path / "card.pdf"
    assert main([*BASE, "household", "--db", str(demo), "--household", uuid, "-o", str(out)]) == 0
    text = _text(out)
    assert "出租" in text and "租赁备案号" in text
    assert f"租住人数\n\n{tenants}人" in text.replace(" ", "")
    assert owner not in text and owner[0] + "*" in text
    assert phone not in text and phone[:3] + "****" + phone[-4:] in text
