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

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridvisit.core.access import OUTSIDE_ID
from gridvisit.core.clock import to_local
from gridvisit.core.codes import (
    ETHNICITY,
    MASSES,
    POLITICAL_STATUS,
    political_status_for_flag,
    relation_name,
)
from gridvisit.core.enums import (
    HandlingLevel,
    HouseStatus,
    ProblemStatus,
    RegistrationType,
    ResidenceType,
    ResidentStatus,
    Satisfaction,
    VisitMethod,
    VisitPurpose,
    _Labelled,
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
    resident_current_sql,
    resident_is_current,
    resolution_timeliness,
    supervision_marks,
    tier_for_groups,
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
        # issue 20: the house, and the head's registers (as in a roster row)
        "房屋状态", "房主姓名", "房主电话", "租住人数", "租赁登记备案号",
        "户籍类型", "居住类型", "民族", "政治面貌", "工作单位或职业", "迁入日期",
    ]  # fmt: skip
    tiers = dict(s.execute(select(VisitTier.code, VisitTier.name)).all())
    group_names = dict(s.execute(select(SpecialGroup.code, SpecialGroup.name)).all())
    people: dict[int, list[Resident]] = {}
    current = resident_current_sql(Resident.status, Resident.archived)
    for r in s.scalars(select(Resident).where(current).order_by(Resident.id)):
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
            HouseStatus(h.house_status).label,
            mask_name(h.owner_name) if masked else h.owner_name,
            mask_phone(h.owner_phone) if masked else h.owner_phone,
            h.tenant_count or "", h.rental_registration,
            *(_registers(head) if head else [""] * 6),
        ])  # fmt: skip
    return headers, rows


def _registers(r: Resident) -> list[Any]:
    """户籍类型, 居住类型, 民族, 政治面貌, 工作单位或职业, 迁入日期 as a ledger shows them."""
    return [
        RegistrationType(r.registration_type).label,
        ResidenceType(r.residence_type).label,
        ETHNICITY.name_of(r.ethnicity) if r.ethnicity else "",
        POLITICAL_STATUS.name_of(r.political_status),
        r.workplace,
        r.moved_in_on,
    ]


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

# Field → header variants seen in office rosters (compared without spaces); the
# exporter's own households headers are among them, so a ledger comes back in.
COLUMNS: dict[str, tuple[str, ...]] = {
    "community": ("社区", "所属社区", "社区名称"),
    "grid": ("网格", "所属网格", "网格名称", "小区", "小区党支部"),
    "group": ("楼栋党小组", "党小组", "楼栋小组"),
    "building": ("楼栋", "楼号", "楼栋号", "幢", "栋"),
    "unit": ("单元", "单元号"),
    "room": ("室", "房号", "门牌号", "户号", "房间号"),
    "name": ("姓名", "居民姓名", "户主姓名", "户主"),
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "公民身份证号码", "证件号码",
                  "户主身份证号", "户主身份证号码"),
    "phone": ("联系电话", "电话", "手机", "手机号", "手机号码", "联系方式", "户主电话",
              "户主联系电话"),
    "relation": ("与户主关系", "关系"),
    "gender": ("性别",),
    "party_member": ("是否党员", "党员"),
    "special_groups": ("重点人群", "人群类别", "特殊人群"),
    "tier": ("走访等级", "等级"),
    "party_centre": ("党员中心户", "是否党员中心户"),
    "notes": ("备注",),
    "house_status": ("房屋状态", "房屋性质", "房屋用途"),
    "owner_name": ("房主姓名", "房主", "产权人", "产权人姓名"),
    "owner_phone": ("房主电话", "房主联系电话", "产权人电话"),
    "tenant_count": ("租住人数", "承租人数", "租户人数"),
    "rental_registration": ("租赁登记备案号", "租赁备案号", "出租登记号"),
    "registration_type": ("户籍类型", "人口类型", "户籍性质"),
    "residence_type": ("居住类型", "居住方式"),
    "ethnicity": ("民族",),
    "political_status": ("政治面貌",),
    "workplace": ("工作单位或职业", "工作单位", "职业", "工作单位/职业"),
    "moved_in_on": ("迁入日期", "入住日期", "迁入时间"),
}  # fmt: skip
HOUSE_COLUMNS = ("house_status", "owner_name", "owner_phone", "tenant_count",
                 "rental_registration")  # fmt: skip
