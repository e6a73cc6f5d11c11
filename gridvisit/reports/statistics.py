"""The monthly, quarterly or yearly statistical report (网格走访与问题办理统计表) as a
print-ready PDF and as an Excel workbook (issue 19, item 4).

Portrait A4, the weekly list's font, styles, running header and footer and signature
block (`reports/weekly.py`). Contents: the indicators against their targets (below
target in red with ▼), a table per community, grid or building group one level below
the scope, a column chart per grid, the 12-month trend, problems by category, the
share settled at each level, coverage of the special groups, and the formulas, all
from `core/indicators.py` through `StatsService` (docs/architecture.md, "Statistics").
No personal data is printed: every figure is a count, every name a community, grid
or building group. Never imports Qt.
"""

from __future__ import annotations

import io
import os
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.charts.linecharts import HorizontalLineChart
from reportlab.graphics.charts.piecharts import Pie
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.graphics.widgets.markers import makeMarker
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from gridvisit.core.clock import to_local
from gridvisit.core.errors import OutputError
from gridvisit.core.files import os_reason, safe_file_name, write_atomically
from gridvisit.core.indicators import (
    BY_KEY,
    INDICATORS,
    Counts,
    IndicatorValue,
    Period,
    ScopeFigures,
    Unit,
    evaluate,
)
from gridvisit.reports.weekly import (
    _CELL_FONT,
    ALERT,
    ALERT_BG,
    FONT,
    GRID_LINE,
    GROUP_BG,
    HEADER_BG,
    MUTED,
    _styles,
    _text,
    canvas_class,
    register_font,
    signature_block,
)

if TYPE_CHECKING:
    from gridvisit.core.services import Services
    from gridvisit.core.services.stats import StatsReport, StatsRow, TrendPoint

PAGE = A4
MARGIN = 15 * mm
WIDTH = PAGE[0] - 2 * MARGIN  # 180 mm
BELOW = "▼"
TITLE_TAIL = "网格走访与问题办理统计表"
SERIES = (
    colors.HexColor("#1f77b4"),
    colors.HexColor("#2ca02c"),
    colors.HexColor("#ff7f0e"),
    colors.HexColor("#9467bd"),
)

# The key indicators of the per-grid table, the trend and the Excel sheets.
ROW_KEYS: tuple[str, ...] = (
    "due",
    "coverage",
    "overdue_households",
    "new",
    "resolved",
    "resolution_rate",
    "on_time_rate",
    "overdue_open",
    "satisfaction_rate",
    "settled_below_subdistrict",
)
TREND_KEYS: tuple[str, ...] = (
    "visits",
    "coverage",
    "new",
    "resolved",
    "resolution_rate",
    "on_time_rate",
    "satisfaction_rate",
)
TREND_LINES: tuple[str, ...] = ("coverage", "resolution_rate", "on_time_rate", "satisfaction_rate")
BAR_KEYS: tuple[str, ...] = ("coverage", "on_time_rate")
LEVELS: tuple[tuple[str, str], ...] = (
    ("settled_grid", "网格"),
    ("settled_community", "社区"),
    ("settled_subdistrict", "街道"),
)
# At most this many columns stand side by side; more grids are drawn as horizontal bars.
VERTICAL_BARS = 24


# --- the data -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TableLine:
    """One line of a comparison table: a community, grid or building group."""

    name: str
    parent: str
    figures: ScopeFigures


@dataclass(frozen=True, slots=True)
class StatisticsReport:
    """Everything the PDF and the workbook print, gathered once from StatsService."""

    subdistrict: str
    scope_name: str  # the sub-district's, a community's, or community + grid
    level: str  # what `rows` are: 社区, 网格 or 楼栋党小组
    chart_level: str  # what `chart_rows` are
    stats: StatsReport
    rows: tuple[TableLine, ...]
    chart_rows: tuple[TableLine, ...]
    trend: tuple[TrendPoint, ...]

    @property
    def period(self) -> Period:
        return self.stats.summary.period

    @property
    def figures(self) -> ScopeFigures:
        return self.stats.summary.figures

    @property
    def targets(self) -> dict[str, float]:
        return self.stats.summary.targets

    @property
    def where(self) -> str:
        """The sub-district, with the community or grid when the scope is one."""
        if self.scope_name and self.scope_name != self.subdistrict:
            return self.subdistrict + self.scope_name
        return self.subdistrict

    @property
    def title(self) -> str:
        return f"{self.where} {self.period.label} {TITLE_TAIL}"


