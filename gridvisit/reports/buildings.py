"""The prints of the building view (issue 20): 一户一档 (one household's card), 走访清单
(the week's sweep list, in walking order, with tick boxes and lines for notes) and the
楼栋图 (a building group's chart on A4, landscape when it is wider than tall).

The same font, running header and footer and masking as the weekly list
(reports/weekly.py): residents' names masked unless `full_names`, phones always
masked, ID numbers masked, free text scrubbed. Never imports Qt."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from datetime import date, datetime
from itertools import groupby
from pathlib import Path
from typing import Any, BinaryIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from gridvisit.core.clock import to_local
from gridvisit.core.enums import HouseStatus, RegistrationType
from gridvisit.core.errors import OutputError
from gridvisit.core.files import os_reason, safe_file_name, write_atomically
from gridvisit.core.layout import BuildingChart, Cell, RowKind, UnitChart, parse_building
from gridvisit.core.layout import parse_unit as _parse_unit
from gridvisit.core.masking import mask_id_number, mask_name, mask_phone, scrub_text
from gridvisit.core.services.buildings import (
    VISIT_STATE_LABELS,
    GroupChart,
    HouseholdCard,
    RoomInfo,
    SweepList,
    VisitState,
)
from gridvisit.reports.weekly import (
    FONT,
    GRID_LINE,
    GROUP_BG,
    HEADER_BG,
    MUTED,
    canvas_class,
    register_font,
)

MARGIN = 12 * mm
_CELL_FONT = [("FONTNAME", (0, 0), (-1, -1), FONT)]
# The building view's colours (ui/pages/buildings.py), for paper.
HOUSE_COLOURS = {
    "owner_occupied": "#a5d6a7",
    "rented": "#ffe082",
    "vacant": "#cfd8dc",
    "commercial": "#90caf9",
    "other": "#d1c4e9",
    "": "#ffffff",
}
VISIT_COLOURS = {
    VisitState.VISITED: "#a5d6a7",
    VisitState.DUE: "#ffe082",
    VisitState.OVERDUE: "#ef9a9a",
}
EMPTY_ROOM = "#f5f5f5"


def _styles() -> dict[str, ParagraphStyle]:
    font = register_font()
    base = ParagraphStyle("b_base", fontName=font, fontSize=9, leading=12, wordWrap="CJK")
    return {
        "cell": base,
        "cell_c": ParagraphStyle("b_cell_c", base, alignment=TA_CENTER),
        "small": ParagraphStyle("b_small", base, fontSize=7, leading=8.5),
        "small_c": ParagraphStyle("b_small_c", base, fontSize=7, leading=8.5, alignment=TA_CENTER),
        "head": ParagraphStyle("b_head", base, alignment=TA_CENTER),
        "title": ParagraphStyle(
            "b_title", base, fontSize=18, leading=24, alignment=TA_CENTER, spaceAfter=2 * mm
        ),
        "subtitle": ParagraphStyle(
            "b_subtitle", base, fontSize=10, leading=14, alignment=TA_CENTER
        ),
        "section": ParagraphStyle(
            "b_section", base, fontSize=12, leading=16, spaceBefore=4 * mm, spaceAfter=2 * mm
        ),
        "building": ParagraphStyle("b_building", base, fontSize=12, leading=16, spaceAfter=1 * mm),
        "note": ParagraphStyle("b_note", base, fontSize=8, leading=11, textColor=MUTED),
        "empty": ParagraphStyle("b_empty", base, fontSize=9.5, leading=13, textColor=MUTED),
        "sign": ParagraphStyle("b_sign", base, fontSize=10.5, leading=15),
    }


def _text(value: str) -> str:
    return escape(value).replace("\n", "<br/>")


def _day(moment: datetime | date | None) -> str:
    if moment is None:
        return "—"
    if isinstance(moment, datetime):
        return f"{to_local(moment):%Y-%m-%d}"
    return f"{moment:%Y-%m-%d}"


def _table_style(extra: Sequence[tuple[Any, ...]] = ()) -> TableStyle:
    return TableStyle(
        [
            *_CELL_FONT,
            ("GRID", (0, 0), (-1, -1), 0.5, GRID_LINE),
            ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), 3),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3),
            *extra,
        ]
    )


class _TickBox(Flowable):
    """An empty square to tick by hand."""

    def __init__(self, size: float = 4.2 * mm) -> None:
        super().__init__()
        self.size = size

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        self.canv.setLineWidth(0.8)
        self.canv.rect(0, 0, self.size, self.size)


class _NoteLines(Flowable):
    """Blank lines across the cell, to write on."""

    def __init__(self, lines: int = 2, spacing: float = 5.5 * mm) -> None:
        super().__init__()
        self.lines, self.spacing = lines, spacing

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = availWidth
        return availWidth, self.lines * self.spacing

    def draw(self) -> None:
        self.canv.setLineWidth(0.4)
        self.canv.setStrokeColor(GRID_LINE)
        for i in range(self.lines):
            y = i * self.spacing + 0.5 * mm
            self.canv.line(0, y, self.width, y)


def _build(
    story: list[Any],
    out: str | os.PathLike[str] | BinaryIO,
    *,
    page: tuple[float, float],
    title: str,
    subject: str,
    header: str,
    generated: datetime,
    full_names: bool,
) -> None:
    register_font()
    doc = SimpleDocTemplate(
        os.fspath(out) if isinstance(out, os.PathLike) else out,
        pagesize=page,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=15 * mm if full_names else 13 * mm,
        bottomMargin=12 * mm,
        title=title,
        subject=subject,
        creator="gridvisit",
        initialFontName=FONT,
    )
    doc.build(
        story,
        canvasmaker=canvas_class(
            header, f"{to_local(generated):%Y-%m-%d %H:%M}", full_names, page, notice_below=True
        ),
    )


def _marks(room: RoomInfo) -> str:
    return ("★" if room.party_members else "") + ("●" if room.special_groups else "")


# --- 一户一档 ------------------------------------------------------------------------------


def render_household_card(
    card: HouseholdCard,
    out: str | os.PathLike[str] | BinaryIO,
    *,
    full_names: bool = False,
    house_labels: dict[str, str] | None = None,
    registrations: dict[str, str] | None = None,
    generated: datetime | None = None,
    recent_visits: int = 10,
) -> None:
    st = _styles()
    d, room = card.detail, card.room
    names = tuple(r.name for r in (*d.residents, *d.former_residents))

    def name(value: str) -> str:
        return value if full_names else mask_name(value)

    def free(value: str) -> str:
        return scrub_text(value, names, mask_names=not full_names)

    width = A4[0] - 2 * MARGIN
    labels = house_status_labels() if house_labels is None else house_labels
    status = labels.get(room.house_status, room.house_status) or "未登记"
    state = VISIT_STATE_LABELS[room.state]
    if room.overdue:
        state += f"(超期 {room.overdue_days} 天)"
    info = [
        ("地址", _text(d.address), "所属", _text(d.place)),
        ("房屋状态", _text(status), "走访等级", _text(d.tier_name)),
        (
            "联系电话",
            mask_phone(d.phone) if d.phone else "—",
            "党员中心户",
            "是" if d.is_party_centre else "否",
        ),
        ("上次走访", _day(room.last_visit), "下次应访", _day(room.next_due)),
        ("本期走访", _text(state), "未销号问题", f"{room.open_problems} 件"),
    ]
    if d.owner_name or d.owner_phone:
        owner = name(d.owner_name) if d.owner_name else "—"
        info.append(("房主", _text(owner), "房主电话", mask_phone(d.owner_phone) or "—"))
    if d.house_status == HouseStatus.RENTED.value:
        info.append(
            ("租住人数", f"{d.tenant_count} 人", "租赁备案号", _text(d.rental_registration) or "—")
        )  # fmt: skip
    info_table = Table(
        [
            [
                Paragraph(a, st["cell"]),
                Paragraph(b, st["cell"]),
                Paragraph(c, st["cell"]),
                Paragraph(e, st["cell"]),
            ]
            for a, b, c, e in info
        ],
        colWidths=[22 * mm, width / 2 - 22 * mm, 22 * mm, width / 2 - 22 * mm],
    )
    info_table.setStyle(
        TableStyle(
            [
                *_CELL_FONT,
                ("GRID", (0, 0), (-1, -1), 0.5, GRID_LINE),
                ("BACKGROUND", (0, 0), (0, -1), HEADER_BG),
                ("BACKGROUND", (2, 0), (2, -1), HEADER_BG),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ]
        )
    )
    story: list[Any] = [
        Paragraph("一户一档", st["title"]),
        Paragraph(_text(f"{d.place} / {d.address}"), st["subtitle"]),
        Spacer(1, 4 * mm),
        info_table,
    ]
    # Members
    story.append(Paragraph(f"家庭成员({len(d.residents)} 人)", st["section"]))
    reg = registration_labels() if registrations is None else registrations
    head = ["姓名", "性别", "与户主关系", "出生年月", "身份证号", "党员", "户籍类型", "重点人群"]
    rows: list[list[Any]] = [[Paragraph(h, st["head"]) for h in head]]
    for r in d.residents:
        groups = "、".join(card.special_groups.get(g, g) for g in r.special_groups)
        registration = r.registration_type
        rows.append(
            [
                Paragraph(_text(name(r.name)) + ("(户主)" if r.is_head else ""), st["cell"]),
                Paragraph({"M": "男", "F": "女"}.get(r.gender, ""), st["cell_c"]),
                Paragraph(_text(r.relation or ("户主" if r.is_head else "")), st["cell_c"]),
                Paragraph(f"{r.birth_date:%Y-%m}" if r.birth_date else "", st["cell_c"]),
                Paragraph(mask_id_number(r.id_number) if r.id_number else "", st["cell_c"]),
                Paragraph("★ 是" if r.is_party_member else "", st["cell_c"]),
                Paragraph(_text(reg.get(registration, registration)), st["cell_c"]),
                Paragraph(_text(groups), st["cell"]),
            ]
        )
    if not d.residents:
        rows.append([Paragraph("没有登记居民。", st["empty"])] + [""] * 7)
    widths = [24, 10, 20, 17, 36, 12, 20, width / mm - 139]
    members = Table(rows, colWidths=[w * mm for w in widths], repeatRows=1)
    members.setStyle(_table_style())
    story.append(members)
    if d.moves:
        story.append(Paragraph(f"人员变动({len(d.moves)} 次)", st["section"]))
        mrows: list[list[Any]] = [
            [Paragraph(h, st["head"]) for h in ("日期", "变动", "居民", "说明")]
        ]
        for m in d.moves:
            mrows.append(
                [
                    Paragraph(_day(m.moved_on), st["cell_c"]),
                    Paragraph(m.kind.label, st["cell_c"]),
                    Paragraph(_text(name(m.resident_name)), st["cell_c"]),
                    Paragraph(_text(free(m.note)[:200]), st["cell"]),
                ]
            )
        mt = Table(mrows, colWidths=[22 * mm, 18 * mm, 24 * mm, width - 64 * mm], repeatRows=1)
        mt.setStyle(_table_style())
        story.append(mt)
    # Visits
    visits = d.visits[:recent_visits]
    story.append(Paragraph(f"最近走访({len(visits)} 次,共 {len(d.visits)} 次)", st["section"]))
    if visits:
        vrows: list[list[Any]] = [
            [Paragraph(h, st["head"]) for h in ("日期", "方式", "事由", "网格员", "走访情况")]
        ]
        for v in visits:
            vrows.append(
                [
                    Paragraph(_day(v.visited_at), st["cell_c"]),
                    Paragraph(v.method.label, st["cell_c"]),
                    Paragraph(v.purpose.label, st["cell_c"]),
                    Paragraph(_text(v.worker), st["cell_c"]),
                    Paragraph(_text(free(v.notes)[:300]) or "—", st["cell"]),
                ]
            )
        vt = Table(vrows, colWidths=[22 * mm, 14 * mm, 26 * mm, 20 * mm, width - 82 * mm],
                   repeatRows=1)  # fmt: skip
        vt.setStyle(_table_style())
        story.append(vt)
    else:
        story.append(Paragraph("还没有走访记录。", st["empty"]))
    # Problems
    open_ones = [p for p in d.problems if p.status.is_open]
    closed = [p for p in d.problems if not p.status.is_open]
    now = generated or datetime.now().astimezone()
    for title, items, empty in (
        ("未办结问题", open_ones, "没有未办结的问题。"),
        ("已办结问题", closed, "没有已办结的问题。"),
    ):
        story.append(Paragraph(f"{title}({len(items)} 件)", st["section"]))
        if not items:
            story.append(Paragraph(empty, st["empty"]))
            continue
        prows: list[list[Any]] = [
            [Paragraph(h, st["head"]) for h in ("登记日期", "类别", "问题描述", "状态", "办理时限")]
        ]
        style: list[tuple[Any, ...]] = []
        for i, p in enumerate(items, start=1):
            late = p.is_overdue(now)
            status = f"{p.status.label}({p.level.label})"
            if late:
                status += "<br/><font color='#c62828'>超期</font>"
                style.append(("BACKGROUND", (0, i), (-1, i), colors.HexColor("#fdecea")))
            limit = to_local(p.due_at).date().toordinal() - 1
            prows.append(
                [
                    Paragraph(_day(p.reported_at), st["cell_c"]),
                    Paragraph(_text(p.category), st["cell"]),
                    Paragraph(_text(free(p.description)[:400]), st["cell"]),
                    Paragraph(status, st["cell_c"]),
                    Paragraph(f"{date.fromordinal(limit):%Y-%m-%d}", st["cell_c"]),
                ]
            )
        pt = Table(prows, colWidths=[22 * mm, 30 * mm, width - 96 * mm, 22 * mm, 22 * mm],
                   repeatRows=1)  # fmt: skip
        pt.setStyle(_table_style(style))
        story.append(pt)
    story += [Spacer(1, 8 * mm), _signature(width, st)]
    title = f"一户一档 {d.address}"
    _build(
        story,
        out,
        page=A4,
        title=title,
        subject="一户一档",
        header=f"{d.place} · 一户一档",
        generated=now,
        full_names=full_names,
    )


def _signature(width: float, st: dict[str, ParagraphStyle]) -> KeepTogether:
    line = "_" * 14
    table = Table(
        [
            [
                Paragraph(f"网格员:{line}", st["sign"]),
                Paragraph(f"核对人:{line}", st["sign"]),
                Paragraph("日期:______年____月____日", st["sign"]),
            ]
        ],
        colWidths=[width / 3] * 3,
    )
    table.setStyle(TableStyle(_CELL_FONT))
    return KeepTogether([table])


def card_file_name(card: HouseholdCard) -> str:
    return safe_file_name(f"一户一档_{card.detail.address}.pdf")


# --- 走访清单 ------------------------------------------------------------------------------


def render_sweep(
    sweep: SweepList,
    out: str | os.PathLike[str] | BinaryIO,
    *,
    full_names: bool = False,
    generated: datetime | None = None,
) -> None:
    st = _styles()
    week = sweep.week
    width = A4[0] - 2 * MARGIN
    overdue = sum(1 for r in sweep.rooms if r.overdue)
    story: list[Any] = [
        Paragraph(_text(f"{sweep.title} 走访清单"), st["title"]),
        Paragraph(
            f"{week.year}年第{week.week}周:{week.monday:%m月%d日}(星期一)至 "
            f"{week.sunday:%m月%d日}(星期日) · 应访 {len(sweep.rooms)} 户,其中超期 {overdue} 户",
            st["subtitle"],
        ),
        Spacer(1, 3 * mm),
        Paragraph(
            "按楼栋、单元、楼层、房号排列,可沿楼入户。已访的打 √,在“走访情况”里记下要点,"
            "回来后在系统里登记。★ 党员 ● 重点人群。",
            st["note"],
        ),
        Spacer(1, 2 * mm),
    ]
    head = ["√", "房号", "户主", "电话", "人数", "重点", "应访日期", "上次走访", "走访情况"]
    widths: list[float] = [8, 18, 18, 24, 10, 34, 22, 20]
    widths.append(width / mm - sum(widths))
    rows: list[list[Any]] = [[Paragraph(h, st["head"]) for h in head]]
    style: list[tuple[Any, ...]] = [("VALIGN", (0, 0), (-1, -1), "TOP")]
    if not sweep.rooms:
        story.append(Paragraph("这一周没有应访或超期的住户。", st["empty"]))
    for (building, unit), group in groupby(
        sweep.rooms, key=lambda r: (parse_building(r.building), _parse_unit(r.unit))
    ):
        members = list(group)
        i = len(rows)
        rows.append(
            [Paragraph(f"{building.label}{unit.label}({len(members)} 户)", st["cell"])]
            + [""] * (len(head) - 1)
        )
        style += [("SPAN", (0, i), (-1, i)), ("BACKGROUND", (0, i), (-1, i), GROUP_BG)]
        for r in members:
            due = _day(r.next_due)
            if r.overdue:
                due += f"<br/><font color='#c62828'>超期 {r.overdue_days} 天</font>"
            groups = "、".join(r.special_groups)
            mark = _marks(r)
            rows.append(
                [
                    _TickBox(),
                    Paragraph(_text(r.room), st["cell_c"]),
                    Paragraph(_text(r.head if full_names else mask_name(r.head)), st["cell_c"]),
                    Paragraph(mask_phone(r.phone) if r.phone else "", st["cell_c"]),
                    Paragraph(str(r.members), st["cell_c"]),
                    Paragraph(_text(f"{mark} {groups}".strip()), st["small"]),
                    Paragraph(due, st["cell_c"]),
                    Paragraph(_day(r.last_visit), st["cell_c"]),
                    _NoteLines(),
                ]
            )
    if sweep.rooms:
        table = Table(rows, colWidths=[w * mm for w in widths], repeatRows=1)
        table.setStyle(_table_style(style))
        story.append(table)
    story += [Spacer(1, 8 * mm), _signature(width, st)]
    title = f"{sweep.title} 第{week.week}周走访清单"
    _build(
        story,
        out,
        page=A4,
        title=title,
        subject="走访清单",
        header=title,
        generated=generated or datetime.now().astimezone(),
        full_names=full_names,
    )


def sweep_file_name(sweep: SweepList) -> str:
    return safe_file_name(f"{sweep.title}_{sweep.week}_走访清单.pdf")


# --- 楼栋图 ------------------------------------------------------------------------------

_CELL_MM = 15.0
_LABEL_MM = 12.0
_ROW_MM = 8.5


def _unit_width(unit: UnitChart[RoomInfo]) -> float:
    return _LABEL_MM + unit.width * _CELL_MM


def _building_width(building: BuildingChart[RoomInfo]) -> float:
    return sum(_unit_width(u) for u in building.units) + 4 * max(0, len(building.units) - 1)


def chart_is_landscape(chart: GroupChart) -> bool:
    """Landscape when the widest building does not fit across a portrait page."""
    widest = max((_building_width(b) for b in chart.buildings), default=0)
    return widest > (A4[0] - 2 * MARGIN) / mm


def render_chart(
    chart: GroupChart,
    out: str | os.PathLike[str] | BinaryIO,
    *,
    by_visit: bool = False,
    house_labels: dict[str, str] | None = None,
    generated: datetime | None = None,
) -> None:
    """The chart shows no names (addresses and marks only), so it has no full-names mode."""
    st = _styles()
    page = landscape(A4) if chart_is_landscape(chart) else A4
    width = page[0] - 2 * MARGIN
    has_status = any(r.house_status for r in chart.rooms)
    by_visit = by_visit or not has_status
    scale = min(1.0, width / mm / max((_building_width(b) for b in chart.buildings), default=1))
    story: list[Any] = [
        Paragraph(_text(f"{chart.title} 楼栋图"), st["title"]),
        Paragraph(
            f"{len(chart.rooms)} 户 · 本期已访 {chart.count(VisitState.VISITED)} · "
            f"本周应访 {chart.count(VisitState.DUE)} · 超期 {chart.count(VisitState.OVERDUE)} · "
            f"截至 {chart.today:%Y-%m-%d}",
            st["subtitle"],
        ),
        Spacer(1, 2 * mm),
        _legend(
            by_visit,
            house_status_labels() if house_labels is None else house_labels,
            width,
            st,
            unrecorded=not all(r.house_status for r in chart.rooms),
        ),
        Spacer(1, 3 * mm),
    ]
    for building in chart.buildings:
        parts: list[Any] = [Paragraph(_text(building.building.label), st["building"])]
        if not any(u.rows for u in building.units):
            parts.append(Paragraph("这栋楼还没有登记住户。", st["empty"]))
        else:
            tables = [
                _unit_table(u, by_visit, scale, st, offset=building.offset(u))
                for u in building.units
            ]
            outer = Table(
                [tables],
                colWidths=[_unit_width(u) * scale * mm + 4 * mm for u in building.units],
                hAlign="LEFT",
            )
            outer.setStyle(
                TableStyle(
                    [
                        *_CELL_FONT,
                        ("VALIGN", (0, 0), (-1, -1), "TOP"),
                        ("LEFTPADDING", (0, 0), (-1, -1), 0),
                        ("RIGHTPADDING", (0, 0), (-1, -1), 4 * mm),
                    ]
                )
            )
            parts.append(outer)
        story += [KeepTogether(parts), Spacer(1, 5 * mm)]
    _build(
        story,
        out,
        page=page,
        title=f"{chart.title} 楼栋图",
        subject="楼栋图",
        header=f"{chart.title} · 楼栋图",
        generated=generated or datetime.now().astimezone(),
        full_names=False,
    )


def _cell_colour(cell: Cell[RoomInfo], by_visit: bool) -> str:
    if not cell.items:
        return EMPTY_ROOM
    room = cell.items[0]
    if by_visit:
        return VISIT_COLOURS[room.state]
    return HOUSE_COLOURS.get(room.house_status, HOUSE_COLOURS["other"])


def _cell_text(cell: Cell[RoomInfo]) -> str:
    text = _text(cell.room) + ("⇔" if cell.duplex else "")
    if not cell.items:
        return f"<font color='#9e9e9e'>{text}</font>"
    marks = "".join(_marks(r) for r in cell.items[:1])
    if any(r.overdue for r in cell.items):
        marks += "<font color='#c62828'><b>!</b></font>"
    problems = sum(r.open_problems for r in cell.items)
    if problems:
        marks += f"<font color='#c62828'>问{problems}</font>"
    return f"{text}<br/>{marks}" if marks else text


def _unit_table(
    unit: UnitChart[RoomInfo],
    by_visit: bool,
    scale: float,
    st: dict[str, ParagraphStyle],
    *,
    offset: int = 0,
) -> Table:
    """One unit; `offset` empty rows on top line its floors up with the building's
    tallest unit."""
    cols = unit.width
    data: list[list[Any]] = [[Paragraph(_text(unit.unit.label), st["small_c"])] + [""] * cols]
    data += [[""] * (cols + 1) for _ in range(offset)]
    style: list[tuple[Any, ...]] = [
        *_CELL_FONT,
        ("SPAN", (0, 0), (-1, 0)),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 1),
        ("RIGHTPADDING", (0, 0), (-1, -1), 1),
        ("TOPPADDING", (0, 0), (-1, -1), 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
    ]
    for r, row in enumerate(unit.rows, start=1 + offset):
        cells: list[Any] = [Paragraph(_text(row.label), st["small_c"])]
        for c in range(cols):
            if c < len(row.cells):
                cell = row.cells[c]
                cells.append(Paragraph(_cell_text(cell), st["small_c"]))
                style += [
                    ("BACKGROUND", (c + 1, r), (c + 1, r), colors.HexColor(_cell_colour(cell, by_visit))),
                    ("BOX", (c + 1, r), (c + 1, r), 0.5, GRID_LINE),
                ]  # fmt: skip
            else:
                cells.append("")
        if row.kind is not RowKind.FLOOR:
            style.append(("LINEABOVE", (1, r), (-1, r), 1, GRID_LINE))
        data.append(cells)
    table = Table(
        data,
        colWidths=[_LABEL_MM * scale * mm] + [_CELL_MM * scale * mm] * cols,
        rowHeights=[5 * mm] + [_ROW_MM * mm] * (offset + len(unit.rows)),
    )
    table.setStyle(TableStyle(style))
    return table


def _legend(
    by_visit: bool,
    house_labels: dict[str, str],
    width: float,
    st: dict[str, ParagraphStyle],
    *,
    unrecorded: bool = False,
) -> Table:
    if by_visit:
        items = [(VISIT_COLOURS[s], VISIT_STATE_LABELS[s]) for s in VisitState]
    else:
        items = [(HOUSE_COLOURS.get(c, HOUSE_COLOURS["other"]), n) for c, n in house_labels.items()]
        if unrecorded:
            items.append((HOUSE_COLOURS[""], "未登记"))
    items.append((EMPTY_ROOM, "无登记住户"))
    cells: list[Any] = []
    style: list[tuple[Any, ...]] = [*_CELL_FONT, ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]
    for i, (colour, label) in enumerate(items):
        cells += ["", Paragraph(_text(label), st["small"])]
        style += [
            ("BACKGROUND", (2 * i, 0), (2 * i, 0), colors.HexColor(colour)),
            ("BOX", (2 * i, 0), (2 * i, 0), 0.5, GRID_LINE),
        ]
    marks = Paragraph(
        "<font color='#b71c1c'>★</font> 党员 &nbsp; <font color='#4a148c'>●</font> 重点人群 &nbsp; "
        "<font color='#c62828'><b>!</b></font> 走访超期 &nbsp; "
        "<font color='#c62828'>问N</font> 未销号问题 N 件 &nbsp; ⇔ 复式(跨两户号)",
        st["small"],
    )
    cells.append(marks)
    widths = [5 * mm, 15 * mm] * len(items)
    widths.append(max(60 * mm, width - sum(widths)))
    table = Table([cells], colWidths=widths, rowHeights=[6 * mm], hAlign="LEFT")
    table.setStyle(TableStyle(style))
    return table


def chart_file_name(chart: GroupChart) -> str:
    return safe_file_name(f"{chart.grid}_{chart.name}_楼栋图.pdf")


def house_status_labels() -> dict[str, str]:
    """房屋状态 codes and names, in the legend's order."""
    return {m.value: m.label for m in HouseStatus}


def registration_labels() -> dict[str, str]:
    """户籍类型 codes and names."""
    return {m.value: m.label for m in RegistrationType}


# --- writing a file ----------------------------------------------------------------------


def write_pdf(path: Path, render: Callable[[BinaryIO], None], example: str) -> None:
    """Write atomically: a failure leaves no file and no half-written PDF."""
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"“{path}”是一个文件夹。", hint=f"请给出文件名,例如 {path / example}")
    try:
        write_atomically(path, render)
    except OSError as exc:
        raise OutputError(
            f"保存“{path}”失败:{os_reason(exc)}。",
            hint="请换一个保存位置,或检查磁盘空间;如果文件正在 PDF 阅读器里打开,请先关闭。",
        ) from exc


__all__ = [
    "card_file_name",
    "chart_file_name",
    "chart_is_landscape",
    "house_status_labels",
    "registration_labels",
    "render_chart",
    "render_household_card",
    "render_sweep",
    "sweep_file_name",
    "write_pdf",
]
