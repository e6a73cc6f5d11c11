from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from gridvisit.core.records import ResidentInput
from gridvisit.exchange.ledger import LedgerError, export_ledger, import_roster
from gridvisit.storage import Database, open_database
from gridvisit.storage.models import Household, Resident, SpecialGroup
from tests.exchange.test_merge import services_for

HOSTILE = ["=cmd|' /C calc'!A0", "@SUM(1)", "\t=1+1", "+1+1", "-2+3"]


def _sheet_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as zf:
        return zf.read("xl/worksheets/sheet1.xml").decode()


@pytest.mark.parametrize("kind", ["households", "visits", "problems"])
def test_export_has_chinese_headers_frozen_row_dates_and_masking(
    source: Database, tmp_path: Path, kind: str
) -> None:
    path = tmp_path / f"{kind}.xlsx"
    result = export_ledger(source, kind, path)
    ws = load_workbook(path).active
    assert ws.freeze_panes == "A2"
    headers = [c.value for c in ws[1]]
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in h) for h in headers)
    assert ws.max_row == result.rows + 1 > 10
    first = [c.value for c in ws[2]]
    time_col = {"households": "最近走访", "visits": "走访时间", "problems": "上报时间"}[kind]
    assert isinstance(first[headers.index(time_col)], datetime | None)
    column = [r[headers.index(time_col)] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert any(isinstance(v, datetime) for v in column)
    widths = [ws.column_dimensions[c.column_letter].width for c in ws[1]]
    assert min(widths) >= 4 and max(widths) <= 62
    text = "\n".join(str(c.value) for row in ws.iter_rows(min_row=2) for c in row if c.value)
    with source.read_session() as s:
        ids = s.scalars(select(Resident.id_number).where(Resident.id_number != "")).all()
        names = s.scalars(select(Resident.name).where(Resident.is_head)).all()
    assert not any(i in text for i in ids[:200])
    if kind == "households":
        assert "*" in text and not any(f"\n{n}\n" in text for n in names[:200])


def test_unmasked_export_shows_full_values(source: Database, tmp_path: Path) -> None:
    export_ledger(source, "households", tmp_path / "h.xlsx", masked=False)
    ws = load_workbook(tmp_path / "h.xlsx").active
    ids = [c.value for c in ws["H"][1:] if c.value]
    assert ids and all("*" not in i and len(i) == 18 for i in ids)


def test_cells_that_look_like_formulas_stay_text(tmp_path: Path) -> None:
    db = open_database(tmp_path / "f.db", create=True)
    svc = services_for(db)
    c = svc.hierarchy.add_community("桂花社区")
    g = svc.hierarchy.add_grid(c.id, "玉兰苑网格")
    b = svc.hierarchy.add_building_group(g.id, "1号楼党小组")
    for n, text in enumerate(HOSTILE):
        h = svc.households.register(b.id, "1", "1", f"10{n}", notes=text)
        svc.households.add_resident(h.id, ResidentInput(name="李四", notes=text))
    path = tmp_path / "h.xlsx"
    export_ledger(db, "households", path, masked=False)
    xml = _sheet_xml(path)
    assert "<f>" not in xml and "<f " not in xml
    ws = load_workbook(path).active
    notes = [c for c in ws["O"][1:]]
    assert sorted(c.value for c in notes) == sorted(h.strip() for h in HOSTILE)
    assert all(c.data_type == "s" for c in notes)
    db.dispose()


def _roster(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


GOOD_HEADER = ["所属社区", "网格名称", "党小组", "楼号", "单元号", "房号", "姓名", "身份证号码", "手机号", "与户主关系"]  # fmt: skip


def test_roster_import_with_header_variants(tmp_path: Path) -> None:
    db = open_database(tmp_path / "r.db", create=True)
    path = _roster(
        tmp_path / "r.xlsx",
        GOOD_HEADER,
        [
            ["桂花社区", "玉兰苑网格", "1号楼党小组", 1, 1, 101, "王芳", "11010519491231002X", "13812345678", "户主"],
            ["桂花社区", "玉兰苑网格", "1号楼党小组", 1, 1, 101, "王小明", "", "", "子女"],
            ["桂花社区", "玉兰苑网格", "2号楼党小组", "2", "", "301", "赵六", "", "0592-5551234", ""],
            [None] * 10,
        ],
    )  # fmt: skip
    result = import_roster(db, path)
    assert result.imported and result.errors == []
    assert (result.households_added, result.residents_added) == (2, 3)
    with db.read_session() as s:
        rooms = s.scalars(select(Household.room).order_by(Household.room)).all()
        heads = s.scalars(select(Resident.name).where(Resident.is_head)).all()
        gender, born = s.execute(
            select(Resident.gender, Resident.birth_date).where(Resident.name == "王芳")
        ).one()
    assert rooms == ["101", "301"]
    assert sorted(heads) == ["王芳", "赵六"]
    assert gender == "F" and born.year == 1949
    again = import_roster(db, path)  # the same roster twice adds no one
    assert (again.households_added, again.residents_added, again.residents_unchanged) == (0, 0, 3)
    db.dispose()


def test_invalid_rows_are_all_reported_and_nothing_imported(tmp_path: Path) -> None:
    db = open_database(tmp_path / "r.db", create=True)
    path = _roster(
        tmp_path / "bad.xlsx",
        GOOD_HEADER,
        [
            ["桂花社区", "玉兰苑网格", "1号楼党小组", 1, 1, 101, "王芳", "110105194912310021", "", ""],
            ["桂花社区", "玉兰苑网格", "1号楼党小组", 1, 1, 102, "", "", "12345", ""],
            ["桂花社区", "玉兰苑网格", "1号楼党小组", 1, 1, 103, "李雷", "", "", ""],
        ],
    )  # fmt: skip
    result = import_roster(db, path)
    assert not result.imported
    found = {(e.row, e.column) for e in result.errors}
    # Each column named as the file's header names it.
    assert found == {(2, "身份证号码"), (3, "姓名"), (3, "手机号")}
    assert all(e.message for e in result.errors)
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(Household)) == 0
    partial = import_roster(db, path, skip_invalid=True)
    assert partial.imported and partial.residents_added == 1
    db.dispose()


def test_roster_missing_columns_or_not_xlsx(tmp_path: Path) -> None:
    db = open_database(tmp_path / "r.db", create=True)
    with pytest.raises(LedgerError, match="缺少必需的列"):
        import_roster(db, _roster(tmp_path / "x.xlsx", ["姓名", "电话"], [["王芳", ""]]))
    fake = tmp_path / "old.xls"
    fake.write_bytes(b"\xd0\xcf\x11\xe0 old excel")
    with pytest.raises(LedgerError, match="不是 Excel 文件"):
        import_roster(db, fake)
    db.dispose()


def _patched_xlsx(source: Path, target: Path, member: str, data: bytes) -> Path:
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item, data if item.filename == member else zin.read(item.filename))
    return target


