"""The weekly problem list (每周问题清单) as a print-ready PDF.

Landscape A4, the bundled CJK font embedded as a subset, header row repeated on
every page, "第 x 页 共 y 页" and the generation time on every page, a signature
block at the end. Residents' names and phone numbers are masked and ID numbers
removed unless `full_names` is asked for, in which case every page says the
document holds personal information. Never imports Qt.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import cache
from itertools import groupby
from pathlib import Path
from typing import Any, BinaryIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from gridvisit import paths
from gridvisit.core import rules
from gridvisit.core.clock import to_local
from gridvisit.core.errors import GridVisitError, OutputError
from gridvisit.core.files import os_reason, safe_file_name, write_atomically
from gridvisit.core.masking import mask_name, mask_phone, scrub_text
from gridvisit.core.rules import TIMELINESS_LABELS, marks_text, workdays_text
from gridvisit.core.services.weekly import ReportProblem, WeeklyReport

FONT = "WenQuanYiMicroHei"
FONT_FILE = "wqy-microhei.ttc"
PAGE = landscape(A4)
MARGIN = 12 * mm
ALERT = colors.HexColor("#c62828")
ALERT_BG = colors.HexColor("#fdecea")
HEADER_BG = colors.HexColor("#dfe6ee")
GROUP_BG = colors.HexColor("#f1f3f5")
GRID_LINE = colors.HexColor("#8a9099")
MUTED = colors.HexColor("#5f6368")
# Tables select their cell font even for Paragraph cells: without this, an unembedded
# Helvetica is listed on every page.
_CELL_FONT = [("FONTNAME", (0, 0), (-1, -1), FONT)]
PERSONAL_NOTICE = "本文件含居民个人信息,仅限内部工作使用,不得外传、不得公开张贴"

COLUMNS: tuple[tuple[str, float], ...] = (
    ("序号", 9),
    ("位置", 28),
    ("类别", 20),
    ("问题描述", 60),
    ("紧急程度", 15),
    ("来源", 28),
    ("责任单位/责任人", 30),
    ("办理时限", 19),
    ("状态", 24),
    ("办理情况", 40),
)  # widths in mm: 273 mm = landscape A4 minus the margins
_WIDTH_MM = dict(COLUMNS)


@cache
def register_font() -> str:
    """Register the bundled font once; <b> maps to the same face (it has no bold)."""
    pdfmetrics.registerFont(TTFont(FONT, str(paths.resource_path("fonts", FONT_FILE)), 0))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT, italic=FONT, boldItalic=FONT)
    return FONT


@cache
def _styles() -> dict[str, ParagraphStyle]:
    font = register_font()
    base = ParagraphStyle("base", fontName=font, fontSize=8.5, leading=11, wordWrap="CJK")
    return {
        "cell": base,
        "cell_c": ParagraphStyle("cell_c", base, alignment=TA_CENTER),
        "head": ParagraphStyle("head", base, fontSize=9, alignment=TA_CENTER),
        "group": ParagraphStyle("group", base, fontSize=9, leading=12),
        "title": ParagraphStyle(
            "title", base, fontSize=20, leading=26, alignment=TA_CENTER, spaceAfter=2 * mm
        ),
        "subtitle": ParagraphStyle(
            "subtitle", base, fontSize=10.5, leading=14, alignment=TA_CENTER
        ),
        "section": ParagraphStyle(
            "section", base, fontSize=13, leading=18, spaceBefore=5 * mm, spaceAfter=2 * mm
        ),
        # a section heading that travels with its table: the space before is a Spacer
        "caption": ParagraphStyle("caption", base, fontSize=13, leading=18, spaceAfter=2 * mm),
        "note": ParagraphStyle("note", base, fontSize=8, leading=11, textColor=MUTED),
        "sum_head": ParagraphStyle("sum_head", base, fontSize=9, alignment=TA_CENTER),
        "sum_value": ParagraphStyle(
            "sum_value", base, fontSize=12, leading=16, alignment=TA_CENTER
        ),
        "empty": ParagraphStyle("empty", base, fontSize=10, leading=14, textColor=MUTED),
        "sign": ParagraphStyle("sign", base, fontSize=11, leading=16),
    }


class _Cell(Paragraph):
    """A Paragraph that remembers its line breaks for a given width.

    A long table is split once per page, and ReportLab re-wraps every remaining cell
    at each split: without this, building the list grows with rows × pages."""

    _cached: tuple[float, Any, list[float], Any, float] | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        cached = self._cached
        if cached is not None and cached[0] == availWidth:
            _w, self.width, self._wrapWidths, self.blPara, self.height = cached
            return self.width, self.height
        width, height = super().wrap(availWidth, availHeight)
        self._cached = (availWidth, self.width, self._wrapWidths, self.blPara, self.height)
        return width, height


def _text(value: str) -> str:
    """User text for a Paragraph: markup-escaped, line breaks kept."""
    return escape(value).replace("\n", "<br/>")


def _fit(value: str, column: str, max_lines: int = 22) -> str:
    """Cut text that would make its row taller than a page (ReportLab cannot lay such a
    row out); the full text stays in the app."""
    per_line = max(4, int(_WIDTH_MM[column] * mm / 9))  # CJK characters per line
    used, kept = 0, []
    for part in value.split("\n"):
        lines = max(1, -(-len(part) // per_line))
        if used + lines > max_lines:
            room = (max_lines - used) * per_line
            if room > 0:
                kept.append(part[:room])
            return "\n".join(kept) + "……(全文见系统)"
        used += lines
        kept.append(part)
    return value


def _day(moment: datetime | None) -> str:
    return to_local(moment).strftime("%Y-%m-%d") if moment else ""


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


_GROUP, _ALERT, _PLAIN = "group", "alert", "plain"
_PAD = 3


class _PagedTable(Flowable):
    """A long table laid out one page at a time.

    ReportLab's Table re-measures every remaining row each time it splits, so a
    section of a thousand rows costs rows × pages. This flowable measures each row
    once and hands the frame a Table of exactly the rows that fit, header first;
    a building group's heading never ends a page, nor does the section's heading
    (`caption`), which travels with the first rows."""

    def __init__(
        self,
        header: list[Any],
        rows: list[tuple[list[Any], str]],
        caption: Paragraph | None = None,
        heights: list[float] | None = None,
    ) -> None:
        super().__init__()
        self.header, self.rows, self.caption = header, rows, caption
        self.widths = [w * mm for _h, w in COLUMNS]
        self._heights = heights

    def _row_height(self, cells: Sequence[Flowable]) -> float:
        widths = [sum(self.widths)] if len(cells) == 1 else self.widths
        return 2 * _PAD + max(
            c.wrap(w - 2 * _PAD, 1e6)[1] for c, w in zip(cells, widths, strict=False)
        )

    def _measure(self) -> list[float]:
        if self._heights is None:
            self._heights = [self._row_height(cells) for cells, _kind in self.rows]
        return self._heights

    def _table(self, rows: list[tuple[list[Any], str]]) -> Table:
        style: list[tuple[Any, ...]] = [
            *_CELL_FONT,
            ("GRID", (0, 0), (-1, -1), 0.5, GRID_LINE),
            ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), _PAD),
            ("RIGHTPADDING", (0, 0), (-1, -1), _PAD),
            ("TOPPADDING", (0, 0), (-1, -1), _PAD),
            ("BOTTOMPADDING", (0, 0), (-1, -1), _PAD),
        ]
        data = [self.header]
        for i, (cells, kind) in enumerate(rows, start=1):
            if kind == _GROUP:
                style += [("SPAN", (0, i), (-1, i)), ("BACKGROUND", (0, i), (-1, i), GROUP_BG)]
                cells = cells + [""] * (len(COLUMNS) - 1)
            elif kind == _ALERT:
                style.append(("BACKGROUND", (0, i), (-1, i), ALERT_BG))
            data.append(cells)
        table = Table(data, colWidths=self.widths, repeatRows=1, splitInRow=1)
        table.setStyle(TableStyle(style))
        return table

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width = sum(self.widths)
        self.height = self._caption_height() + self._row_height(self.header) + sum(self._measure())
        return self.width, self.height

    def _caption_height(self) -> float:
        if self.caption is None:
            return 0.0
        return self.caption.wrap(sum(self.widths), 1e6)[1] + self.caption.style.spaceAfter

    def split(self, availWidth: float, availHeight: float) -> list[Any]:
        heights = self._measure()
        caption = self._caption_height()
        availHeight -= caption
        room = availHeight - self._row_height(self.header)
        count = 0
        while count < len(self.rows) and heights[count] <= room:
            room -= heights[count]
            count += 1
        while count and self.rows[count - 1][1] == _GROUP:
            count -= 1
        if count == 0:
            return []
        first = self._table(self.rows[:count])
        while count > 1 and first.wrap(availWidth, availHeight)[1] > availHeight:
            count -= 1  # our estimate was short: trust the real table
            first = self._table(self.rows[:count])
        parts: list[Any] = []
        if self.caption is not None:
            parts = [self.caption, Spacer(1, self.caption.style.spaceAfter)]
        if count == len(self.rows):
            return [*parts, first]
        return [*parts, first, _PagedTable(self.header, self.rows[count:], None, heights[count:])]

    def draw(self) -> None:
        table = self._table(self.rows)
        _w, height = table.wrapOn(self.canv, self.width, self.height)
        if self.caption is not None:  # first, so text extraction reads it first
            self.caption.wrapOn(self.canv, self.width, self.height)
            self.caption.drawOn(self.canv, 0, height + self.caption.style.spaceAfter)
        table.drawOn(self.canv, 0, 0)


class _Writer:
    """Turns one WeeklyReport into flowables."""

    def __init__(self, report: WeeklyReport, *, full_names: bool) -> None:
        self.report = report
        self.full_names = full_names
        self.st = _styles()

    # -- masking ---------------------------------------------------------------------
    def name(self, value: str) -> str:
        return value if self.full_names else mask_name(value)

    def free(self, value: str, p: ReportProblem) -> str:
        """Every field a person typed (description, place, handler, progress,
        resolution): ID numbers removed and phones masked even with full names."""
        return scrub_text(value, p.household_names, mask_names=not self.full_names)

    # -- document ------------------------------------------------------------------
    def story(self) -> list[Any]:
        r, st = self.report, self.st
        week = r.week
        monday, sunday = week.monday, week.sunday
        story: list[Any] = [
            Paragraph(_text(f"{r.scope_name} 第{week.week}周问题清单"), st["title"]),
            Paragraph(
                f"{week.year}年第{week.week}周:{monday.year}年{monday.month}月{monday.day}日"
                f"(星期一)至 {sunday.year}年{sunday.month}月{sunday.day}日(星期日)",
                st["subtitle"],
            ),
        ]
        if r.as_of < week.end:
            local = to_local(r.as_of)
            story.append(Paragraph(f"本周尚未结束,数据截至 {local:%Y-%m-%d %H:%M}", st["subtitle"]))
        story += [Spacer(1, 4 * mm), self.summary()]
        sections = (
            ("一、本周新增", r.new, "本周没有新增问题。", False),
            ("二、结转未办结", r.carried_over, "没有结转未办结的问题。", True),
            ("三、本周办结", r.resolved, "本周没有办结的问题。", False),
        )
        if r.is_empty:
            story.append(Paragraph("本周没有新增、结转或办结的问题。", st["section"]))
        for title, items, empty, carried in sections:
            heading = f"{title}({len(items)} 件)"
            if items:
                caption = Paragraph(heading, st["caption"])
                story += [Spacer(1, 5 * mm), self.table(caption, items, carried=carried)]
            else:
                story += [Paragraph(heading, st["section"]), Paragraph(empty, st["empty"])]
        story.append(Spacer(1, 10 * mm))
        story.append(self.signature())
        return story

    def summary(self) -> KeepTogether:
        s, st = self.report.summary, self.st
        cells = [
            ("本周走访", f"{s.visits} 次"),
            ("走访户数", f"{s.households_visited} 户"),
            (
                "应访户覆盖",
                f"{s.due_visited}/{s.due_households} 户<br/>({_percent(s.coverage)})",
            ),
            ("本周新增", f"{s.new} 件"),
            ("本周办结", f"{s.resolved} 件"),
            ("结转未办结", f"{s.carried_over} 件"),
            ("超期未办结", f"<font color='#c62828'>{s.overdue}</font> 件"),
            ("办结率", _percent(s.resolution_rate)),
            ("回访满意率", f"{_percent(s.satisfaction_rate)}<br/>(回访 {s.return_visits} 次)"),
        ]
        width = (PAGE[0] - 2 * MARGIN) / len(cells)
        table = Table(
            [
                [Paragraph(h, st["sum_head"]) for h, _v in cells],
                [Paragraph(v, st["sum_value"]) for _h, v in cells],
            ],
            colWidths=[width] * len(cells),
        )
        table.setStyle(
            TableStyle(
                [
                    *_CELL_FONT,
                    ("GRID", (0, 0), (-1, -1), 0.6, GRID_LINE),
                    ("BACKGROUND", (0, 0), (-1, 0), HEADER_BG),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("TOPPADDING", (0, 1), (-1, 1), 4),
                    ("BOTTOMPADDING", (0, 1), (-1, 1), 5),
                ]
            )
        )
        note = Paragraph(
            f"说明:覆盖 = 本周应访户中已走访的户数;办结率 = 本周办结 ÷(上周末未办结 "
            f"{s.open_at_start} + 本周新增 {s.new});回访满意率 =(满意 {s.satisfied} + 基本满意 "
            f"{s.basically_satisfied})÷ 回访次数,不满意 {s.dissatisfied} 次。"
            f"超期 = 超过办理时限仍未办结;办理时限按工作日计算(节假日不计,调休上班日计入)。"
            f"本周办结中按期 {s.on_time} 件、延期后按期 {s.extended} 件、超期办结 {s.late} 件;"
            f"督办中红牌 {s.red_cards} 件、黄牌 {s.yellow_cards} 件、加急 {s.expedited} 件。",
            st["note"],
        )
        return KeepTogether([table, Spacer(1, 1.5 * mm), note])

    def table(
        self, heading: Paragraph, items: Sequence[ReportProblem], *, carried: bool
    ) -> _PagedTable:
        st = self.st
        rows: list[tuple[list[Any], str]] = []
        number = 0
        for key, group in groupby(items, key=lambda p: p.group_key):
            members = list(group)
            community, grid, building_group = key
            where = " › ".join([community, grid, building_group or "网格公共区域"])
            rows.append(([_Cell(f"{_text(where)}({len(members)} 件)", st["group"])], _GROUP))
            for p in members:
                number += 1
                kind = _ALERT if p.overdue_days > 0 else _PLAIN
                rows.append((self.row(number, p, carried=carried), kind))
        return _PagedTable([_Cell(h, st["head"]) for h, _w in COLUMNS], rows, heading)

    def row(self, number: int, p: ReportProblem, *, carried: bool) -> list[Any]:
        st, P = self.st, _Cell
        reported = to_local(p.reported_at)
        # A problem carried over from last year says which year.
        day = (
            f"{reported:%m-%d}"
            if reported.year == self.report.week.sunday.year
            else (f"{reported:%Y-%m-%d}")
        )
        source = [f"{day} {'走访' if p.worker else '登记'}"]
        if p.worker:
            source.append(f"网格员 {_text(p.worker)}")
        if p.reporter:
            who = self.name(p.reporter)
            if p.reporter_phone:
                who += f" {mask_phone(p.reporter_phone)}"
            source.append(f"反映人 {_text(who)}")
        handler = [self.free(x, p) for x in (p.assigned_unit, p.assigned_person) if x]
        status = [f"{p.status.label}({p.level.label})"]
        if carried:
            status.append(f"已 {p.days_open} 天")
        if p.marks:
            status.append(f"<font color='#c62828'><b>{marks_text(p.marks)}</b></font>")
        if p.workdays is not None:
            left = workdays_text(p.workdays)
            status.append(
                f"<font color='#c62828'><b>{left}</b></font>" if p.workdays.overdue else left
            )
        if p.extension_pending:
            status.append("延期申请待审批")
        if p.resolved_at is not None:
            done = f"{_day(p.resolved_at)} 办结:{_text(_fit(self.free(p.resolution, p), '办理情况', 18))}"
            visit = p.satisfaction.label if p.satisfaction else "待回访"
            progress = f"{done}<br/>回访:{visit}"
            if p.timeliness is not None:
                progress += f"<br/>{TIMELINESS_LABELS[p.timeliness]}"
        else:
            progress = _text(_fit(self.free(p.progress, p), "办理情况")) or "—"
        limit = f"{rules.limit_day(p.due_at):%Y-%m-%d}"  # due_at is the next midnight
        if p.original_due_at is not None:
            limit += f"<br/>已延期(原 {rules.limit_day(p.original_due_at):%m-%d})"
        return [
            P(str(number), st["cell_c"]),
            P(_text(_fit(self.free(p.place, p), "位置")) or "—", st["cell"]),
            P(_text(p.category), st["cell"]),
            P(_text(_fit(self.free(p.description, p), "问题描述")), st["cell"]),
            P(_text(p.urgency), st["cell_c"]),
            P("<br/>".join(source), st["cell"]),
            P(
                "<br/>".join(_text(_fit(x, "责任单位/责任人", 8)) for x in handler) or "未派单",
                st["cell"],
            ),
            P(limit, st["cell_c"]),
            P("<br/>".join(status), st["cell"]),
            P(progress, st["cell"]),
        ]

    def signature(self) -> KeepTogether:
        return signature_block(PAGE[0] - 2 * MARGIN)


def signature_block(width: float) -> KeepTogether:
    """填报人 / 审核人 / 日期, across `width` (the weekly list and the statistics)."""
    st = _styles()
    line = "_" * 18
    table = Table(
        [
            [
                Paragraph(f"填报人:{line}", st["sign"]),
                Paragraph(f"审核人:{line}", st["sign"]),
                Paragraph("日期:______年____月____日", st["sign"]),
            ]
        ],
        colWidths=[width / 3] * 3,
    )
    table.setStyle(TableStyle(_CELL_FONT))
    return KeepTogether([table])


def canvas_class(
    header: str,
    generated: str,
    notice: bool,
    page: tuple[float, float] = PAGE,
    *,
    notice_below: bool = False,
) -> type[canvas.Canvas]:
    """A canvas that draws the running header and footer once the page count is known
    (on pages of size `page`: the weekly list's landscape A4 by default). With
    `notice_below` the personal-data notice has a line of its own under the header
    (a portrait page, whose header leaves no room between its two ends)."""

    class NumberedCanvas(canvas.Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            # Begin the next page without emitting this one, as the canvas's own
            # showPage does after emitting; the stubs leave out private members.
            self._startPage()  # type: ignore[attr-defined]

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, start=1):
                self.__dict__.update(state)
                self._decorate(number, total)
                super().showPage()
            super().save()

        def _decorate(self, number: int, total: int) -> None:
            width, height = page
            self.saveState()
            self.setFont(FONT, 8)
            self.setFillColor(MUTED)
            self.drawString(MARGIN, height - 8 * mm, header)
            self.drawRightString(width - MARGIN, height - 8 * mm, f"生成时间:{generated}")
            if notice:
                self.setFillColor(ALERT)
                self.setFont(FONT, 8 if notice_below else 9)
                y = height - (12 if notice_below else 8) * mm
                self.drawCentredString(width / 2, y, PERSONAL_NOTICE)
            self.setFillColor(MUTED)
            self.setFont(FONT, 9)
            self.drawCentredString(width / 2, 6 * mm, f"第 {number} 页 共 {total} 页")
            self.restoreState()

    return NumberedCanvas


class BuildCancelled(GridVisitError):
    """The user stopped building the list."""


# Measured on the 30,000-household demo: about 1,670 problems on 154 pages, eleven a
# page; ten keeps the estimate a little above the real count.
_PROBLEMS_PER_PAGE = 10


def estimated_pages(report: WeeklyReport) -> int:
    count = len(report.new) + len(report.carried_over) + len(report.resolved)
    return max(1, -(-count // _PROBLEMS_PER_PAGE) + 1)


def render_weekly(
    report: WeeklyReport,
    out: str | os.PathLike[str] | BinaryIO,
    *,
    full_names: bool = False,
    on_page: Callable[[int], bool] | None = None,
) -> None:
    """Write the PDF. `on_page(n)` is told each page as it is laid out; when it
    returns False the build stops with BuildCancelled (a 30,000-household
    sub-district's list is 140 pages and takes a quarter of a minute)."""
    register_font()
    writer = _Writer(report, full_names=full_names)
    title = f"{report.scope_name} 第{report.week.week}周问题清单"
    doc = SimpleDocTemplate(
        os.fspath(out) if isinstance(out, os.PathLike) else out,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=13 * mm,
        bottomMargin=12 * mm,
        title=title,
        author=report.subdistrict,
        subject="每周问题清单",
        creator="gridvisit",
        initialFontName=FONT,  # else an unembedded Helvetica is listed on every page
    )
    header = f"{report.subdistrict} · {title}"
    generated = f"{to_local(report.generated_at):%Y-%m-%d %H:%M}"
    if on_page is not None:

        def progress(kind: str, value: int) -> None:
            if kind == "PAGE" and not on_page(value):
                raise BuildCancelled("已取消生成问题清单。")

        doc.setProgressCallBack(progress)
    doc.build(writer.story(), canvasmaker=canvas_class(header, generated, notice=full_names))


def write_weekly_pdf(report: WeeklyReport, path: Path, *, full_names: bool = False) -> None:
    path = Path(path)
    if path.is_dir():
        raise OutputError(
            f"“{path}”是一个文件夹。", hint=f"请给出文件名,例如 {path / default_file_name(report)}"
        )
    try:
        write_atomically(path, lambda fh: render_weekly(report, fh, full_names=full_names))
    except OSError as exc:
        reason = os_reason(exc)
        raise OutputError(
            f"保存“{path}”失败:{reason}。",
            hint="请换一个保存位置,或检查磁盘空间;如果文件正在 PDF 阅读器里打开,请先关闭。",
        ) from exc


def default_file_name(report: WeeklyReport) -> str:
    # A scope is named after a community or grid, which may hold any character.
    return safe_file_name(f"{report.scope_name}_{report.week}_问题清单.pdf")


__all__ = [
    "canvas_class",
    "default_file_name",
    "register_font",
    "render_weekly",
    "signature_block",
    "write_weekly_pdf",
]