REQUIRED = ("community", "grid", "group", "building", "room", "name")
LABELS = {k: v[0] for k, v in COLUMNS.items()}
# Headers of the households ledger that say something the import cannot take back:
# worked out from other records (人数, 最近走访) or summed over a household's members
# without saying whose (重点人群, which would mislabel the head).
LEDGER_ONLY = {
    "人数": "由系统按居民计算",
    "最近走访": "由系统按走访记录计算",
    "重点人群": "住户台账里是全户汇总,不知道属于哪位居民,请在居民信息中设置",
}
_MASKED = re.compile(r"[*＊]")
_YES = {"是": True, "√": True, "✓": True, "1": True, "否": False, "0": False, "×": False}
_SPLIT = re.compile(r"[、,,;;/\s]+")


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
    households_added: int = 0
    households_updated: int = 0
    households_unchanged: int = 0
    residents_added: int = 0
    residents_updated: int = 0
    residents_unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    # Header names (as written) of the columns nothing was taken from.
    unused_columns: list[str] = field(default_factory=list)
    imported: bool = False

    @property
    def invalid_rows(self) -> int:
        return len({e.row for e in self.errors})

    def summary(self) -> str:
        return (
            f"住户:新增 {self.households_added},更新 {self.households_updated},"
            f"未变 {self.households_unchanged};居民:新增 {self.residents_added},"
            f"更新 {self.residents_updated},未变 {self.residents_unchanged}。"
        )

    def report_lines(self) -> list[str]:
        """Errors, then warnings ("注意:"), one line each; the same problem in many
        rows (a whole masked ledger) is one line with the first rows and the count."""
        return _grouped(self.errors, "") + _grouped(self.warnings, "注意:")

    def unused_text(self) -> str:
        """The Chinese note on the columns not imported ("" when every column was used)."""
        if not self.unused_columns:
            return ""
        why = [f"{h}{LEDGER_ONLY[h]}" for h in self.unused_columns if h in LEDGER_ONLY]
        return f"未使用的列(其中的内容没有导入):{'、'.join(self.unused_columns)}。" + (
            "" if not why else "其中" + ";".join(why) + "。"
        )


def grouped_lines(items: list[RowError], prefix: str = "") -> list[str]:
    """Row errors one line each; the same problem in many rows is one line."""
    return _grouped(items, prefix)


def _grouped(items: list[RowError], prefix: str) -> list[str]:
    groups: dict[tuple[str, str], list[int]] = {}
    for item in items:
        groups.setdefault((item.column, item.message), []).append(item.row)
    lines = []
    for (column, message), rows in groups.items():
        if len(rows) <= 3:
            lines += [prefix + str(RowError(row, column, message)) for row in rows]
        else:
            first = "、".join(str(row) for row in rows[:3])
            lines.append(f"{prefix}第 {first} 等共 {len(rows)} 行“{column}”:{message}")
    return lines


@dataclass
class _Row:
    number: int
    values: dict[str, str]


@dataclass
class Roster:
    """The first sheet of a roster: its rows and what its header says."""

    rows: list[_Row]
    headers: dict[str, str]  # field → the header as written
    unused: list[str]
    # One row per household with its head (the households ledger's shape: the name
    # column is 户主 and there is no 与户主关系): 联系电话 and 备注 are the household's.
    households_shape: bool = False

    def label(self, name: str) -> str:
        return self.headers.get(name, LABELS.get(name, name))


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


def _too_many_rows(
    name: str, limit: int = MAX_ROSTER_ROWS, what: str = "住户花名册"
) -> LedgerError:
    return LedgerError(
        f"Excel 文件“{name}”超过 {limit} 行,不像是一份{what},已拒绝。",
        hint=f"请把{what}按社区或网格拆成几个文件分别导入。",
    )


def read_roster(path: Path) -> Roster:
    return read_table(path)


def read_table(
    path: Path,
    columns: dict[str, tuple[str, ...]] | None = None,
    required: tuple[str, ...] = REQUIRED,
    *,
    what: str = "住户花名册",
    max_rows: int = MAX_ROSTER_ROWS,
    hint: str = "",
) -> Roster:
    """The first sheet of an .xlsx list under the roster's limits (size, zip bombs,
    XML, rows): its rows by field, `columns` mapping each field to the headers that
    name it (the roster's by default). `hint` replaces the roster's advice when a
    required column is missing. Also used for the list of new users
    (core/services/users.py)."""
    path = Path(path)
    try:
        data = read_limited(path, MAX_LEDGER_BYTES, what=what)
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
        return _roster_rows(
            wb, path.name, columns or COLUMNS, required, what=what, max_rows=max_rows, hint=hint
        )
    except LedgerError:
        raise
    except Exception:  # read_only sheets parse lazily: damage shows up while reading
        raise LedgerError(
            f"“{path.name}”的内容已损坏,无法读取。",
            hint="请用 Excel 或 WPS 打开后重新保存为 .xlsx。",
        ) from None
    finally:
        wb.close()