def test_xml_entity_bomb_and_zip_bomb_are_refused(tmp_path: Path) -> None:
    db = open_database(tmp_path / "r.db", create=True)
    good = _roster(tmp_path / "g.xlsx", GOOD_HEADER, [["桂花社区", "玉兰苑网格", "1号楼党小组", 1, 1, 101, "王芳", "", "", ""]])  # fmt: skip
    lol = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row><c t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>'
    )
    bomb = _patched_xlsx(good, tmp_path / "lol.xlsx", "xl/worksheets/sheet1.xml", lol)
    with pytest.raises(LedgerError, match="XML"):
        import_roster(db, bomb)
    buffer = io.BytesIO()
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item, zin.read(item.filename))
        zout.writestr("xl/media/huge.bin", b"\0" * (200 * 1024 * 1024))
    huge = tmp_path / "zip.xlsx"
    huge.write_bytes(buffer.getvalue())
    with pytest.raises(LedgerError, match="压缩炸弹"):
        import_roster(db, huge)
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(Household)) == 0
    db.dispose()


# --- round trip and re-import (issue 20, item 4) --------------------------------------

# Columns of the households ledger that an import into a fresh database cannot give
# back, and why:
# - 人数: the ledger lists the head only; the other members are not in it.
# - 最近走访: visits are not in a households ledger.
# - 重点人群: the household's groups summed over its members, without saying whose;
#   put on the head they would label a person with a group that is not theirs, so
#   the import reports the column as unused instead.
NOT_CARRIED = {"人数", "最近走访", "重点人群"}


