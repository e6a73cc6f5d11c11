"""Excel ledgers (台账): export households, visits or problems; import household rosters.

Export: Chinese headers, a frozen header row, widths to suit the content, real date
cells, names, phones and ID numbers masked unless asked otherwise, and every text
cell stored as text, so nothing in a cell ever runs as a formula.

Import reads the household rosters offices keep: one row per resident, with the
columns listed in `COLUMNS` (common header variants accepted). Every invalid row is
reported with its row, column and reason; nothing is imported while any row is
invalid, unless `skip_invalid`.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridvisit.core.clock import to_local
from gridvisit.core.enums import (
    HandlingLevel,
    ProblemStatus,
    Satisfaction,
    VisitMethod,
    VisitPurpose,
)
from gridvisit.core.errors import GridVisitError
from gridvisit.core.files import InputFileError, read_limited, write_file
from gridvisit.core.masking import mask_id_number, mask_name, mask_phone, scrub_text
from gridvisit.core.records import format_address
from gridvisit.core.rules import (
    DEFAULT_TIER,
    EXTENSION_KINDS,
    SUPERVISION,
    TIMELINESS_LABELS,
    marks_text,
    original_due_at,
    pending_extension,
    resolution_timeliness,
    supervision_marks,
)
from gridvisit.core.validation import check_citizen_id, check_phone
from gridvisit.exchange.package import inflation_problem
from gridvisit.storage.engine import Database
from gridvisit.storage.models import (
    BuildingGroup,
    Community,
    Grid,
    Household,
    Problem,
    ProblemEvent,
    Resident,
    SpecialGroup,
    UrgencyLevel,
    User,
    Visit,
    VisitTier,
)
from gridvisit.storage.queries import last_visits, load_category_labels

KINDS = {"households": "住户台账", "visits": "走访台账", "problems": "问题台账"}
MAX_LEDGER_BYTES = 100 * 1024 * 1024
MAX_XLSX_ENTRIES = 4096  # sheets, styles, media: far more than a roster has
# A whole sub-district's roster (100,000 residents) is about 70 MB of sheet XML and,
# as Excel writes it, 10 MB of shared strings (names, ID numbers and phones are
# mostly distinct). openpyxl keeps every shared string in memory and reads about a
# thousand rows a second here: these bounds keep a hostile file to seconds of
# checking and a legitimate one to a few hundred MB, with room to spare.
MAX_XLSX_UNCOMPRESSED = 256 * 1024 * 1024
MAX_SHARED_STRINGS_BYTES = 32 * 1024 * 1024
MAX_SHARED_STRINGS = 500_000
MAX_ROSTER_ROWS = 200_000
_SHARED_STRING = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s>/]")
_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")

Progress = Callable[[str], None]


class LedgerError(GridVisitError):
    """A ledger file that cannot be read; nothing was imported."""


# --- export ---------------------------------------------------------------------------


def _day(moment: datetime | None) -> datetime | None:
    return to_local(moment).replace(tzinfo=None) if moment else None


def _household_rows(
    s: Session, masked: bool, grid_ids: frozenset[int] | None
) -> tuple[list[str], list[list[Any]]]:
    headers = [
        "社区", "网格", "楼栋党小组", "楼栋", "单元", "室", "户主", "户主身份证号",
        "联系电话", "人数", "走访等级", "重点人群", "党员中心户", "最近走访", "备注",
    ]  # fmt: skip
    tiers = dict(s.execute(select(VisitTier.code, VisitTier.name)).all())
    group_names = dict(s.execute(select(SpecialGroup.code, SpecialGroup.name)).all())
    people: dict[int, list[Resident]] = {}
    for r in s.scalars(select(Resident).where(~Resident.archived).order_by(Resident.id)):
        people.setdefault(r.household_id, []).append(r)
    lv = last_visits().subquery()
    last = dict(s.execute(select(lv.c.household_id, lv.c.last)).all())
    query = (
        select(Household, BuildingGroup.name, Grid.name, Community.name)
        .join(BuildingGroup, BuildingGroup.id == Household.building_group_id)
        .join(Grid, Grid.id == BuildingGroup.grid_id)
        .join(Community, Community.id == Grid.community_id)
        .where(~Household.archived)
        .order_by(Community.name, Grid.name, BuildingGroup.name, Household.building,
                  Household.unit, Household.room)
    )  # fmt: skip
    rows = []
    if grid_ids is not None:
        query = query.where(Grid.id.in_(grid_ids))
    for h, group, grid, community in s.execute(query):
        members = people.get(h.id, [])
        head = next((m for m in members if m.is_head), members[0] if members else None)
        phone = h.phone or (head.phone if head else "")
        groups = sorted({g for m in members for g in m.special_groups})
        rows.append([
            community, grid, group, h.building, h.unit, h.room,
            (mask_name(head.name) if masked else head.name) if head else "",
            (mask_id_number(head.id_number) if masked else head.id_number) if head else "",
            mask_phone(phone) if masked else phone,
            len(members), tiers.get(h.tier_code, h.tier_code),
            "、".join(group_names.get(g, g) for g in groups),
            "是" if h.is_party_centre else "", _day(last.get(h.id)),
            scrub_text(h.notes, [m.name for m in members]) if masked else h.notes,
        ])  # fmt: skip
    return headers, rows


def _visit_rows(
    s: Session, masked: bool, grid_ids: frozenset[int] | None
) -> tuple[list[str], list[list[Any]]]:
    headers = [
        "走访时间", "社区", "网格", "楼栋党小组", "地址", "户主", "走访方式", "走访目的",
        "走访人", "情况记录",
    ]  # fmt: skip
    heads = dict(
        s.execute(select(Resident.household_id, Resident.name).where(Resident.is_head)).all()
    )
    query = (
        select(Visit, Household, BuildingGroup.name, Grid.name, Community.name, User.display_name)
        .join(Household, Household.id == Visit.household_id)
        .join(BuildingGroup, BuildingGroup.id == Household.building_group_id)
        .join(Grid, Grid.id == BuildingGroup.grid_id)
        .join(Community, Community.id == Grid.community_id)
        .join(User, User.id == Visit.worker_id)
        .where(Visit.archived.is_(False))
        .order_by(Visit.visited_at)
    )
    rows = []
    if grid_ids is not None:
        query = query.where(Grid.id.in_(grid_ids))
    for v, h, group, grid, community, worker in s.execute(query):
        head = heads.get(h.id, "")
        rows.append([
            _day(v.visited_at), community, grid, group,
            format_address(h.building, h.unit, h.room),
            mask_name(head) if masked else head,
            VisitMethod(v.method).label, VisitPurpose(v.purpose).label, worker,
            scrub_text(v.notes, [head]) if masked else v.notes,
        ])  # fmt: skip
    return headers, rows


def _problem_rows(
    s: Session, masked: bool, grid_ids: frozenset[int] | None
) -> tuple[list[str], list[list[Any]]]:
    headers = [
        "上报时间", "社区", "网格", "地址或位置", "类别", "问题描述", "紧急程度", "办理层级",
        "状态", "办理期限", "承办单位", "办结时间", "办理结果", "满意度", "督办",
        "办结时效",
    ]  # fmt: skip
    categories = load_category_labels(s)
    urgency = dict(s.execute(select(UrgencyLevel.code, UrgencyLevel.name)).all())
    households = {
        h.id: format_address(h.building, h.unit, h.room) for h in s.scalars(select(Household))
    }
    names: dict[int, list[str]] = {}
    for hid, name in s.execute(select(Resident.household_id, Resident.name)):
        names.setdefault(hid, []).append(name)
    query = (
        select(Problem, Grid.name, Community.name)
        .join(Grid, Grid.id == Problem.grid_id)
        .join(Community, Community.id == Grid.community_id)
        .order_by(Problem.reported_at)
    )
    # 督办 marks and extension steps, in history order (core/rules.py).
    flags: dict[int, list[ProblemEvent]] = {}
    for e in s.scalars(
        select(ProblemEvent)
        .where(ProblemEvent.kind.in_(sorted(k.value for k in (*SUPERVISION, *EXTENSION_KINDS))))
        .order_by(ProblemEvent.at, ProblemEvent.id)
    ):
        flags.setdefault(e.problem_id, []).append(e)
    rows = []
    if grid_ids is not None:
        query = query.where(Grid.id.in_(grid_ids))
    for p, grid, community in s.execute(query):
        steps = flags.get(p.id, [])
        marks = marks_text(supervision_marks(e.kind for e in steps))
        if pending_extension(steps) is not None and ProblemStatus(p.status).is_open:
            marks = "、".join(x for x in (marks, "延期待审批") if x)
        timely = (
            TIMELINESS_LABELS[
                resolution_timeliness(p.resolved_at, p.due_at, original_due_at(p.due_at, steps))
            ]
            if p.resolved_at
            else ""
        )
        where = households.get(p.household_id, "") if p.household_id else p.location
        people = names.get(p.household_id or 0, [])

        def free(text: str, people: list[str] = people) -> str:  # every column a person typed
            return scrub_text(text, people) if masked else text

        rows.append([
            _day(p.reported_at), community, grid, free(where),
            categories.get(p.category_code, p.category_code), free(p.description),
            urgency.get(p.urgency_code, p.urgency_code), HandlingLevel(p.level).label,
            ProblemStatus(p.status).label, _day(p.due_at), free(p.assigned_unit),
            _day(p.resolved_at), free(p.resolution),
            Satisfaction(p.satisfaction).label if p.satisfaction else "", marks, timely,
        ])  # fmt: skip
    return headers, rows


_BUILDERS = {"households": _household_rows, "visits": _visit_rows, "problems": _problem_rows}


@dataclass(frozen=True)
class LedgerResult:
    path: Path
    rows: int


def _width(value: Any) -> int:
    if isinstance(value, datetime):
        return 17
    if isinstance(value, date):
        return 11
    text = str(value)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def write_ledger(headers: list[str], rows: list[list[Any]], title: str, out: BinaryIO) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title)
    ws.freeze_panes = "A2"
    widths = [_width(h) + 2 for h in headers]
    for row in rows[:2000]:  # enough to judge; a column never grows past 60
        for i, value in enumerate(row):
            if value is not None:
                widths[i] = max(widths[i], min(60, _width(value) + 2))
    for i, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    head_cells = []
    for h in headers:
        cell = WriteOnlyCell(ws, value=h)
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(horizontal="center")
        head_cells.append(cell)
    ws.append(head_cells)
    for row in rows:
        out_row: list[Any] = []
        for value in row:
            cell = WriteOnlyCell(ws, value=value)
            if isinstance(value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(value, str):
                # openpyxl turns any text starting with "=" into a live formula; text
                # it must stay, whatever it starts with.
                cell.data_type = "s"
            out_row.append(cell)
        ws.append(out_row)
    wb.save(out)


def export_ledger(
    db: Database,
    kind: str,
    path: Path,
    *,
    masked: bool = True,
    grid_ids: frozenset[int] | None = None,
) -> LedgerResult:
    """`grid_ids` limits the rows to those grids (the actor's area); None = all."""
    if kind not in _BUILDERS:
        raise LedgerError(f"未知的台账类型“{kind}”。", hint="可选:" + "、".join(KINDS))
    with db.read_session() as s:
        headers, rows = _BUILDERS[kind](s, masked, grid_ids)
    write_file(path, lambda fh: write_ledger(headers, rows, KINDS[kind], fh), what="台账")
    return LedgerResult(Path(path), len(rows))


# --- import ---------------------------------------------------------------------------

# Field → header variants seen in office rosters (compared without spaces).
COLUMNS: dict[str, tuple[str, ...]] = {
    "community": ("社区", "所属社区", "社区名称"),
    "grid": ("网格", "所属网格", "网格名称", "小区", "小区党支部"),
    "group": ("楼栋党小组", "党小组", "楼栋小组"),
    "building": ("楼栋", "楼号", "楼栋号", "幢", "栋"),
    "unit": ("单元", "单元号"),
    "room": ("室", "房号", "门牌号", "户号", "房间号"),
    "name": ("姓名", "居民姓名", "户主姓名", "户主"),
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "证件号码"),
    "phone": ("联系电话", "电话", "手机", "手机号", "手机号码"),
    "relation": ("与户主关系", "关系"),
    "gender": ("性别",),
    "notes": ("备注",),
}
REQUIRED = ("community", "grid", "group", "building", "room", "name")
LABELS = {k: v[0] for k, v in COLUMNS.items()}


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"第 {self.row} 行“{self.column}”:{self.message}"