def _roster_rows(
    wb: Any,
    name: str,
    known: dict[str, tuple[str, ...]],
    required: tuple[str, ...],
    *,
    what: str,
    max_rows: int,
    hint: str,
) -> Roster:
    """The header and data rows of the first sheet (`wb` from openpyxl)."""
    if not wb.worksheets:
        raise LedgerError(f"“{name}”里没有工作表。")
    ws = wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header_row = next(rows, None)
    if header_row is None:
        raise LedgerError(f"“{name}”的第一个工作表是空的。")
    columns: dict[str, int] = {}
    headers: dict[str, str] = {}
    unmapped: dict[int, str] = {}  # column index → header as written ("" for none)
    for index, header in enumerate(header_row):
        written = _cell_text(header)
        key = re.sub(r"\s+", "", written)
        found = next((f for f, variants in known.items() if key in variants), None)
        if found is not None and found not in columns:
            columns[found], headers[found] = index, written
        else:
            unmapped[index] = written
    missing = [known[f][0] for f in required if f not in columns]
    if missing:
        raise LedgerError(
            f"“{name}”第 1 行(表头)缺少必需的列:{'、'.join(missing)},未导入任何数据。",
            hint=hint
            or "第一行应为表头,需包含:"
            + "、".join(LABELS[f] for f in REQUIRED)
            + ";可选:单元、身份证号、联系电话、与户主关系、性别、备注等"
            "(gridvisit ledger import --help 列出全部列名)。",
        )
    households_shape = (
        known is COLUMNS
        and re.sub(r"\s+", "", headers["name"]) in ("户主", "户主姓名")
        and "relation" not in columns
    )
    if households_shape and "special_groups" in columns:
        unmapped[columns.pop("special_groups")] = headers.pop("special_groups")
    out: list[_Row] = []
    blank_with_data: set[int] = set()
    for number, raw in enumerate(rows, 2):
        if number > max_rows + 1:
            raise _too_many_rows(name, max_rows, what)
        values = {f: _cell_text(raw[i]) if i < len(raw) else "" for f, i in columns.items()}
        for i, header in unmapped.items():
            if not header and i < len(raw) and _cell_text(raw[i]):
                blank_with_data.add(i)
        if not any(values.values()):
            continue  # blank line
        out.append(_Row(number, values))
    unused = [
        header or f"第 {i + 1} 列(无表头)"
        for i, header in sorted(unmapped.items())
        if header or i in blank_with_data
    ]
    return Roster(out, headers, unused, households_shape)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # 101.0 from a number-formatted room column
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value).strip()


@dataclass
class _Reference:
    """The code lists a roster names, accepted by name or by code."""

    tiers: dict[str, str]
    groups: dict[str, str]
    group_tier: dict[str, str]
    tier_rank: dict[str, int]

    @classmethod
    def load(cls, s: Session) -> _Reference:
        tiers = s.execute(select(VisitTier.code, VisitTier.name, VisitTier.rank)).all()
        groups = s.execute(select(SpecialGroup.code, SpecialGroup.name, SpecialGroup.tier_code))
        group_rows = groups.all()
        return cls(
            tiers={**{n: c for c, n, _ in tiers}, **{c: c for c, _, _ in tiers}},
            groups={**{n: c for c, n, _ in group_rows}, **{c: c for c, _, _ in group_rows}},
            group_tier={c: t for c, _, t in group_rows},
            tier_rank={c: r for c, _, r in tiers},
        )


def _household_key(v: dict[str, str]) -> tuple[str, ...]:
    return (v["community"], v["grid"], v["group"], v["building"], v.get("unit", ""), v["room"])