def _cells(path: Path) -> tuple[list[str], list[list[Any]]]:
    ws = load_workbook(path).active
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    return rows[0], rows[1:]


def _counts(db: Database) -> tuple[int, int, int]:
    with db.read_session() as s:
        return (
            s.scalar(select(func.count()).select_from(Household)) or 0,
            s.scalar(select(func.count()).select_from(Resident)) or 0,
            s.scalar(select(func.count()).where(Resident.id_number != "")) or 0,
        )


def test_unmasked_households_ledger_round_trips_into_a_fresh_database(
    source: Database, tmp_path: Path
) -> None:
    first = tmp_path / "first.xlsx"
    export_ledger(source, "households", first, masked=False)
    headers, rows = _cells(first)
    ids = [r[headers.index("户主身份证号")] for r in rows if r[headers.index("户主身份证号")]]
    assert len(ids) > 100
    fresh = open_database(tmp_path / "fresh.db", create=True)
    try:
        result = import_roster(fresh, first)
        assert result.imported and result.errors == []
        assert (result.households_added, result.residents_added) == (len(rows), len(rows))
        assert _counts(fresh) == (len(rows), len(rows), len(ids))  # every ID number kept
        assert set(result.unused_columns) == NOT_CARRIED
        second = tmp_path / "second.xlsx"
        export_ledger(fresh, "households", second, masked=False)
        again = import_roster(fresh, first)
        assert again.imported and _counts(fresh) == (len(rows), len(rows), len(ids))
        assert (again.households_added, again.households_updated) == (0, 0)
        assert (again.residents_added, again.residents_updated) == (0, 0)
        assert (again.households_unchanged, again.residents_unchanged) == (len(rows), len(rows))
    finally:
        fresh.dispose()
    headers2, rows2 = _cells(second)
    assert headers2 == headers and len(rows2) == len(rows)
    keep = [i for i, h in enumerate(headers) if h not in NOT_CARRIED]
    assert len(keep) == len(headers) - len(NOT_CARRIED)
    for before, after in zip(rows, rows2, strict=True):
        assert [before[i] for i in keep] == [after[i] for i in keep]


def test_a_households_ledger_back_into_its_own_database_changes_nothing(
    source: Database, tmp_path: Path
) -> None:
    path = tmp_path / "h.xlsx"
    export_ledger(source, "households", path, masked=False)
    before = dump_people(source)
    result = import_roster(source, path)
    assert result.imported and result.errors == []
    assert (result.households_added, result.households_updated) == (0, 0)
    assert (result.residents_added, result.residents_updated) == (0, 0)
    assert result.residents_unchanged == result.households_unchanged == result.rows
    assert dump_people(source) == before


def dump_people(db: Database) -> list[tuple[Any, ...]]:
    with db.read_session() as s:
        people = s.execute(
            select(Resident.id, Resident.household_id, Resident.name, Resident.id_number,
                   Resident.phone, Resident.relation, Resident.is_head, Resident.notes,
                   Resident.special_groups, Resident.version)
            .order_by(Resident.id)
        ).all()  # fmt: skip
        houses = s.execute(
            select(Household.id, Household.phone, Household.tier_code, Household.tier_manual,
                   Household.is_party_centre, Household.notes, Household.version)
            .order_by(Household.id)
        ).all()  # fmt: skip
    return [tuple(r) for r in people] + [tuple(h) for h in houses]


ROW = ["桂花社区", "玉兰苑网格", "1号楼党小组", 1, 1, 101]