def _line(row: StatsRow) -> TableLine:
    return TableLine(row.name, row.parent, row.figures)


def collect(
    services: Services, period: Period, community: str | None = None, grid: str | None = None
) -> StatisticsReport:
    """The report's figures for a period and a scope named as the user typed it
    (NotFoundError lists the choices). One pass of the statistics' queries, plus one
    for the 12-month trend."""
    from gridvisit.core.indicators import PeriodKind
    from gridvisit.core.services.stats import Breakdown

    subdistrict = services.weekly.scope_for(None, None)[1]
    scope, name = services.weekly.scope_for(community, grid)
    stats = services.stats
    if scope.grid_id is not None:
        report = stats.report(period, scope, name)
        rows = chart = tuple(_line(r) for r in report.rows)
        level = chart_level = "楼栋党小组"
    elif scope.community_id is not None:
        report = stats.report(period, scope, name)
        rows = chart = tuple(_line(r) for r in report.rows)
        level = chart_level = "网格"
    else:
        # The grid rows for the chart; a community's row is the sum of its grids'
        # counts (the counts are additive), so one pass of the queries gives both.
        report = stats.report(period, scope, name, by=Breakdown.GRID)
        chart = tuple(_line(r) for r in report.rows)
        rows = _communities(report.rows, report.summary.targets)
        level, chart_level = "社区", "网格"
    trend = tuple(stats.trend(scope, PeriodKind.MONTH, 12, report.summary.as_of))
    narrowed = report.summary.scope
    if narrowed.grid_ids is not None and scope.community_id is None and scope.grid_id is None:
        # A grid worker's "whole sub-district" is their own grids: the title says so.
        name = "、".join(line.name for line in chart) or "本人负责的网格"
    return StatisticsReport(subdistrict, name, level, chart_level, report, rows, chart, trend)


def _communities(grid_rows: Sequence[StatsRow], targets: dict[str, float]) -> tuple[TableLine, ...]:
    by_parent: dict[str, list[Counts]] = defaultdict(list)
    for r in grid_rows:
        by_parent[r.parent].append(r.figures.counts)
    return tuple(
        TableLine(name, "", ScopeFigures(total, evaluate(total, targets)))
        for name, total in ((n, Counts.total(c)) for n, c in sorted(by_parent.items()))
    )


# --- formatting ---------------------------------------------------------------------


def shown(v: IndicatorValue) -> str:
    """An indicator's value as printed: 95.3%, 2.4 天, 120; "—" when nothing to count."""
    if v.value is None:
        return "—"
    if v.unit is Unit.RATE:
        return f"{v.value * 100:.1f}%"
    if v.unit is Unit.DAYS:
        return f"{v.value:.1f}"
    return f"{int(v.value)}"


def _target_text(v: IndicatorValue) -> str:
    return "" if v.target is None else f"≥ {v.target * 100:g}%"


def _marked(v: IndicatorValue) -> str:
    """The value for a Paragraph; below target in red with ▼."""
    text = shown(v)
    if v.meets_target is False:
        return f"<font color='#c62828'>{text}{BELOW}</font>"
    return text


def _flagged(v: IndicatorValue) -> str:
    """The value for a plain table cell: ▼ when below target (the cell is listed in
    the table's alerts, which colour it)."""
    return shown(v) + (BELOW if v.meets_target is False else "")


def _number_name(key: str) -> str:
    ind = BY_KEY[key]
    return f"{ind.name}({ind.suffix})" if ind.suffix else ind.name


def _head_name(key: str) -> str:
    """A column heading: the unit on a line of its own."""
    ind = BY_KEY[key]
    return f"{ind.name}<br/>({ind.suffix})" if ind.suffix else ind.name


def _fraction(v: IndicatorValue) -> str:
    if v.numerator is None or v.denominator is None:
        return ""
    n, d = v.numerator, v.denominator
    if v.unit is Unit.DAYS:
        return f"{n:.1f} ÷ {int(d)}"
    return f"{int(n)} ÷ {int(d)}"


# --- the PDF ------------------------------------------------------------------------


@dataclass(frozen=True)
class _St:
    base: ParagraphStyle
    head: ParagraphStyle
    small: ParagraphStyle