def _validate(table: Roster, ref: _Reference) -> tuple[list[RowError], list[RowError]]:
    """Errors and warnings of the rows on their own (the database is checked later).
    Normalises the values in place: ID numbers, phones, codes for tiers and groups,
    "1"/"0" for yes/no columns."""
    errors: list[RowError] = []
    warnings: list[RowError] = []
    label = table.label
    seen_ids: dict[str, int] = {}
    seen_people: dict[tuple[tuple[str, ...], str], tuple[int, str]] = {}
    seen_houses: dict[tuple[str, ...], int] = {}
    house_values: dict[tuple[str, ...], dict[str, tuple[int, str]]] = {}
    house_level = ["tier", "party_centre", *HOUSE_COLUMNS] + (
        ["phone", "notes"] if table.households_shape else []
    )
    for row in table.rows:
        v = row.values

        def error(f: str, message: str, row: _Row = row) -> None:
            errors.append(RowError(row.number, label(f), message))

        for f in REQUIRED:
            if not v.get(f):
                error(f, "不能为空")
        for f, limit in (("building", 16), ("unit", 16), ("room", 16), ("name", 32),
                         ("relation", 16)):  # fmt: skip
            if len(v.get(f, "")) > limit:
                error(f, f"超过 {limit} 个字")
        if _MASKED.search(v.get("name", "")):
            error(
                "name",
                "姓名已打码(含 *),无法导入。请用不打码导出的台账(ledger export --unmasked)"
                "或原始花名册。",
            )
        for f, what in (("id_number", "身份证号"), ("phone", "电话")):
            if _MASKED.search(v.get(f, "")):
                warnings.append(
                    RowError(
                        row.number, label(f), f"{what}已打码(含 *),此格未导入,已登记的{what}不变"
                    )
                )
                v[f] = ""
        if v.get("id_number"):
            check = check_citizen_id(v["id_number"])
            if not check.ok:
                error("id_number", check.error)
            else:
                v["id_number"] = check.normalized
                if check.birth_date:
                    v["birth_date"] = check.birth_date.isoformat()
                if check.gender and not v.get("gender"):
                    v["gender"] = check.gender.label
                if check.normalized in seen_ids:
                    error("id_number", f"与第 {seen_ids[check.normalized]} 行重复")
                seen_ids.setdefault(check.normalized, row.number)
        if v.get("phone"):
            phone = check_phone(v["phone"])
            if phone.error:
                error("phone", phone.error)
            else:
                v["phone"] = phone.normalized
        if v.get("gender") and v["gender"] not in ("男", "女"):
            error("gender", "只能是“男”或“女”")
        for f in ("party_member", "party_centre"):
            if v.get(f):
                if v[f] not in _YES:
                    error(f, "只能是“是”或“否”(也可留空)")
                else:
                    v[f] = "1" if _YES[v[f]] else "0"
        if v.get("tier"):
            if v["tier"] not in ref.tiers:
                names = "、".join(n for n, c in ref.tiers.items() if n != c)
                error("tier", f"没有“{v['tier']}”这个走访等级(可填:{names})")
            else:
                v["tier"] = ref.tiers[v["tier"]]
        if v.get("special_groups"):
            codes, unknown = [], []
            for part in _SPLIT.split(v["special_groups"]):
                if part:
                    code = ref.groups.get(part)
                    if code is None:
                        unknown.append(part)
                    elif code not in codes:
                        codes.append(code)
            if unknown:
                names = "、".join(n for n, c in ref.groups.items() if n != c)
                error("special_groups", f"没有“{'、'.join(unknown)}”这类重点人群(可填:{names})")
            v["special_groups"] = ",".join(codes)
        _validate_registers(v, error, warnings, row.number, label)
        if not all(v.get(f) for f in REQUIRED):
            continue
        house = _household_key(v)
        person = (house, v["name"])
        if table.households_shape:
            if house in seen_houses:
                first = seen_houses[house]
                error("room", f"与第 {first} 行是同一户(住户台账每户一行)")
        elif person in seen_people:
            first, first_id = seen_people[person]
            if not (first_id and v.get("id_number") and first_id != v["id_number"]):
                error("name", f"与第 {first} 行同户同名;同一个人只能有一行,不同的人请填身份证号")
        seen_people.setdefault(person, (row.number, v.get("id_number", "")))
        seen_houses.setdefault(house, row.number)
        known = house_values.setdefault(house, {})
        for f in house_level:
            if v.get(f):
                if f in known and known[f][1] != v[f]:
                    error(f, f"与第 {known[f][0]} 行(同一户)不一致")
                known.setdefault(f, (row.number, v[f]))
    return errors, warnings


