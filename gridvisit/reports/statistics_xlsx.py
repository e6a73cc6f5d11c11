"""The statistical report's tables as an Excel 统计表 (openpyxl), for offices to
forward upward: one sheet per table, Chinese headers, rates as numbers formatted as
percentages (so a receiving office can add them up), a title row, the header frozen,
column widths set, values below target in red with a pale red fill.

The same tables and figures as the PDF (`reports/statistics.py`). Never imports Qt.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from gridvisit.core.clock import to_local
from gridvisit.core.indicators import BY_KEY, INDICATORS, IndicatorValue, Unit
from gridvisit.reports.statistics import (
    LEVELS,
    ROW_KEYS,
    TREND_KEYS,
    StatisticsReport,
    TableLine,
)

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

PERCENT = "0.0%"
DAYS = "0.0"
INTEGER = "0"
RED = "C62828"
RED_FILL = "FDECEA"
HEADER_FILL = "DFE6EE"

# Sheet names (Excel allows 31 characters, no []:*?/\).
SHEETS = (
    "主要指标",
    "分{level}情况",
    "近12个月趋势",
    "问题分类",
    "各层级办结",
    "重点人群",
    "计算方法",
)


def _header_name(key: str) -> str:
    ind = BY_KEY[key]
    return f"{ind.name}({ind.suffix})" if ind.suffix else ind.name


def _value(v: IndicatorValue) -> float | int | None:
    if v.value is None:
        return None
    return int(v.value) if v.unit is Unit.COUNT else v.value


def _format(unit: Unit) -> str:
    return {Unit.RATE: PERCENT, Unit.DAYS: DAYS}.get(unit, INTEGER)


class _Sheet:
    def __init__(self, ws: Worksheet, title: str, headers: Sequence[str], widths: Sequence[int]):
        from openpyxl.styles import Alignment, Font, PatternFill
        from openpyxl.utils import get_column_letter

        self.ws = ws
        ws.append([title])
        ws.cell(1, 1).font = Font(bold=True, size=13)
        if len(headers) > 1:
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
        ws.append(list(headers))
        fill = PatternFill("solid", fgColor=HEADER_FILL)
        for col in range(1, len(headers) + 1):
            cell = ws.cell(2, col)
            cell.font = Font(bold=True)
            cell.fill = fill
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.row_dimensions[2].height = 32
        ws.freeze_panes = "B3"
        for i, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = w

    def row(self, values: Sequence[Any], formats: Sequence[str | None] = ()) -> int:
        self.ws.append(list(values))
        r = self.ws.max_row
        for col, fmt in enumerate(formats, start=1):
            if fmt:
                self.ws.cell(r, col).number_format = fmt
        return r

    def alert(self, row: int, col: int) -> None:
        from openpyxl.styles import Font, PatternFill

        cell = self.ws.cell(row, col)
        cell.font = Font(color=RED, bold=True)
        cell.fill = PatternFill("solid", fgColor=RED_FILL)

    def bold_row(self, row: int) -> None:
        from openpyxl.styles import Font

        for cell in self.ws[row]:
            cell.font = Font(bold=True, color=cell.font.color)


def _indicator_row(sheet: _Sheet, name: str | Sequence[str], line_ind: dict[str, IndicatorValue],
                   keys: Sequence[str]) -> int:  # fmt: skip
    """A line: its name (or names: community and grid), then a cell per indicator."""
    lead = [name] if isinstance(name, str) else list(name)
    values = [_value(line_ind[k]) for k in keys]
    formats = [*([None] * len(lead)), *(_format(line_ind[k].unit) for k in keys)]
    r = sheet.row([*lead, *values], formats)
    for col, k in enumerate(keys, start=len(lead) + 1):
        if line_ind[k].meets_target is False:
            sheet.alert(r, col)
    return r


def build_workbook(data: StatisticsReport) -> Any:
    from openpyxl import Workbook

    wb = Workbook()
    title = data.title
    generated = to_local(data.stats.summary.generated_at)
    ind = data.figures.indicators

    # 主要指标
    ws = wb.active
    assert ws is not None
    ws.title = SHEETS[0]
    sheet = _Sheet(ws, title, ("指标", "本期数值", "分子", "分母", "目标(下限)", "达标情况"),
                   (26, 12, 12, 12, 12, 10))  # fmt: skip
    for v in ind.values():
        verdict = "" if v.target is None else (
            "无数据" if v.meets_target is None else ("达标" if v.meets_target else "▼ 未达标"))  # fmt: skip
        fmt = _format(v.unit)
        part = DAYS if v.unit is Unit.DAYS else INTEGER
        r = sheet.row(
            [_header_name(v.key), _value(v), v.numerator, v.denominator, v.target, verdict],
            [None, fmt, part, INTEGER, PERCENT],
        )
        if v.meets_target is False:
            sheet.alert(r, 2)
            sheet.alert(r, 6)
    note = ws.max_row + 2
    ws.cell(note, 1, f"统计期:{data.period.label}({data.period.first} 至 {data.period.last}),"
                     f"统计范围:{data.scope_name or data.subdistrict},生成时间:{generated:%Y-%m-%d %H:%M}")  # fmt: skip

    # 分社区/网格/楼栋党小组
    ws = wb.create_sheet(SHEETS[1].format(level=data.level))
    sheet = _Sheet(ws, title, [data.level, *(_header_name(k) for k in ROW_KEYS)],
                   [20, *([11] * len(ROW_KEYS))])  # fmt: skip
    lines: list[TableLine] = [*data.rows, TableLine("合计", "", data.figures)]
    for line in lines:
        r = _indicator_row(sheet, line.name, line.figures.indicators, ROW_KEYS)
    sheet.bold_row(r)
    if data.chart_level != data.level and data.chart_rows:
        # The sub-district's workbook: every grid, with its community, on its own sheet.
        ws = wb.create_sheet(SHEETS[1].format(level=data.chart_level))
        sheet = _Sheet(ws, title, ["社区", data.chart_level, *(_header_name(k) for k in ROW_KEYS)],
                       [14, 20, *([11] * len(ROW_KEYS))])  # fmt: skip
        for line in data.chart_rows:
            _indicator_row(sheet, [line.parent, line.name], line.figures.indicators, ROW_KEYS)

    # 近12个月趋势
    ws = wb.create_sheet(SHEETS[2])
    sheet = _Sheet(ws, title, ["月份", *(_header_name(k) for k in TREND_KEYS)],
                   [14, *([11] * len(TREND_KEYS))])  # fmt: skip
    for point in data.trend:
        _indicator_row(sheet, point.period.label, point.figures.indicators, TREND_KEYS)

    # 问题分类
    ws = wb.create_sheet(SHEETS[3])
    sheet = _Sheet(ws, title, ("问题类别", "新增(件)", "办结(件)", "按期办结(件)", "超原时限办结(件)",
                               "按期办结率", "超期未办结(件)"), (22, 10, 10, 12, 12, 11, 13))  # fmt: skip
    target = data.targets.get("on_time_rate")
    for c in sorted(data.figures.categories, key=lambda c: (-c.new, -c.resolved, c.code)):
        rate = c.on_time_rate
        r = sheet.row([c.name, c.new, c.resolved, c.on_time, c.resolved - c.on_time, rate,
                       c.overdue_open], [None, *([INTEGER] * 4), PERCENT, INTEGER])  # fmt: skip
        if rate is not None and target is not None and rate < target:
            sheet.alert(r, 6)

    # 各层级办结
    ws = wb.create_sheet(SHEETS[4])
    sheet = _Sheet(ws, title, ("办结层级", "办结(件)", "占比"), (24, 10, 10))
    counts = data.figures.counts
    for field, label in LEVELS:
        n = getattr(counts, field)
        sheet.row([label, n, n / counts.resolved if counts.resolved else None],
                  [None, INTEGER, PERCENT])  # fmt: skip
    below = ind["settled_below_subdistrict"]
    r = sheet.row(["基层解决(网格 + 社区)", counts.settled_grid + counts.settled_community,
                   below.value], [None, INTEGER, PERCENT])  # fmt: skip
    if below.meets_target is False:
        sheet.alert(r, 3)
    sheet.bold_row(r)

    # 重点人群
    ws = wb.create_sheet(SHEETS[5])
    sheet = _Sheet(ws, title, ("重点人群", "住户数(户)", "应访户数(户)", "按期走访(户)",
                               "走访覆盖率", "期末逾期未访(户)"), (16, 11, 12, 12, 11, 15))  # fmt: skip
    target = data.targets.get("coverage")
    for g in data.figures.special_groups:
        r = sheet.row([g.name, g.households, g.due, g.covered, g.coverage, g.overdue_households],
                      [None, *([INTEGER] * 3), PERCENT, INTEGER])  # fmt: skip
        if g.coverage is not None and target is not None and g.coverage < target:
            sheet.alert(r, 5)

    # 计算方法
    ws = wb.create_sheet(SHEETS[6])
    sheet = _Sheet(ws, title, ("指标", "计算方法", "目标(下限)"), (16, 80, 12))
    for i in INDICATORS:
        sheet.row([i.name, i.formula, data.targets.get(i.key)], [None, None, PERCENT])
    return wb


def xlsx_bytes(data: StatisticsReport) -> bytes:
    out = io.BytesIO()
    build_workbook(data).save(out)
    return out.getvalue()


__all__ = ["SHEETS", "build_workbook", "xlsx_bytes"]