def test_roster_reimport_matches_by_id_then_household_and_name(tmp_path: Path) -> None:
    db = open_database(tmp_path / "r.db", create=True)
    rows: list[list[object]] = [
        [*ROW, "王芳", "11010519491231002X", "13812345678", "户主"],
        [*ROW, "王小明", "", "", "子女"],
        [*ROW[:5], 102, "赵六", "", "0592-5551234", ""],
    ]
    path = _roster(tmp_path / "r.xlsx", GOOD_HEADER, rows)
    first = import_roster(db, path)
    assert (first.households_added, first.residents_added) == (2, 3)
    twice = import_roster(db, path)
    assert (twice.households_added, twice.residents_added, twice.residents_updated) == (0, 0, 0)
    assert (twice.households_unchanged, twice.residents_unchanged) == (2, 3)
    rows[0][6] = "王 芳芳"  # a corrected name: still the same person (by ID number)
    rows[1][8] = "13900001111"  # a new phone for the one without an ID (household + name)
    changed = import_roster(db, _roster(tmp_path / "r2.xlsx", GOOD_HEADER, rows))
    assert (changed.residents_added, changed.residents_updated, changed.residents_unchanged) == (
        0,
        2,
        1,
    )
    with db.read_session() as s:
        people = dict(s.execute(select(Resident.name, Resident.phone)).all())
    assert people == {"王 芳芳": "13812345678", "王小明": "13900001111", "赵六": "0592-5551234"}
    assert _counts(db) == (2, 3, 1)
    db.dispose()


def test_columns_the_import_does_not_use_are_named(tmp_path: Path) -> None:
    db = open_database(tmp_path / "r.db", create=True)
    header = [*GOOD_HEADER, "民族", "", "手机"]
    path = _roster(
        tmp_path / "r.xlsx", header, [[*ROW, "王芳", "", "", "户主", "汉族", "x", "13812345678"]]
    )
    result = import_roster(db, path)
    assert result.imported
    assert result.unused_columns == ["民族", "第 12 列(无表头)", "手机"]
    db.dispose()


def test_household_ledger_headers_and_standard_names_are_accepted(tmp_path: Path) -> None:
    db = open_database(tmp_path / "r.db", create=True)
    header = ["社区", "网格", "楼栋党小组", "楼栋", "单元", "室", "姓名", "公民身份号码",
              "联系电话", "与户主关系", "走访等级", "重点人群", "党员中心户"]  # fmt: skip
    path = _roster(
        tmp_path / "r.xlsx",
        header,
        [
            [*ROW, "王芳", "11010519491231002X", "", "户主", "", "独居老人", "是"],
            [*ROW, "王小明", "", "", "子女", "", "", "是"],
        ],
    )
    result = import_roster(db, path)
    assert result.imported and result.errors == [] and result.unused_columns == []
    with db.read_session() as s:
        h = s.execute(
            select(Household.is_party_centre, Household.tier_code, Household.tier_manual)
        ).one()
        groups = s.scalar(select(Resident.special_groups).where(Resident.name == "王芳"))
        tiers = dict(s.execute(select(SpecialGroup.code, SpecialGroup.tier_code)).all())
    assert h.is_party_centre and groups and h.tier_code == tiers[groups[0]] and not h.tier_manual
    db.dispose()


@pytest.mark.parametrize(
    ("second", "column", "message"),
    [
        ("11010519491231002X", "身份证号码", "与第 2 行重复"),
        ("110105194912310021", "身份证号码", "校验"),
    ],
)
def test_duplicated_or_malformed_id_numbers_write_nothing(
    tmp_path: Path, second: str, column: str, message: str
) -> None:
    db = open_database(tmp_path / "r.db", create=True)
    path = _roster(
        tmp_path / "r.xlsx",
        GOOD_HEADER,
        [
            [*ROW, "王芳", "11010519491231002X", "", "户主"],
            [*ROW[:5], 102, "李雷", second, "", "户主"],
        ],
    )
    result = import_roster(db, path)
    assert not result.imported
    assert [(e.row, e.column) for e in result.errors] == [(3, column)]
    assert message in result.errors[0].message
    assert _counts(db) == (0, 0, 0)
    db.dispose()


