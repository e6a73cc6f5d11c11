"""File names the app makes up (packages, weekly lists, ledgers) are ones Windows
accepts, whatever a community or grid is called, and two that clean to the same name
never overwrite each other."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from gridvisit.core.files import NAME_BYTES, safe_file_name, unique_path
from gridvisit.demo.generate import generate_demo
from gridvisit.exchange.export import export_per_grid
from gridvisit.exchange.package import read_package
from gridvisit.storage import open_database
from gridvisit.storage.models import Community, Grid

# Windows' rules, written out independently of the helper.
FORBIDDEN = set('<>:"/\\|?*') | {chr(c) for c in range(32)} | {"\x7f"}
RESERVED = re.compile(r"^(CON|PRN|AUX|NUL|CONIN\$|CONOUT\$|COM[1-9¹²³]|LPT[1-9¹²³])(\..*)?$", re.I)


def windows_accepts(name: str) -> bool:
    return (
        bool(name)
        and not FORBIDDEN & set(name)
        and not name.endswith((".", " "))
        and not RESERVED.match(name)
        and name not in {".", ".."}
        and len(name.encode("utf-8")) <= 255
        and len(name.encode("utf-16-le")) // 2 <= 255
    )


@pytest.mark.parametrize(
    ("given_name", "expected"),
    [
        ("东区:一网格_2026-W05_问题清单.pdf", "东区_一网格_2026-W05_问题清单.pdf"),
        ('a<b>c"d/e\\f|g?h*i.gvpkg', "a_b_c_d_e_f_g_h_i.gvpkg"),
        ("制表\t换行\n回车\r.xlsx", "制表_换行_回车.xlsx"),
        ("控制\x00\x01\x1f\x7f字符.pdf", "控制_字符.pdf"),
        ("尾部点...", "尾部点"),
        ("尾部空格   ", "尾部空格"),
        ("名字. . .pdf", "名字._.pdf"),
        ("CON", "_CON"),
        (".pdf", "文件.pdf"),
        ("\xa0.pdf", "文件.pdf"),
        ("con.pdf", "_con.pdf"),
        ("Nul.tar.gz", "_Nul.tar.gz"),
        ("COM1.gvpkg", "_COM1.gvpkg"),
        ("lpt9.xlsx", "_lpt9.xlsx"),
        ("AUX .pdf", "_AUX.pdf"),  # Windows drops the space: AUX
        ("AUX  ", "_AUX"),
        ("CONSOLE.pdf", "CONSOLE.pdf"),  # only the exact device names are reserved
        ("COM10.pdf", "COM10.pdf"),
        ("", "文件"),
        ("...", "文件"),
        ("???.pdf", "文件.pdf"),
        ("  前后空格  .pdf", "前后空格.pdf"),
    ],
)
def test_names_windows_forbids_are_never_produced(given_name: str, expected: str) -> None:
    assert safe_file_name(given_name) == expected
    assert windows_accepts(expected)


def test_a_long_chinese_name_is_cut_to_fit_and_keeps_its_suffix() -> None:
    name = safe_file_name("锦绣花园社区" * 60 + ".gvpkg")
    assert name.endswith(".gvpkg")
    assert len(name.encode("utf-8")) <= NAME_BYTES
    assert name.startswith("锦绣花园社区")
    assert windows_accepts(name)


@given(st.text(max_size=300), st.sampled_from([".pdf", ".gvpkg", ".xlsx", ""]))
def test_any_text_makes_a_name_windows_accepts(text: str, suffix: str) -> None:
    name = safe_file_name(text + suffix)
    assert windows_accepts(name), repr(name)
    assert name.endswith(suffix)


def test_unique_path_never_hands_out_a_name_twice(tmp_path: Path) -> None:
    taken: set[str] = set()
    first = unique_path(tmp_path, "社区_A:B_1.gvpkg", taken)
    second = unique_path(tmp_path, "社区_A?B_1.gvpkg", taken)
    third = unique_path(tmp_path, "社区_a_b_1.GVPKG", taken)  # NTFS ignores case
    assert first.name == "社区_A_B_1.gvpkg"
    assert second.name == "社区_A_B_1 (2).gvpkg"
    assert third.name == "社区_a_b_1 (3).GVPKG"
    (tmp_path / "已有.pdf").write_bytes(b"old")
    assert unique_path(tmp_path, "已有.pdf").name == "已有 (2).pdf"  # never over a file
    assert (tmp_path / "已有.pdf").read_bytes() == b"old"


def test_per_grid_export_of_two_grids_that_clean_to_one_name_writes_both(
    tmp_path: Path,
) -> None:
    path = tmp_path / "grids.db"
    generate_demo(path, households=40, weeks=1, end=date(2026, 3, 1))
    db = open_database(path)
    try:
        with db.session() as s:
            grids = s.scalars(select(Grid).order_by(Grid.id).limit(2)).all()
            assert len(grids) == 2
            community = s.get(Community, grids[0].community_id)
            assert community is not None
            grids[1].community_id = community.id  # two grids of one community
            grids[0].name, grids[1].name = "东区:1", "东区?1"
            community.name = "CON"
            ids = {grids[0].id, grids[1].id}
        out = tmp_path / "packages"
        out.mkdir()
        results = export_per_grid(db, out, grid_ids=ids, full=True)
    finally:
        db.dispose()
    names = [r.path.name for r in results]
    assert len(set(names)) == 2, names
    assert any(n.endswith(" (2).gvpkg") for n in names), names
    assert all(windows_accepts(n) for n in names)
    assert all(n.startswith("CON_东区_1_") for n in names)  # CON alone is reserved, not this
    written = sorted(p.name for p in out.iterdir())
    assert written == sorted(names)
    carried = {read_package(r.path).manifest.grid_names for r in results}
    assert carried == {"东区:1", "东区?1"}


def test_the_weekly_lists_default_name_is_safe() -> None:
    from types import SimpleNamespace

    from gridvisit.reports.weekly import default_file_name

    report = SimpleNamespace(scope_name="东区/一网格: 试点?", week="2026-W05")
    name = default_file_name(report)  # type: ignore[arg-type]
    assert name == "东区_一网格_试点__2026-W05_问题清单.pdf"
    assert windows_accepts(name)
