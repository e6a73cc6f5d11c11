"""`gridvisit report weekly`: the weekly problem list as a PDF; `gridvisit report
monthly`: the monthly, quarterly or yearly statistical report as a PDF and/or an
Excel workbook."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import TYPE_CHECKING

from gridvisit.cli import session
from gridvisit.cli.parser import add_db, subcommands
from gridvisit.core.errors import GridVisitError, ValidationError

if TYPE_CHECKING:
    from gridvisit.core.indicators import Period


def register(sub: argparse._SubParsersAction) -> None:
    report = sub.add_parser("report", help="生成报表", description="生成报表 PDF。")
    kinds = subcommands(report, "report", "报表")
    weekly = kinds.add_parser(
        "weekly",
        help="每周问题清单",
        description="生成某一周的问题清单 PDF(横向 A4),供每周联席会议使用。"
        "居民姓名和电话默认打码,不含身份证号。",
    )
    add_db(weekly)
    weekly.add_argument("--week", required=True, metavar="YYYY-Www", help="ISO 周次,例如 2026-W47")
    weekly.add_argument("--community", metavar="社区", help="只列出这个社区(名称)")
    weekly.add_argument("--grid", metavar="网格", help="只列出这个网格(名称)")
    weekly.add_argument(
        "--full-names",
        action="store_true",
        help="显示居民完整姓名(仅限内部使用,每页会注明含个人信息)",
    )
    weekly.add_argument(
        "-o", "--output", required=True, type=Path, metavar="文件.pdf", help="输出的 PDF 文件"
    )
    weekly.set_defaults(handler=_cmd_weekly)
    monthly = kinds.add_parser(
        "monthly",
        help="月度/季度/年度统计表",
        description="生成某一月、季度或一年的网格走访与问题办理统计表:主要指标与目标、"
        "分社区或分网格情况、近 12 个月趋势、问题分类、各层级办结情况和计算方法。"
        "PDF 为纵向 A4;--xlsx 另存同样的表格为 Excel 统计表。不含居民个人信息。",
    )
    add_db(monthly)
    period = monthly.add_argument_group("统计期(选一种)")
    period.add_argument("--month", metavar="YYYY-MM", help="某一月,例如 2026-11")
    period.add_argument("--quarter", metavar="YYYY-Qn", help="某一季度,例如 2026-Q4")
    period.add_argument("--year", metavar="YYYY", help="某一年,例如 2026")
    monthly.add_argument("--community", metavar="社区", help="只统计这个社区(名称)")
    monthly.add_argument("--grid", metavar="网格", help="只统计这个网格(名称)")
    monthly.add_argument("-o", "--output", type=Path, metavar="文件.pdf", help="输出的 PDF 文件")
    monthly.add_argument("--xlsx", type=Path, metavar="文件.xlsx", help="同时输出 Excel 统计表")
    monthly.set_defaults(handler=_cmd_monthly)


def _cmd_weekly(args: argparse.Namespace) -> int:
    from gridvisit.core.access import Action
    from gridvisit.core.clock import IsoWeek
    from gridvisit.reports.weekly import write_weekly_pdf

    try:
        week = IsoWeek.parse(args.week)  # before touching anything
    except ValidationError as exc:
        raise GridVisitError(exc.errors["week"], hint="周次的写法:--week 2026-W47") from None
    started = time.perf_counter()
    with session.logged_in(args) as s:
        services = s.services
        if args.full_names:
            services.ctx.require(Action.EXPORT_UNMASKED)
        scope, name = services.weekly.scope_for(args.community, args.grid)
        report = services.weekly.build(week, scope, name)
        if args.full_names:
            services.audit_log.record("report.full_names", week=str(week), scope=name)
        calendar_warning = services.calendar.status().warning
    write_weekly_pdf(report, args.output, full_names=args.full_names)
    summary = report.summary
    print(f"已生成:{args.output}")
    print(
        f"  {name} {week}:新增 {summary.new} 件,结转未办结 {summary.carried_over} 件,"
        f"办结 {summary.resolved} 件(按期 {summary.on_time}、延期后按期 {summary.extended}、"
        f"超期办结 {summary.late}),超期 {summary.overdue} 件"
    )
    lines = {p.id: p for p in report.new + report.carried_over}
    estimated = sum(1 for p in lines.values() if p.workdays is not None and p.workdays.estimated)
    if estimated:
        print(
            f"  提示:{estimated} 件问题的时限跨入没有节假日安排的年份,"
            "剩余或超期的工作日按周一至周五估算。"
        )
    if calendar_warning:
        print(f"  提示:{calendar_warning}")
    if args.full_names:
        print("  注意:本文件含居民完整姓名,仅限内部使用。")
    print(f"  用时 {time.perf_counter() - started:.1f} 秒")
    return 0


_PERIOD_FORMS = {
    "--month": (r"\d{4}-\d{1,2}", "2026-11"),
    "--quarter": (r"\d{4}-?[Qq]\d", "2026-Q4"),
    "--year": (r"\d{4}", "2026"),
}


def _statistics_period(args: argparse.Namespace) -> Period:
    import re

    from gridvisit.core.indicators import Period

    named = [
        (flag, value)
        for flag, value in (
            ("--month", args.month),
            ("--quarter", args.quarter),
            ("--year", args.year),
        )
        if value
    ]
    hint = "统计期的写法:--month 2026-11、--quarter 2026-Q4 或 --year 2026"
    if not named:
        raise GridVisitError("请指定统计期。", hint=hint)
    if len(named) > 1:
        raise GridVisitError(
            f"统计期只能指定一种,现在给了:{'、'.join(f for f, _ in named)}。", hint=hint
        )
    flag, value = named[0]
    pattern, example = _PERIOD_FORMS[flag]
    if not re.fullmatch(pattern, value.strip()):
        raise GridVisitError(f"{flag} 的值“{value}”格式不对,应写成 {example}。", hint=hint)
    try:
        return Period.parse(value)
    except ValidationError as exc:
        raise GridVisitError(";".join(exc.errors.values()) + "。", hint=hint) from None


def _cmd_monthly(args: argparse.Namespace) -> int:
    from gridvisit.reports.statistics import check_output

    period = _statistics_period(args)  # before touching anything
    if args.output is None and args.xlsx is None:
        raise GridVisitError(
            "请用 -o 指定输出的 PDF 文件,或用 --xlsx 指定 Excel 文件。",
            hint="例如 -o 统计表.pdf --xlsx 统计表.xlsx",
        )
    if args.output is not None:
        check_output(args.output, "PDF")
    if args.xlsx is not None:
        check_output(args.xlsx, "Excel")
    started = time.perf_counter()
    from gridvisit.reports.statistics import collect, pdf_bytes, save_bytes
    from gridvisit.reports.statistics_xlsx import xlsx_bytes

    with session.logged_in(args) as s:
        try:
            data = collect(s.services, period, args.community, args.grid)
        except ValidationError as exc:  # e.g. a period that has not begun
            raise GridVisitError(
                ";".join(exc.errors.values()) + "。",
                hint="统计期的写法:--month 2026-11、--quarter 2026-Q4 或 --year 2026",
            ) from None
    # Both built in memory first: a failure in either leaves no file half-written.
    pdf = pdf_bytes(data) if args.output is not None else None
    xlsx = xlsx_bytes(data) if args.xlsx is not None else None
    if pdf is not None:
        save_bytes(args.output, pdf)
        print(f"已生成:{args.output}")
    if xlsx is not None:
        save_bytes(args.xlsx, xlsx)
        print(f"已生成:{args.xlsx}")
    ind = data.figures.indicators
    from gridvisit.reports.statistics import shown

    print(
        f"  {data.title}:"
        + ",".join(f"{ind[k].name} {shown(ind[k])}" for k in (
            "coverage", "resolution_rate", "on_time_rate", "satisfaction_rate"))
    )  # fmt: skip
    below = data.figures.below_target()
    if below:
        print("  未达标:" + "、".join(ind[k].name for k in below))
    print(f"  用时 {time.perf_counter() - started:.1f} 秒")
    return 0