def _local_styles() -> _St:
    st = _styles()
    base = ParagraphStyle("stat", st["cell"], fontSize=8, leading=10)
    return _St(
        base,
        ParagraphStyle("stat_head", base, alignment=1),
        ParagraphStyle("stat_small", base, fontSize=7, leading=9, textColor=MUTED),
    )


def _table(
    data: list[list[Any]],
    widths: Sequence[float],
    *,
    alerts: Sequence[tuple[int, int]] = (),
    total_row: bool = False,
    extra: Sequence[tuple[Any, ...]] = (),
) -> Table:
    style: list[tuple[Any, ...]] = [
        *_CELL_FONT,
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("GRID", (0, 0), (-1, -1), 0.5, GRID_LINE),
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 2.5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2.5),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
    ]
    # Numbers are plain strings (a Paragraph per figure costs more than the rest of
    # the table), right-aligned; a figure below target is red on pale red.
    style.append(("ALIGN", (1, 1), (-1, -1), "RIGHT"))
    for col, row in alerts:
        style.append(("BACKGROUND", (col, row), (col, row), ALERT_BG))
        style.append(("TEXTCOLOR", (col, row), (col, row), ALERT))
    if total_row:
        style.append(("BACKGROUND", (0, -1), (-1, -1), GROUP_BG))
    style += extra
    table = Table(data, colWidths=list(widths), repeatRows=1)
    table.setStyle(TableStyle(style))
    return table