@dataclass
class ImportResult:
    rows: int = 0
    households: int = 0
    residents: int = 0
    skipped_existing: int = 0
    errors: list[RowError] = field(default_factory=list)
    imported: bool = False


@dataclass
class _Row:
    number: int
    values: dict[str, str]


def _check_xlsx_zip(data: bytes, name: str) -> None:
    """An xlsx is a zip: apply the package limits before openpyxl inflates anything."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, NotImplementedError, ValueError, EOFError):
        raise LedgerError(
            f"“{name}”不是 Excel 文件(.xlsx)。",
            hint="请在 Excel 或 WPS 中“另存为”.xlsx 格式后再导入;不支持旧的 .xls 格式。",
        ) from None
    with zf:
        problem = inflation_problem(zf.infolist(), max_entries=MAX_XLSX_ENTRIES)
        if problem:
            raise LedgerError(f"Excel 文件“{name}”{problem}")
        damaged = LedgerError(
            f"“{name}”已损坏,无法读取。", hint="请用 Excel 或 WPS 打开后重新保存为 .xlsx。"
        )
        too_big = LedgerError(
            f"Excel 文件“{name}”解压后超过 {MAX_XLSX_UNCOMPRESSED // 1024 // 1024} MB,"
            "不像是住户花名册,已拒绝。",
            hint="请把花名册按社区或网格拆成几个文件分别导入。",
        )
        if sum(info.file_size for info in zf.infolist()) > MAX_XLSX_UNCOMPRESSED:
            raise too_big
        total = strings = rows = 0
        for info in zf.infolist():
            # Excel writes stored or deflated members, never encrypted ones; anything
            # else is damage (zipfile raises NotImplementedError/RuntimeError on them).
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or (
                info.flag_bits & 0x1
            ):
                raise damaged
            if not info.filename.endswith((".xml", ".rels")):
                continue
            shared = info.filename.lower().endswith("sharedstrings.xml")
            sheet = info.filename.lower().startswith("xl/worksheets/")
            # Every XML member is inflated here once, in blocks, without parsing:
            # real sizes (never the declared ones) and the number of shared strings
            # and rows are known before openpyxl builds anything.
            size, tail = 0, b""
            try:
                with zf.open(info) as fh:
                    head = fh.read(4096)
                    block = head
                    while block:
                        size += len(block)
                        total += len(block)
                        if size > info.file_size or total > MAX_XLSX_UNCOMPRESSED:
                            raise too_big
                        if shared or sheet:
                            window = tail + block
                            found = sum(
                                1
                                for m in (_SHARED_STRING if shared else _ROW).finditer(window)
                                if m.end() > len(tail)
                            )
                            if shared:
                                strings += found
                            else:
                                rows += found
                            tail = window[-32:]
                        block = fh.read(1024 * 1024)
            except LedgerError:
                raise
            except Exception:  # zipfile raises a zoo of types on a damaged archive
                raise damaged from None
            if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                raise LedgerError(
                    f"“{name}”含有 XML 实体定义,可能是恶意文件,已拒绝。",
                    hint="正常的 Excel 文件不会有这些内容。请确认文件来源。",
                )
            if shared and size > MAX_SHARED_STRINGS_BYTES:
                raise LedgerError(
                    f"Excel 文件“{name}”的文字表(sharedStrings)解压后有 {size // 1024 // 1024} MB,"
                    f"超过上限 {MAX_SHARED_STRINGS_BYTES // 1024 // 1024} MB,不像是住户花名册,已拒绝。",
                    hint="请把花名册按社区或网格拆成几个文件分别导入。",
                )
            if strings > MAX_SHARED_STRINGS:
                raise LedgerError(
                    f"Excel 文件“{name}”含有超过 {MAX_SHARED_STRINGS} 个不同的字符串,"
                    "不像是住户花名册,已拒绝。",
                    hint="请把花名册按社区或网格拆成几个文件分别导入。",
                )
            if rows > MAX_ROSTER_ROWS + 1:
                raise _too_many_rows(name)


def _too_many_rows(name: str) -> LedgerError:
    return LedgerError(
        f"Excel 文件“{name}”超过 {MAX_ROSTER_ROWS} 行,不像是一份住户花名册,已拒绝。",
        hint="请把花名册按社区或网格拆成几个文件分别导入。",
    )


def read_roster(path: Path) -> list[_Row]:
    path = Path(path)
    try:
        data = read_limited(path, MAX_LEDGER_BYTES, what="住户花名册")
    except InputFileError as exc:
        raise LedgerError(exc.message, hint=exc.hint) from None
    _check_xlsx_zip(data, path.name)
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        if type(exc).__module__.startswith("defusedxml"):
            raise LedgerError(f"“{path.name}”含有不安全的 XML 内容,已拒绝。") from None
        raise LedgerError(
            f"“{path.name}”无法作为 Excel 文件读取,可能已损坏。",
            hint="请用 Excel 或 WPS 打开后重新保存为 .xlsx。",
        ) from None
    try:
        return _roster_rows(wb, path.name)
    except LedgerError:
        raise
    except Exception:  # read_only sheets parse lazily: damage shows up while reading
        raise LedgerError(
            f"“{path.name}”的内容已损坏,无法读取。",
            hint="请用 Excel 或 WPS 打开后重新保存为 .xlsx。",
        ) from None
    finally:
        wb.close()


def _roster_rows(wb: Any, name: str) -> list[_Row]:
    """The header and data rows of the first sheet (`wb` from openpyxl)."""
    if not wb.worksheets:
        raise LedgerError(f"“{name}”里没有工作表。")
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header_row = next(rows, None)
    if header_row is None:
        raise LedgerError(f"“{name}”的第一个工作表是空的。")
    columns: dict[str, int] = {}
    for index, header in enumerate(header_row):
        key = re.sub(r"\s+", "", str(header or ""))
        for field_name, variants in COLUMNS.items():
            if key in variants and field_name not in columns:
                columns[field_name] = index
    missing = [LABELS[f] for f in REQUIRED if f not in columns]
    if missing:
        raise LedgerError(
            f"“{name}”缺少必需的列:{'、'.join(missing)}。",
            hint="第一行应为表头,需包含:"
            + "、".join(LABELS[f] for f in REQUIRED)
            + ";可选:单元、身份证号、联系电话、与户主关系、性别、备注。",
        )
    out: list[_Row] = []
    for number, raw in enumerate(rows, 2):
        if number > MAX_ROSTER_ROWS + 1:
            raise _too_many_rows(name)
        values = {f: _cell_text(raw[i]) if i < len(raw) else "" for f, i in columns.items()}
        if not any(values.values()):
            continue  # blank line
        out.append(_Row(number, values))
    return out


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 101.0 from a number-formatted room column
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


def _validate(rows: list[_Row]) -> list[RowError]:
    errors: list[RowError] = []
    seen_ids: dict[str, int] = {}
    for row in rows:
        v = row.values
        for f in REQUIRED:
            if not v.get(f):
                errors.append(RowError(row.number, LABELS[f], "不能为空"))
        for f, limit in (("building", 16), ("unit", 16), ("room", 16), ("name", 32)):
            if len(v.get(f, "")) > limit:
                errors.append(RowError(row.number, LABELS[f], f"超过 {limit} 个字"))
        if v.get("id_number"):
            check = check_citizen_id(v["id_number"])
            if not check.ok:
                errors.append(RowError(row.number, LABELS["id_number"], check.error))
            else:
                v["id_number"] = check.normalized
                if check.birth_date:
                    v["birth_date"] = check.birth_date.isoformat()
                if check.gender and not v.get("gender"):
                    v["gender"] = check.gender.label
                if check.normalized in seen_ids:
                    errors.append(
                        RowError(
                            row.number,
                            LABELS["id_number"],
                            f"与第 {seen_ids[check.normalized]} 行重复",
                        )
                    )
                seen_ids.setdefault(check.normalized, row.number)
        if v.get("phone"):
            phone = check_phone(v["phone"])
            if phone.error:
                errors.append(RowError(row.number, LABELS["phone"], phone.error))
            else:
                v["phone"] = phone.normalized
        if v.get("gender") and v["gender"] not in ("男", "女"):
            errors.append(RowError(row.number, LABELS["gender"], "只能是“男”或“女”"))
    return errors


def import_roster(
    db: Database,
    path: Path,
    *,
    skip_invalid: bool = False,
    actor_id: int | None = None,
) -> ImportResult:
    """Households and residents from an office roster, in one transaction."""
    rows = read_roster(path)
    result = ImportResult(rows=len(rows))
    result.errors = _validate(rows)
    if result.errors and not skip_invalid:
        return result
    bad_rows = {e.row for e in result.errors}
    good = [r for r in rows if r.number not in bad_rows]
    with db.session(actor_id=actor_id) as s:
        default_tier = DEFAULT_TIER
        known_ids = set(s.scalars(select(Resident.id_number).where(Resident.id_number != "")))
        nodes = _Nodes(s)
        households: dict[tuple[int, str, str, str], Household] = {
            (h.building_group_id, h.building, h.unit, h.room): h
            for h in s.scalars(select(Household).where(~Household.archived))
        }
        for row in good:
            v = row.values
            if v.get("id_number") and v["id_number"] in known_ids:
                result.skipped_existing += 1
                continue
            group_id = nodes.group(v["community"], v["grid"], v["group"])
            key = (group_id, v["building"], v.get("unit", ""), v["room"])
            household = households.get(key)
            if household is None:
                household = Household(
                    building_group_id=group_id,
                    building=v["building"],
                    unit=v.get("unit", ""),
                    room=v["room"],
                    tier_code=default_tier,
                    phone="",
                )
                s.add(household)
                s.flush()
                households[key] = household
                result.households += 1
            has_head = s.scalar(
                select(func.count()).where(Resident.household_id == household.id, Resident.is_head)
            )
            relation = v.get("relation", "")
            is_head = relation == "户主" or (not has_head and relation in ("", "本人"))
            s.add(
                Resident(
                    household_id=household.id,
                    name=v["name"],
                    gender={"男": "M", "女": "F"}.get(v.get("gender", ""), ""),
                    id_number=v.get("id_number", ""),
                    birth_date=date.fromisoformat(v["birth_date"]) if v.get("birth_date") else None,
                    phone=v.get("phone", ""),
                    relation="户主" if is_head else relation,
                    is_head=bool(is_head),
                    notes=v.get("notes", ""),
                )
            )
            s.flush()
            if v.get("id_number"):
                known_ids.add(v["id_number"])
            result.residents += 1
    result.imported = True
    return result


class _Nodes:
    """Finds or creates community → grid → building group by name."""

    def __init__(self, s: Session) -> None:
        self.s = s
        self.communities = {c.name: c for c in s.scalars(select(Community))}
        self.grids = {(g.community_id, g.name): g for g in s.scalars(select(Grid))}
        self.groups = {(b.grid_id, b.name): b for b in s.scalars(select(BuildingGroup))}

    def group(self, community: str, grid: str, group: str) -> int:
        c = self.communities.get(community)
        if c is None:
            c = self.communities[community] = Community(name=community)
            self.s.add(c)
            self.s.flush()
        g = self.grids.get((c.id, grid))
        if g is None:
            g = self.grids[(c.id, grid)] = Grid(community_id=c.id, name=grid)
            self.s.add(g)
            self.s.flush()
        b = self.groups.get((g.id, group))
        if b is None:
            b = self.groups[(g.id, group)] = BuildingGroup(grid_id=g.id, name=group)
            self.s.add(b)
            self.s.flush()
        return b.id


def expected_columns_text() -> str:
    lines = []
    for f, variants in COLUMNS.items():
        need = "必填" if f in REQUIRED else "可选"
        lines.append(f"{variants[0]}({need};也认:{'、'.join(variants[1:]) or '无'})")
    return "\n".join(lines)


__all__ = [
    "COLUMNS",
    "KINDS",
    "ImportResult",
    "LedgerError",
    "export_ledger",
    "import_roster",
    "read_roster",
]
