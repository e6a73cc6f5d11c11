from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from gridvisit.core.records import ResidentInput
from gridvisit.exchange.ledger import LedgerError, export_ledger, import_roster
from gridvisit.storage import Database, open_database
from gridvisit.storage.models import Household, Resident
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
    assert (result.households, result.residents) == (2, 3)
    with db.read_session() as s:
        rooms = s.scalars(select(Household.room).order_by(Household.room)).all()
        heads = s.scalars(select(Resident.name).where(Resident.is_head)).all()
        gender, born = s.execute(
            select(Resident.gender, Resident.birth_date).where(Resident.name == "王芳")
        ).one()
    assert rooms == ["101", "301"]
    assert sorted(heads) == ["王芳", "赵六"]
    assert gender == "F" and born.year == 1949
    again = import_roster(db, path)  # the same roster twice adds no one with an ID twice
    assert again.skipped_existing == 1
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
    assert found == {(2, "身份证号"), (3, "姓名"), (3, "联系电话")}
    assert all(e.message for e in result.errors)
    with db.read_session() as s:
        assert s.scalar(select(func.count()).select_from(Household)) == 0
    partial = import_roster(db, path, skip_invalid=True)
    assert partial.imported and partial.residents == 1
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