class _Writer:
    def __init__(self, data: StatisticsReport) -> None:
        self.d = data
        self.st = _styles()
        self.s = _local_styles()

    def p(self, text: str, style: ParagraphStyle | None = None) -> Paragraph:
        return Paragraph(text, style or self.s.base)

    def heading(self, text: str) -> Paragraph:
        return Paragraph(text, self.st["section"])

    def story(self) -> list[Any]:
        d, st = self.d, self.st
        period, summary = d.period, d.stats.summary
        first, last = period.first, period.last
        span = (
            f"{first.year}年{first.month}月{first.day}日至{last.year}年{last.month}月{last.day}日"
        )
        scope_text = d.scope_name if d.scope_name else d.subdistrict
        story: list[Any] = [
            self.title(),
            Paragraph(
                f"统计范围:{_text(scope_text)}    统计期:{period.label}({span})", st["subtitle"]
            ),
        ]
        as_of = to_local(summary.as_of)
        if summary.generated_at < period.end:
            story.append(Paragraph(f"本期尚未结束,数据截至 {as_of:%Y-%m-%d %H:%M}", st["subtitle"]))
        else:
            story.append(Paragraph(f"期末状态截至 {last.isoformat()} 24:00", st["subtitle"]))
        story += [Spacer(1, 3 * mm), self.overview()]
        story += self.indicators()
        story += self.rows_section()
        story += self.trend_section()
        story += self.categories_section()
        story += self.levels_section()
        story += self.groups_section()
        story += self.formulas_section()
        story += [Spacer(1, 10 * mm), signature_block(WIDTH)]
        return story

    # -- sections ------------------------------------------------------------------
    def title(self) -> Paragraph:
        """On one line, smaller for a long scope name; else the scope on a line of its own."""
        style = self.st["title"]
        room = WIDTH - 16  # the frame's padding, and a little to spare
        width = stringWidth(self.d.title, FONT, style.fontSize)
        if width <= room:
            return Paragraph(_text(self.d.title), style)
        size = style.fontSize * room / width
        if size >= 15:
            small = ParagraphStyle("title_small", style, fontSize=size, leading=size * 1.3)
            return Paragraph(_text(self.d.title), small)
        rest = self.d.title[len(self.d.where) :].strip()
        return Paragraph(f"{_text(self.d.where)}<br/>{_text(rest)}", style)

    def overview(self) -> Table:
        """Six tiles: the headline figures, below target in red."""
        ind = self.d.figures.indicators
        keys = ("coverage", "resolution_rate", "on_time_rate", "satisfaction_rate",
                "settled_below_subdistrict", "overdue_open")  # fmt: skip
        head = [self.p(ind[k].name, self.st["sum_head"]) for k in keys]
        vals = []
        for k in keys:
            v = ind[k]
            text = _marked(v)
            if v.target is not None:
                text += f"<br/><font size='7' color='#5f6368'>目标 {_target_text(v)}</font>"
            vals.append(self.p(text, self.st["sum_value"]))
        table = Table([head, vals], colWidths=[WIDTH / len(keys)] * len(keys))
        table.setStyle(
            TableStyle(
                [
                    *_CELL_FONT,
                    ("GRID", (0, 0), (-1, -1), 0.6, GRID_LINE),
                    ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("TOPPADDING", (0, 1), (-1, 1), 4),
                    ("BOTTOMPADDING", (0, 1), (-1, 1), 5),
                    *(
                        ("BACKGROUND", (i, 1), (i, 1), ALERT_BG)
                        for i, k in enumerate(keys)
                        if ind[k].meets_target is False
                    ),
                ]
            )
        )
        return table

    def indicators(self) -> list[Any]:
        s, ind = self.s, self.d.figures.indicators
        data: list[list[Any]] = [
            [
                self.p(h, s.head)
                for h in ("指标", "本期数值", "计算(分子 ÷ 分母)", "目标", "达标情况")
            ]
        ]
        alerts = []
        for i, v in enumerate(ind.values(), start=1):
            if v.target is None:
                verdict = ""
            elif v.meets_target is None:
                verdict = "无数据"
            elif v.meets_target:
                verdict = "达标"
            else:
                verdict = f"{BELOW} 未达标"
                alerts.append((1, i))
                alerts.append((4, i))
            data.append(
                [
                    self.p(_number_name(v.key)),
                    _flagged(v),
                    _fraction(v),
                    _target_text(v),
                    verdict,
                ]
            )
        widths = [52 * mm, 30 * mm, 46 * mm, 24 * mm, 28 * mm]
        return [
            self.heading("一、主要指标"),
            _table(data, widths, alerts=alerts, extra=[("ALIGN", (3, 1), (4, -1), "CENTER")]),
            self.p(f"注:目标为下限,低于目标的数值标红并加 {BELOW}。“—”表示本期没有可计算的对象。",
                   self.st["note"]),
        ]  # fmt: skip

    def _rows_table(self, level: str, rows: Sequence[TableLine]) -> Table:
        """One line per community, grid or building group, and the 合计 line."""
        s = self.s
        name_w = 34 * mm
        col_w = (WIDTH - name_w) / len(ROW_KEYS)
        head = [self.p(level, s.head)] + [self.p(_head_name(k), s.head) for k in ROW_KEYS]
        data: list[list[Any]] = [head]
        alerts = []
        lines = [*rows, TableLine("合计", "", self.d.figures)]
        for i, line in enumerate(lines, start=1):
            cells: list[Any] = [self.p(_text(line.name))]
            for j, k in enumerate(ROW_KEYS, start=1):
                v = line.figures.indicators[k]
                cells.append(_flagged(v))
                if v.meets_target is False:
                    alerts.append((j, i))
            data.append(cells)
        return _table(data, [name_w] + [col_w] * len(ROW_KEYS), alerts=alerts, total_row=True)

    def rows_section(self) -> list[Any]:
        d = self.d
        out: list[Any] = [
            self.heading(f"二、分{d.level}情况"),
            self._rows_table(d.level, d.rows),
        ]
        if not d.rows:
            out.append(self.p(f"本范围内没有{d.level}。", self.st["empty"]))
        below = [ln for ln in d.rows if ln.figures.below_target()]
        if below:
            names = "、".join(
                f"{_text(ln.name)}({'、'.join(BY_KEY[k].name for k in ln.figures.below_target())})"
                for ln in below
            )
            out.append(self.p(f"未达标的{d.level}:{names}。", self.st["note"]))
        if d.chart_level != d.level and d.chart_rows:
            # The sub-district's report: every grid in a table too, not only in the chart
            # (offices forward the per-grid figures upward).
            out.append(Spacer(1, 3 * mm))
            out.append(self.p(f"分{d.chart_level}情况", self.st["group"]))
            out.append(self._rows_table(d.chart_level, d.chart_rows))
            lagging = [ln for ln in d.chart_rows if ln.figures.below_target()]
            if lagging:
                names = "、".join(_text(f"{ln.parent} {ln.name}".strip()) for ln in lagging)
                out.append(self.p(f"未达标的{d.chart_level}:{names}。", self.st["note"]))
        out.append(Spacer(1, 3 * mm))
        out.append(CondPageBreak(70 * mm))
        out.append(self.p(f"各{d.chart_level}走访覆盖率与按期办结率(%)", self.st["group"]))
        out.append(bar_chart(d.chart_rows, d.targets))
        return out

    def trend_section(self) -> list[Any]:
        d, s = self.d, self.s
        keys = TREND_KEYS
        name_w = 24 * mm
        col_w = (WIDTH - name_w) / len(keys)
        data: list[list[Any]] = [
            [self.p("月份", s.head)] + [self.p(_head_name(k), s.head) for k in keys]
        ]
        alerts = []
        for i, point in enumerate(d.trend, start=1):
            cells: list[Any] = [self.p(point.period.label)]
            for j, k in enumerate(keys, start=1):
                v = point.figures.indicators[k]
                cells.append(_flagged(v))
                if v.meets_target is False:
                    alerts.append((j, i))
            data.append(cells)
        return [
            CondPageBreak(90 * mm),
            self.heading("三、近 12 个月趋势"),
            line_chart(d.trend, d.targets),
            Spacer(1, 2 * mm),
            _table(data, [name_w] + [col_w] * len(keys), alerts=alerts),
            self.p(
                "注:每个月的期末状态(应访、逾期、超期)截至当月最后一刻;"
                "办结按问题的最终办结时间计。",
                self.st["note"],
            ),
        ]

    def categories_section(self) -> list[Any]:
        s = self.s
        cats = sorted(self.d.figures.categories, key=lambda c: (-c.new, -c.resolved, c.code))
        heads = ("问题类别", "新增(件)", "办结(件)", "按期办结(件)", "超原时限办结(件)",
                 "按期办结率", "超期未办结(件)")  # fmt: skip
        data: list[list[Any]] = [[self.p(h, s.head) for h in heads]]
        target = self.d.targets.get("on_time_rate")
        alerts = []
        for i, c in enumerate(cats, start=1):
            rate = c.on_time_rate
            text = "—" if rate is None else f"{rate * 100:.1f}%"
            if rate is not None and target is not None and rate < target:
                text += BELOW
                alerts.append((5, i))
            data.append(
                [
                    self.p(_text(c.name)),
                    *(str(n) for n in (c.new, c.resolved, c.on_time)),
                    str(c.resolved - c.on_time),
                    text,
                    str(c.overdue_open),
                ]
            )
        out: list[Any] = [CondPageBreak(40 * mm), self.heading("四、问题分类")]
        if not cats:
            return [*out, self.p("本期没有问题。", self.st["empty"])]
        widths = [48 * mm] + [22 * mm] * 6
        note = self.p("注:按期办结指在原办理时限内办结;超原时限办结含经批准延期后按期办结的问题。",
                      self.st["note"])  # fmt: skip
        return [*out, _table(data, widths, alerts=alerts), note]

    def levels_section(self) -> list[Any]:
        s, c = self.s, self.d.figures.counts
        ind = self.d.figures.indicators
        share_keys = ("settled_grid_share", "settled_community_share", "settled_subdistrict_share")
        data: list[list[Any]] = [[self.p(h, s.head) for h in ("办结层级", "办结(件)", "占比")]]
        for (field, label), key in zip(LEVELS, share_keys, strict=True):
            data.append(
                [
                    self.p(label),
                    str(getattr(c, field)),
                    shown(ind[key]),
                ]
            )
        below = ind["settled_below_subdistrict"]
        data.append(
            [
                self.p("基层解决(网格 + 社区)"),
                str(c.settled_grid + c.settled_community),
                _flagged(below),
            ]
        )
        table = _table(data, [40 * mm, 22 * mm, 22 * mm], total_row=True)
        pie = level_pie(c)
        body = Table([[table, pie]], colWidths=[90 * mm, WIDTH - 90 * mm])
        body.setStyle(TableStyle([*_CELL_FONT, ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
        return [
            KeepTogether(
                [
                    self.heading(f"五、各层级办结情况(本期办结 {c.resolved} 件)"),
                    body,
                    self.p(
                        f"目标:基层解决率 {_target_text(below) or '不设目标'}"
                        "(小事不出社区、大事不出街道)。",
                        self.st["note"],
                    ),
                ]
            )
        ]

    def groups_section(self) -> list[Any]:
        s = self.s
        groups = self.d.figures.special_groups
        out: list[Any] = [CondPageBreak(40 * mm), self.heading("六、重点人群走访覆盖")]
        if not groups:
            return [*out, self.p("本范围内没有登记重点人群。", self.st["empty"])]
        heads = ("重点人群", "住户数(户)", "应访户数(户)", "按期走访(户)", "走访覆盖率",
                 "期末逾期未访(户)")  # fmt: skip
        data: list[list[Any]] = [[self.p(h, s.head) for h in heads]]
        target = self.d.targets.get("coverage")
        alerts = []
        for i, g in enumerate(groups, start=1):
            cov = g.coverage
            text = "—" if cov is None else f"{cov * 100:.1f}%"
            if cov is not None and target is not None and cov < target:
                text += BELOW
                alerts.append((4, i))
            data.append(
                [
                    self.p(_text(g.name)),
                    *(str(n) for n in (g.households, g.due, g.covered)),
                    text,
                    str(g.overdue_households),
                ]
            )
        return [*out, _table(data, [40 * mm] + [28 * mm] * 5, alerts=alerts)]

    def formulas_section(self) -> list[Any]:
        s = self.s
        data: list[list[Any]] = [[self.p(h, s.head) for h in ("指标", "计算方法")]]
        for ind in INDICATORS:
            data.append([self.p(ind.name), self.p(_text(ind.formula))])
        targets = "、".join(
            f"{BY_KEY[k].name} ≥ {v * 100:g}%" for k, v in self.d.targets.items() if k in BY_KEY
        )
        return [
            CondPageBreak(50 * mm),
            self.heading("七、指标计算方法"),
            _table(data, [40 * mm, WIDTH - 40 * mm]),
            self.p(f"目标值:{targets or '未设目标'}。时间按北京时间计。", self.st["note"]),
        ]


# --- charts -------------------------------------------------------------------------


def _percent_points(values: Sequence[float | None]) -> list[float | None]:
    return [None if v is None else round(v * 100, 1) for v in values]


def _legend(names: Sequence[str], x: float, y: float) -> Any:
    legend: Any = Legend()
    legend.x, legend.y = x, y
    legend.fontName, legend.fontSize = FONT, 7.5
    legend.alignment = "right"
    legend.columnMaximum = 1
    legend.deltax = 80
    legend.dxTextSpace = 4
    legend.boxAnchor = "nw"
    legend.colorNamePairs = list(zip(SERIES, names, strict=False))
    return legend


def line_chart(trend: Sequence[TrendPoint], targets: dict[str, float]) -> Drawing:
    """The 12-month trend of the key rates, in %."""
    width, height = WIDTH, 62 * mm
    drawing = Drawing(width, height)
    chart: Any = HorizontalLineChart()
    chart.x, chart.y = 28, 34
    chart.width, chart.height = width - 40, height - 58
    data = [_percent_points([p.figures.value(k) for p in trend]) for k in TREND_LINES]
    # Months with nothing to count are gaps; a series needs two points to be a line
    # (ReportLab refuses a one-point line), its markers show it either way.
    chart.data = data
    chart.joinedLines = 0
    chart.categoryAxis.categoryNames = [f"{p.period.first.year % 100}年{p.period.first.month}月"
                                        for p in trend]  # fmt: skip
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 7
    chart.categoryAxis.labels.boxAnchor = "n"
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = "%d%%"
    chart.valueAxis.visibleGrid = 1
    chart.valueAxis.gridStrokeColor = colors.HexColor("#e0e0e0")
    for i, colour in enumerate(SERIES):
        chart.lines[i].strokeColor = colour
        chart.lines[i].strokeWidth = 1.4
        chart.lines[i].symbol = makeMarker("FilledCircle", size=2.6, fillColor=colour)  # type: ignore[no-untyped-call]
        points = sum(v is not None for v in data[i])
        chart.lines[i].lineStyle = "joinedLine" if points >= 2 else "line"
    drawing.add(chart)
    drawing.add(_legend([BY_KEY[k].name for k in TREND_LINES], chart.x, height - 2))
    drawing.add(
        String(2, chart.y + chart.height + 6, "%", fontName=FONT, fontSize=7, fillColor=MUTED)
    )
    if not any(v is not None for row in data for v in row):
        drawing.add(String(width / 2, height / 2, "没有数据", fontName=FONT, textAnchor="middle"))
    return drawing


def bar_chart(rows: Sequence[TableLine], targets: dict[str, float]) -> Drawing:
    """Coverage and on-time rate per grid (or community, building group), in %; a bar
    below its target is red. Up to VERTICAL_BARS side by side, more as horizontal
    bars down the page (a sub-district has some 75 grids)."""
    names = [r.name for r in rows]
    data = [_percent_points([r.figures.value(k) for r in rows]) for k in BAR_KEYS]
    # ReportLab draws no bar for None; a chart of only None would fail to scale.
    vertical = len(rows) <= VERTICAL_BARS
    if vertical:
        width, height = WIDTH, 70 * mm
        chart: Any = VerticalBarChart()
        chart.x, chart.y = 28, 42
        chart.width, chart.height = width - 40, height - 64
        chart.categoryAxis.labels.angle = 30 if len(rows) > 8 else 0
        chart.categoryAxis.labels.boxAnchor = "ne" if len(rows) > 8 else "n"
        legend_y = height - 2
    else:
        per = 8.0  # points per grid: two 3-point bars
        height = 40 + per * len(rows)
        width = WIDTH
        chart = HorizontalBarChart()
        chart.x, chart.y = 90, 16
        chart.width, chart.height = width - 102, height - 40
        chart.categoryAxis.reverseDirection = 1  # the first grid at the top
        chart.categoryAxis.labels.boxAnchor = "e"
        chart.categoryAxis.labels.dx = -2
        legend_y = height - 2
    drawing = Drawing(width, height)
    chart.data = [[0.0 if v is None else v for v in series] for series in data] or [[0.0]]
    chart.categoryAxis.categoryNames = names or [""]
    chart.categoryAxis.labels.fontName = FONT
    chart.categoryAxis.labels.fontSize = 6.5 if len(rows) > 8 else 7.5
    chart.valueAxis.valueMin, chart.valueAxis.valueMax, chart.valueAxis.valueStep = 0, 100, 20
    chart.valueAxis.labels.fontName = FONT
    chart.valueAxis.labels.fontSize = 7
    chart.valueAxis.labelTextFormat = "%d%%"
    chart.valueAxis.visibleGrid = 1
    chart.valueAxis.gridStrokeColor = colors.HexColor("#e0e0e0")
    chart.barSpacing = 0.5
    chart.groupSpacing = 3 if vertical else 2
    chart.bars.strokeWidth = 0
    # Each bar's value on it; below its target in red with ▼.
    labels: list[list[str]] = []
    for i, key in enumerate(BAR_KEYS):
        chart.bars[i].fillColor = SERIES[i]
        target = targets.get(key)
        texts = []
        for j, r in enumerate(rows):
            v = r.figures.value(key)
            below = v is not None and target is not None and v < target
            texts.append("—" if v is None else f"{v * 100:.0f}{BELOW if below else ''}")
            if below:
                chart.barLabels[(i, j)].fillColor = ALERT
        labels.append(texts)
    chart.barLabelFormat = "values"
    chart.barLabelArray = labels or [[""]]
    chart.barLabels.fontName = FONT
    chart.barLabels.fontSize = 5.5 if len(rows) > 12 else 6.5
    chart.barLabels.fillColor = MUTED
    if vertical:
        chart.barLabels.nudge = 5
    else:
        chart.barLabels.boxAnchor = "w"
        chart.barLabels.dx = 2
    drawing.add(chart)
    drawing.add(_legend([BY_KEY[k].name for k in BAR_KEYS], chart.x, legend_y))
    drawing.add(
        String(
            chart.x + 180,
            legend_y - 7,
            f"红色 ▼:低于目标(覆盖率 ≥ {targets.get('coverage', 0) * 100:g}%,"
            f"按期办结率 ≥ {targets.get('on_time_rate', 0) * 100:g}%)",
            fontName=FONT,
            fontSize=7,
            fillColor=ALERT,
        )
    )
    target = targets.get("coverage")
    if target is not None and rows:  # the coverage target as a dashed line
        if vertical:
            y = chart.y + chart.height * target
            line = Line(chart.x, y, chart.x + chart.width, y)
        else:
            x = chart.x + chart.width * target
            line = Line(x, chart.y, x, chart.y + chart.height)
        line.strokeColor, line.strokeDashArray, line.strokeWidth = ALERT, [2, 2], 0.6
        drawing.add(line)
    return drawing


def level_pie(c: Counts) -> Drawing:
    drawing = Drawing(80 * mm, 42 * mm)
    values = [getattr(c, field) for field, _label in LEVELS]
    if not sum(values):
        drawing.add(String(40 * mm, 20 * mm, "本期没有办结的问题", fontName=FONT, fontSize=8,
                           textAnchor="middle", fillColor=MUTED))  # fmt: skip
        return drawing
    pie: Any = Pie()
    pie.x, pie.y, pie.width, pie.height = 24 * mm, 4 * mm, 34 * mm, 34 * mm
    pie.data = values
    pie.labels = [
        f"{label} {v / sum(values) * 100:.1f}%" if v else "" for (_f, label), v in zip(
            LEVELS, values, strict=True)
    ]  # fmt: skip
    pie.simpleLabels = 1
    pie.slices.fontName, pie.slices.fontSize = FONT, 7.5
    pie.slices.strokeColor = colors.white
    pie.slices.labelRadius = 1.25
    for i, colour in enumerate(SERIES[:3]):
        pie.slices[i].fillColor = colour
    drawing.add(pie)
    return drawing


# --- writing ------------------------------------------------------------------------


def render_statistics(
    data: StatisticsReport,
    out: str | os.PathLike[str] | BinaryIO,
    *,
    on_page: Callable[[int], bool] | None = None,
) -> None:
    """Write the PDF (a few pages, well under a second)."""
    register_font()
    doc = SimpleDocTemplate(
        os.fspath(out) if isinstance(out, os.PathLike) else out,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=14 * mm,
        bottomMargin=13 * mm,
        title=data.title,
        author=data.subdistrict,
        subject=TITLE_TAIL,
        creator="gridvisit",
        initialFontName=FONT,
    )
    header = f"{data.where} · {data.period.label} 统计表"
    generated = f"{to_local(data.stats.summary.generated_at):%Y-%m-%d %H:%M}"
    if on_page is not None:
        from gridvisit.reports.weekly import BuildCancelled

        def progress(kind: str, value: int) -> None:
            if kind == "PAGE" and not on_page(value):
                raise BuildCancelled("已取消生成统计表。")

        doc.setProgressCallBack(progress)
    doc.build(_Writer(data).story(), canvasmaker=canvas_class(header, generated, False, page=PAGE))


def pdf_bytes(data: StatisticsReport) -> bytes:
    out = io.BytesIO()
    render_statistics(data, out)
    return out.getvalue()


def default_file_name(data: StatisticsReport, suffix: str = ".pdf") -> str:
    scope = data.scope_name or data.subdistrict
    return safe_file_name(f"{scope}_{data.period.code}_统计表{suffix}")


def check_output(path: Path, what: str) -> None:
    """Refuse, before any work, an output path that cannot be written: a folder, a
    missing or read-only folder."""
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"“{path}”是一个文件夹。", hint=f"请给出{what}的文件名。")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"文件夹“{folder}”不存在。", hint="请先创建这个文件夹,或换一个保存位置。")
    if not os.access(folder, os.W_OK):
        raise OutputError(
            f"不能在“{folder}”里写文件:没有写权限。", hint="请换一个有写权限的保存位置。"
        )
    if path.exists() and not os.access(path, os.W_OK):
        raise OutputError(f"“{path}”是只读文件,不能覆盖。", hint="请换一个文件名。")


def save_bytes(path: Path, content: bytes) -> None:
    """Write through a temporary file and rename (never half a file), errors in Chinese."""
    path = Path(path)
    check_output(path, "输出")
    try:
        write_atomically(path, lambda fh: fh.write(content))
    except OSError as exc:
        raise OutputError(
            f"保存“{path}”失败:{os_reason(exc)}。",
            hint="请换一个保存位置,或检查磁盘空间;如果文件正在其他程序里打开,请先关闭。",
        ) from exc


def write_statistics_pdf(data: StatisticsReport, path: Path) -> None:
    save_bytes(path, pdf_bytes(data))


__all__ = [
    "StatisticsReport",
    "check_output",
    "collect",
    "default_file_name",
    "pdf_bytes",
    "render_statistics",
    "save_bytes",
    "write_statistics_pdf",
]