@dataclass(frozen=True)
class ImportArea:
    """Where an import may write, for an actor limited to an area (None: anywhere, and
    the roster's communities, grids and building groups are created as it names them).

    `grids`: the grids whose households and residents it may add or change.
    `communities`: those in which it may also create grids and building groups (a
    community admin's; a grid worker's is empty, so they create no hierarchy at all).
    A row outside is refused with a message that says only what the row itself names,
    whether or not that place exists; a match outside (an ID number registered in
    another grid) is refused without saying where (docs/security.md#roster-import-scope-issue-20).
    """

    grids: frozenset[int]
    communities: frozenset[int] = frozenset()


def _closed_code(kind: type[_Labelled], text: str) -> str | None:
    for member in kind:
        if text in (member.value, member.label):
            return member.value
    return None


def _validate_registers(
    v: dict[str, str],
    error: Callable[[str, str], None],
    warnings: list[RowError],
    number: int,
    label: Callable[[str], str],
) -> None:
    """The house and register columns (issue 20), normalised to codes in place; the
    standard lists by name or code."""
    for f, kind, what in (
        ("house_status", HouseStatus, "房屋状态"),
        ("registration_type", RegistrationType, "户籍类型"),
        ("residence_type", ResidenceType, "居住类型"),
    ):
        if v.get(f):
            code = _closed_code(kind, v[f])
            if code is None:
                error(f, f"没有“{v[f]}”这个{what}(可填:{'、'.join(m.label for m in kind)})")
            else:
                v[f] = code
    for f, codes in (("ethnicity", ETHNICITY), ("political_status", POLITICAL_STATUS)):
        if v.get(f):
            found = codes.lookup(v[f])
            if found is None:
                error(f, f"“{v[f]}”不是{codes.title}代码表中的名称或代码")
            else:
                v[f] = found.code
    if v.get("relation"):
        v["relation"] = relation_name(v["relation"])
    if v.get("tenant_count"):
        if not v["tenant_count"].isdigit() or int(v["tenant_count"]) > 999:
            error("tenant_count", "应为 0 到 999 的整数")
        elif v.get("house_status") and v["house_status"] != HouseStatus.RENTED:
            error("tenant_count", "只有出租房屋才填写租住人数")
    if v.get("moved_in_on"):
        try:
            v["moved_in_on"] = date.fromisoformat(v["moved_in_on"][:10]).isoformat()
        except ValueError:
            error("moved_in_on", "日期格式不对(如 2026-03-01)")
    for f, limit in (("owner_name", 32), ("rental_registration", 64), ("workplace", 100)):
        if len(v.get(f, "")) > limit:
            error(f, f"超过 {limit} 个字")
    if _MASKED.search(v.get("owner_name", "")) or _MASKED.search(v.get("owner_phone", "")):
        for f in ("owner_name", "owner_phone"):
            if _MASKED.search(v.get(f, "")):
                warnings.append(RowError(number, label(f), "已打码(含 *),此格未导入,已登记的不变"))
                v[f] = ""
    if v.get("owner_phone"):
        phone = check_phone(v["owner_phone"])
        if phone.error:
            error("owner_phone", phone.error)
        else:
            v["owner_phone"] = phone.normalized


class _Rollback(Exception):
    """Raised inside the import's transaction so that nothing of it is kept."""


def _resident_state(r: Resident) -> tuple[Any, ...]:
    return (r.name, r.gender, r.id_number, r.birth_date, r.phone, r.relation, r.is_head,
            r.is_party_member, tuple(r.special_groups or ()), r.notes, r.registration_type,
            r.residence_type, r.ethnicity, r.political_status, r.workplace,
            r.moved_in_on)  # fmt: skip


def _household_state(h: Household) -> tuple[Any, ...]:
    return (h.phone, h.tier_code, h.tier_manual, h.is_party_centre, h.notes, h.house_status,
            h.owner_name, h.owner_phone, h.tenant_count, h.rental_registration)  # fmt: skip


def _set(obj: Any, name: str, value: Any) -> None:
    """Assign only a new value, so that an unchanged record is not written (nor versioned)."""
    if getattr(obj, name) != value:
        setattr(obj, name, value)