def test_an_id_number_registered_at_another_address_writes_nothing(tmp_path: Path) -> None:
    db = open_database(tmp_path / "r.db", create=True)
    import_roster(db, _roster(tmp_path / "a.xlsx", GOOD_HEADER, [[*ROW, "王芳", "11010519491231002X", "", ""]]))  # fmt: skip
    path = _roster(
        tmp_path / "b.xlsx",
        GOOD_HEADER,
        [
            [*ROW[:5], 102, "李雷", "", "", "户主"],
            [*ROW[:5], 103, "王芳", "11010519491231002X", "", "户主"],
        ],
    )
    result = import_roster(db, path)
    assert not result.imported
    assert [(e.row, e.column) for e in result.errors] == [(3, "身份证号码")]
    assert "1-1-101" in result.errors[0].message or "101" in result.errors[0].message
    assert _counts(db) == (1, 1, 1)
    db.dispose()


def test_a_masked_ledger_never_overwrites_real_id_numbers_or_phones(
    source: Database, tmp_path: Path
) -> None:
    masked = tmp_path / "masked.xlsx"
    export_ledger(source, "households", masked)  # the default: names, IDs, phones masked
    before = dump_people(source)
    result = import_roster(source, masked)
    assert not result.imported and result.errors
    assert {e.column for e in result.errors} == {"户主"}
    assert all("打码" in e.message for e in result.errors)
    assert dump_people(source) == before
    # Real names with masked ID numbers and phones: those cells are skipped with a
    # warning, the stored values stay.
    db = open_database(tmp_path / "r.db", create=True)
    import_roster(db, _roster(tmp_path / "a.xlsx", GOOD_HEADER, [[*ROW, "王芳", "11010519491231002X", "13812345678", "户主"]]))  # fmt: skip
    path = _roster(
        tmp_path / "b.xlsx",
        GOOD_HEADER,
        [[*ROW, "王芳", "110105********002X", "138****5678", "户主"]],
    )
    result = import_roster(db, path)
    assert result.imported and result.errors == []
    assert {(w.row, w.column) for w in result.warnings} == {(2, "身份证号码"), (2, "手机号")}
    assert (result.residents_added, result.residents_unchanged) == (0, 1)
    with db.read_session() as s:
        assert s.execute(select(Resident.id_number, Resident.phone)).one() == (
            "11010519491231002X",
            "13812345678",
        )
    db.dispose()


def test_the_row_that_says_head_is_the_head_wherever_it_is(tmp_path: Path) -> None:
    db = open_database(tmp_path / "r.db", create=True)
    path = _roster(
        tmp_path / "r.xlsx",
        GOOD_HEADER,
        [
            [*ROW, "王小明", "", "", ""],
            [*ROW, "王芳", "", "", "户主"],
            [*ROW, "王大", "", "", "户主"],
        ],
    )
    result = import_roster(db, path)
    assert result.imported and [(w.row, w.column) for w in result.warnings] == [(4, "与户主关系")]
    with db.read_session() as s:
        heads = s.execute(select(Resident.name, Resident.is_head, Resident.relation)).all()
    assert sorted(heads) == [("王大", False, ""), ("王小明", False, ""), ("王芳", True, "户主")]
    db.dispose()


