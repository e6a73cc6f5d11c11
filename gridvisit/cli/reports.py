"""`gridvisit report weekly`: the weekly problem list as a PDF."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from gridvisit.cli import session
from gridvisit.cli.parser import add_db, subcommands
from gridvisit.core.errors import GridVisitError, ValidationError


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