def import_roster(
    db: Database,
    path: Path,
    *,
    skip_invalid: bool = False,
    actor_id: int | None = None,
    area: ImportArea | None = None,
) -> ImportResult:
    """Households and residents from an office roster or a households ledger, in one
    transaction. Idempotent: a resident is matched by ID number, else by household and
    name, a household by its address in its building group; what matches is updated
    (an empty cell never erases a stored value), not added again. Any invalid row
    (without `skip_invalid`) and nothing is written. `area` limits where it writes
    (rows outside are invalid rows)."""
    table = read_roster(path)
    result = ImportResult(rows=len(table.rows), unused_columns=list(table.unused))
    try:
        with db.session(actor_id=actor_id) as s:
            _Import(s, table, result, area).run()
            if result.errors and not skip_invalid:
                raise _Rollback
    except _Rollback:
        return result
    result.imported = True
    return result


class _Import:
    def __init__(
        self, s: Session, table: Roster, result: ImportResult, area: ImportArea | None
    ) -> None:
        self.s, self.table, self.result, self.area = s, table, result, area
        self.ref = _Reference.load(s)
        self.nodes = _Nodes(s)
        self.households: dict[tuple[int, str, str, str], Household] = {
            (h.building_group_id, h.building, h.unit, h.room): h
            for h in s.scalars(select(Household).where(~Household.archived))
        }
        self.members: dict[int, list[Resident]] = {}
        self.by_id: dict[str, Resident] = {}
        for r in s.scalars(select(Resident).where(~Resident.archived).order_by(Resident.id)):
            self.members.setdefault(r.household_id, []).append(r)
            if r.id_number:
                self.by_id.setdefault(r.id_number, r)
        self.by_household_id = {h.id: h for h in self.households.values()}
        # Every household's grid, archived ones too: where an ID number is registered.
        self.grid_of: dict[int, int] = dict(
            s.execute(
                select(Household.id, BuildingGroup.grid_id).join(
                    BuildingGroup, BuildingGroup.id == Household.building_group_id
                )
            ).all()
        )
        self.new_members: dict[int, list[Resident]] = {}  # by id(household), not flushed yet
        self.house_before: dict[int, tuple[Household, tuple[Any, ...] | None]] = {}
        self.tiers_given: dict[int, str] = {}
        self.people_before: dict[int, tuple[Resident, tuple[Any, ...] | None]] = {}

    def people(self, h: Household) -> list[Resident]:
        return self.members.get(h.id, []) if h.id is not None else []

    def all_people(self, h: Household) -> list[Resident]:
        return self.people(h) + self.new_members.get(id(h), [])

    def run(self) -> None:
        errors, warnings = _validate(self.table, self.ref)
        self.result.errors, self.result.warnings = errors, warnings
        bad = {e.row for e in errors}
        # A household's head is the row that says 户主, wherever it is in the file;
        # failing that, the first one that says nothing (or 本人).
        self.named_head = {
            _household_key(r.values)
            for r in self.table.rows
            if r.number not in bad and r.values.get("relation") == "户主"
        }
        for row in self.table.rows:
            if row.number not in bad:
                self.row(row)
        for h, before in self.house_before.values():
            self.settle_tier(h)
            if before is None:
                self.result.households_added += 1
            elif _household_state(h) != before:
                self.result.households_updated += 1
            else:
                self.result.households_unchanged += 1
        for r, before in self.people_before.values():
            if before is None:
                self.result.residents_added += 1
            elif _resident_state(r) != before:
                self.result.residents_updated += 1
            else:
                self.result.residents_unchanged += 1
        self.result.errors.sort(key=lambda e: e.row)

    def find(self, row: _Row) -> tuple[Household | None, Resident | None, RowError | None]:
        """The household and resident a row means, or why it cannot be told."""
        v, label = row.values, self.table.label
        refused = self.outside(row)
        if refused is not None:
            return None, None, refused
        group = self.nodes.find(v["community"], v["grid"], v["group"])
        key = (group, v["building"], v.get("unit", ""), v["room"])
        h = self.households.get(key) if group is not None else None  # type: ignore[arg-type]
        id_number = v.get("id_number", "")
        if id_number and id_number in self.by_id:
            r = self.by_id[id_number]
            if r.household_id is None:  # added by this import
                same = r.household is h
            else:
                same = h is not None and r.household_id == h.id
            if not same and not self.inside(r):
                return h, None, RowError(row.number, label("id_number"), OUTSIDE_ID)
            if not same:
                at = self.by_household_id.get(r.household_id)
                where = format_address(at.building, at.unit, at.room) if at else "已归档的住户"
                return (
                    h,
                    None,
                    RowError(
                        row.number,
                        label("id_number"),
                        f"此身份证号已登记在{where}的居民“{mask_name(r.name)}”名下,与本行地址不同;"
                        "如已搬家,请先在系统里迁出或修改后再导入",
                    ),
                )
            return h, r, None
        if h is None:
            return None, None, None
        for r in self.all_people(h):
            if r.name == v["name"]:
                if id_number and r.id_number and r.id_number != id_number:
                    return (
                        h,
                        None,
                        RowError(
                            row.number,
                            label("id_number"),
                            f"同一户已有同名居民,身份证号却不同({mask_id_number(r.id_number)})",
                        ),
                    )
                return h, r, None
        return h, None, None

    def outside(self, row: _Row) -> RowError | None:
        """Why the row's building group is not the importer's to write in, or None.
        The message names only what the row names, and is the same whether that
        community, grid or group exists or not."""
        if self.area is None:
            return None
        v, area = row.values, self.area
        community, grid, group = self.nodes.named(v["community"], v["grid"], v["group"])
        if grid is not None and (grid.id in area.grids or grid.community_id in area.communities):
            if group is not None or grid.community_id in area.communities:
                return None
            return RowError(
                row.number,
                self.table.label("group"),
                f"网格“{v['grid']}”里没有楼栋党小组“{v['group']}”;"
                "网格员不能通过导入新建楼栋党小组,请社区管理员先在系统里建好,或改正名称",
            )
        if community is not None and community.id in area.communities:
            return None  # a new grid in the actor's own community
        return RowError(
            row.number,
            self.table.label("grid"),
            f"“{v['community']}/{v['grid']}”不在您负责的网格或社区内,不能导入这里的住户",
        )

    def inside(self, r: Resident) -> bool:
        """Whether a stored resident lies in the importer's area."""
        if self.area is None:
            return True
        seen = self.people_before.get(id(r))
        if seen is not None and seen[1] is None:
            return True  # added by this import, so in a household of the area
        grid = self.grid_of.get(r.household_id)
        if grid is None:
            return False
        community = self.nodes.community_of.get(grid)
        return grid in self.area.grids or community in self.area.communities

    def row(self, row: _Row) -> None:
        v, shape = row.values, self.table.households_shape
        h, r, problem = self.find(row)
        if problem is not None:
            self.result.errors.append(problem)
            return
        if h is None:
            group_id = self.nodes.group(v["community"], v["grid"], v["group"])
            h = Household(
                building_group_id=group_id,
                building=v["building"],
                unit=v.get("unit", ""),
                room=v["room"],
                tier_code=DEFAULT_TIER,
                tier_manual=False,
                is_party_centre=False,
                phone="",
                notes="",
                house_status=HouseStatus.OWNER_OCCUPIED.value,
                owner_name="",
                owner_phone="",
                tenant_count=0,
                rental_registration="",
            )
            self.s.add(h)
            self.households[(group_id, h.building, h.unit, h.room)] = h
        if id(h) not in self.house_before:
            self.house_before[id(h)] = (h, None if h.id is None else _household_state(h))
        people = self.all_people(h)
        if r is None:
            has_head = any(m.is_head for m in people)
            relation = v.get("relation", "")
            if shape:
                is_head, relation = not has_head, "" if has_head else "户主"
            else:
                may_lead = relation in ("户主", "本人") or (
                    relation == "" and _household_key(v) not in self.named_head
                )
                is_head = may_lead and not has_head
                if relation == "户主" and has_head:
                    self.result.warnings.append(
                        RowError(
                            row.number,
                            self.table.label("relation"),
                            "这一户已有户主,本行未设为户主,与户主关系留空",
                        )
                    )
                    relation = ""
                if is_head:
                    relation = "户主"
            r = Resident(
                household=h,
                name=v["name"],
                gender="",
                id_number="",
                birth_date=None,
                phone="",
                relation=relation,
                is_head=is_head,
                political_status=MASSES,
                special_groups=[],
                notes="",
                registration_type=RegistrationType.LOCAL.value,
                residence_type=ResidenceType.PERMANENT.value,
                ethnicity="",
                workplace="",
                status=ResidentStatus.PRESENT.value,
            )
            self.s.add(r)
            self.new_members.setdefault(id(h), []).append(r)
            self.people_before[id(r)] = (r, None)
        elif id(r) not in self.people_before:
            self.people_before[id(r)] = (r, _resident_state(r))
        self.update(h, r, v)

    def update(self, h: Household, r: Resident, v: dict[str, str]) -> None:
        """Every non-empty cell onto the records (empty cells keep what is stored)."""
        shape = self.table.households_shape
        _set(r, "name", v["name"])
        if v.get("gender"):
            _set(r, "gender", {"男": "M", "女": "F"}[v["gender"]])
        if v.get("id_number"):
            if r.id_number != v["id_number"]:
                r.id_number = v["id_number"]
                self.by_id[r.id_number] = r
            if v.get("birth_date") and r.birth_date is None:
                r.birth_date = date.fromisoformat(v["birth_date"])
        if v.get("political_status"):  # 政治面貌 decides the party flag (core/codes.py)
            _set(r, "political_status", v["political_status"])
        elif v.get("party_member"):
            flag = v["party_member"] == "1"
            _set(
                r, "political_status", political_status_for_flag(flag, r.political_status or MASSES)
            )
        for f in ("registration_type", "residence_type", "ethnicity", "workplace"):
            if v.get(f):
                _set(r, f, v[f])
        if v.get("moved_in_on"):
            _set(r, "moved_in_on", date.fromisoformat(v["moved_in_on"]))
        for f in ("house_status", "owner_name", "owner_phone", "rental_registration"):
            if v.get(f):
                _set(h, f, v[f])
        if v.get("tenant_count"):
            _set(h, "tenant_count", int(v["tenant_count"]))
        if v.get("special_groups"):
            codes = v["special_groups"].split(",")
            if set(codes) != set(r.special_groups or ()):
                r.special_groups = codes
        if v.get("party_centre"):
            _set(h, "is_party_centre", v["party_centre"] == "1")
        if v.get("tier"):
            self.tiers_given[id(h)] = v["tier"]
        if shape:  # 联系电话 and 备注 are the household's, as the ledger shows them
            if v.get("phone"):
                heads = [m for m in self.all_people(h) if m.is_head]
                shown = h.phone or (heads[0].phone if heads else r.phone)
                if shown != v["phone"]:
                    h.phone = v["phone"]
            if v.get("notes"):
                _set(h, "notes", v["notes"])
            return
        if v.get("phone"):
            _set(r, "phone", v["phone"])
        if v.get("notes"):
            _set(r, "notes", v["notes"])
        relation = v.get("relation", "")
        if relation and relation != r.relation and "户主" not in (relation, r.relation):
            r.relation = relation

    def settle_tier(self, h: Household) -> None:
        """A tier named in the file is kept (as chosen by hand when the groups would give
        another); otherwise an automatic tier follows the residents' groups."""
        groups = [
            g
            for m in self.all_people(h)
            if resident_is_current(m.status, m.archived)
            for g in (m.special_groups or ())
        ]
        computed = tier_for_groups(groups, self.ref.group_tier, self.ref.tier_rank)
        given = self.tiers_given.get(id(h))
        if given is not None:
            if given != h.tier_code or (given != computed and not h.tier_manual):
                h.tier_code, h.tier_manual = given, given != computed
        elif not h.tier_manual:
            _set(h, "tier_code", computed)