def test_tiers_and_groups_by_name_or_code_and_unknown_ones_are_row_errors(tmp_path: Path) -> None:
    db = open_database(tmp_path / "r.db", create=True)
    header = [*GOOD_HEADER, "走访等级", "重点人群"]
    good = [
        [*ROW, "王芳", "", "", "户主", "key", ""],  # by code, above what the groups give
        [*ROW[:5], 102, "李雷", "", "", "户主", "一般", "living_alone_elderly"],
    ]
    result = import_roster(db, _roster(tmp_path / "r.xlsx", header, good))
    assert result.imported and result.errors == []
    with db.read_session() as s:
        tiers = dict(s.execute(select(Household.room, Household.tier_manual)).all())
        group_tier = s.scalar(
            select(SpecialGroup.tier_code).where(SpecialGroup.code == "living_alone_elderly")
        )
        codes = dict(s.execute(select(Household.room, Household.tier_code)).all())
    assert codes["101"] == "key" and tiers["101"] is True  # chosen: kept by hand
    assert codes["102"] == "normal" and tiers["102"] is (group_tier != "normal")
    again = import_roster(db, _roster(tmp_path / "r.xlsx", header, good))
    assert (again.households_updated, again.residents_updated) == (0, 0)
    bad = [[*ROW, "王芳", "", "", "户主", "很重要", "外星人"]]
    refused = import_roster(db, _roster(tmp_path / "bad.xlsx", header, bad))
    assert not refused.imported
    assert {e.column for e in refused.errors} == {"走访等级", "重点人群"}
    assert all("可填" in e.message for e in refused.errors)
    db.dispose()


def test_a_households_ledger_with_one_address_twice_writes_nothing(
    source: Database, tmp_path: Path
) -> None:
    path = tmp_path / "h.xlsx"
    export_ledger(source, "households", path, masked=False)
    wb = load_workbook(path)
    ws = wb.active
    for col in range(1, 7):  # row 3 gets row 2's address
        ws.cell(3, col).value = ws.cell(2, col).value
    wb.save(path)
    fresh = open_database(tmp_path / "fresh.db", create=True)
    result = import_roster(fresh, path)
    assert not result.imported
    assert (3, "室", "与第 2 行是同一户(住户台账每户一行)") in [
        (e.row, e.column, e.message) for e in result.errors
    ]
    assert {e.row for e in result.errors} == {3}  # also its phone, notes... if they differ
    assert _counts(fresh) == (0, 0, 0)
    fresh.dispose()


def test_problem_ledger_shows_supervision_and_timeliness(source: Database, tmp_path: Path) -> None:
    """督办 marks, a pending extension and 延期后按期 in the problems ledger (issue 22)."""
    from datetime import timedelta

    from gridvisit.core.enums import EventKind, ProblemStatus, Role
    from gridvisit.core.records import Actor, Scope
    from gridvisit.core.rules import limit_day
    from gridvisit.core.services import ServiceContext, Services

    admin = services_for(source)
    other = admin.users.create("approver", "审批人", Role.SUBDISTRICT_ADMIN)
    approver = Services(
        ServiceContext(source, Actor(other.id, "approver", "", Role.SUBDISTRICT_ADMIN))
    )
    # Late ones, in progress: an extension is what makes a resolution now count as 按期.
    busy = [p for p in admin.problems.overdue(Scope()) if p.status is ProblemStatus.IN_PROGRESS]
    red, waiting, extended = busy[0].id, busy[1].id, busy[2].id
    admin.problems.supervise(red, EventKind.SUPERVISE_RED, "限期办结")
    admin.problems.supervise(red, EventKind.EXPEDITE, "加急")
    admin.problems.request_extension(
        waiting, limit_day(busy[1].due_at) + timedelta(days=400), "等待"
    )
    admin.problems.request_extension(
        extended, limit_day(busy[2].due_at) + timedelta(days=400), "采购"
    )
    approver.problems.decide_extension(extended, True)
    admin.problems.resolve(extended, "已办结")  # late for the first limit, not the second
    export_ledger(source, "problems", tmp_path / "p.xlsx")
    ws = load_workbook(tmp_path / "p.xlsx").active
    headers = [c.value for c in ws[1]]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    marks = [r[headers.index("督办")] for r in rows]
    timely = [r[headers.index("办结时效")] for r in rows]
    assert marks.count("红牌督办、加急") == 1 and marks.count("延期待审批") == 1
    assert set(timely) <= {None, "", "按期", "延期后按期", "超期办结"}
    assert timely.count("延期后按期") == 1