class _Nodes:
    """Finds or creates community → grid → building group by name."""

    def __init__(self, s: Session) -> None:
        self.s = s
        self.communities = {c.name: c for c in s.scalars(select(Community))}
        self.grids = {(g.community_id, g.name): g for g in s.scalars(select(Grid))}
        self.groups = {(b.grid_id, b.name): b for b in s.scalars(select(BuildingGroup))}

        self.community_of = {g.id: g.community_id for g in self.grids.values()}

    def named(
        self, community: str, grid: str, group: str
    ) -> tuple[Community | None, Grid | None, BuildingGroup | None]:
        c = self.communities.get(community)
        g = self.grids.get((c.id, grid)) if c is not None else None
        b = self.groups.get((g.id, group)) if g is not None else None
        return c, g, b

    def find(self, community: str, grid: str, group: str) -> int | None:
        b = self.named(community, grid, group)[2]
        return b.id if b is not None else None

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
    lines.append(
        "每行一位居民;也可直接导入本软件不打码导出的住户台账(每户一行,户主)。"
        "已有的居民按身份证号、其次按同户同名认出并更新,不会重复添加;空着的格子不会清掉已有内容。"
        "走访等级、重点人群可填名称或代码。"
    )
    return "\n".join(lines)


__all__ = [
    "COLUMNS",
    "KINDS",
    "ImportArea",
    "ImportResult",
    "LedgerError",
    "Roster",
    "RowError",
    "export_ledger",
    "grouped_lines",
    "import_roster",
    "read_roster",
    "read_table",
]
