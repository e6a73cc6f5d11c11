"""`gridvisit report weekly|monthly|household|sweep|buildings`: the weekly problem
list, the monthly, quarterly or yearly statistical report (PDF and/or an Excel
workbook), a household's card (一户一档), the week's sweep list (走访清单) and a
building group's chart (楼栋图) as PDFs."""

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
    _register_building_prints(kinds)


def _output(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "-o", "--output", required=True, type=Path, metavar="文件.pdf", help="输出的 PDF 文件"
    )


def _full_names(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--full-names",
        "--unmasked",
        dest="full_names",
        action="store_true",
        help="显示居民完整姓名(仅限有权导出个人信息的管理员,内部使用,每页注明含个人信息)",
    )


def _register_building_prints(kinds: argparse._SubParsersAction) -> None:
    card = kinds.add_parser(
        "household",
        help="一户一档",
        description="生成一户的档案 PDF(A4):地址和房屋状态、家庭成员及其重点人群和户籍类型、"
        "走访等级、最近走访、未办结和已办结的问题。姓名默认打码,电话和身份证号打码。",
    )
    add_db(card)
    card.add_argument(
        "--household",
        required=True,
        metavar="编号或地址",
        help="住户编号(UUID),或地址,例如 10栋2单元1502室、10-2-1502",
    )
    card.add_argument("--grid", metavar="网格", help="地址在多个网格都有时,指定网格(名称)")
    _full_names(card)
    _output(card)
    card.set_defaults(handler=_cmd_household)

    sweep = kinds.add_parser(
        "sweep",
        help="走访清单",
        description="生成某一周应访和超期住户的走访清单 PDF(A4),按楼栋、单元、楼层、房号排列,"
        "带打勾框和记录栏,供入户时携带。姓名默认打码,电话打码。",
    )
    add_db(sweep)
    sweep.add_argument("--grid", required=True, metavar="网格", help="网格(名称)")
    sweep.add_argument("--building-group", metavar="楼栋党小组", help="只列出这个楼栋党小组")
    sweep.add_argument("--week", required=True, metavar="YYYY-Www", help="ISO 周次,例如 2026-W49")
    _full_names(sweep)
    _output(sweep)
    sweep.set_defaults(handler=_cmd_sweep)

    chart = kinds.add_parser(
        "buildings",
        help="楼栋图",
        description="生成一个楼栋党小组的楼栋图 PDF(A4,楼宽时横向):每栋楼按楼层和房号排开,"
        "按房屋状态(或 --by-visit 按本期走访情况)着色,标出党员、重点人群、走访超期和未销号问题。"
        "图上没有姓名。",
    )
    add_db(chart)
    chart.add_argument(
        "--building-group", required=True, metavar="楼栋党小组", help="楼栋党小组(名称)"
    )
    chart.add_argument("--grid", metavar="网格", help="楼栋党小组重名时,指定网格(名称)")
    chart.add_argument("--by-visit", action="store_true", help="按本期走访情况着色")
    _output(chart)
    chart.set_defaults(handler=_cmd_buildings)


def _check_output(path: Path) -> None:
    """Before logging in: a folder or a missing folder is refused, nothing written."""
    if path.is_dir():
        raise GridVisitError(f"“{path}”是一个文件夹。", hint="请给出 PDF 文件名,例如 -o 清单.pdf")
    if not path.parent.is_dir():
        raise GridVisitError(f"文件夹“{path.parent}”不存在。", hint="请先建好文件夹,或换一个位置。")


def _cmd_household(args: argparse.Namespace) -> int:
    from gridvisit.core.access import Action
    from gridvisit.reports import buildings as rb

    _check_output(args.output)
    with session.logged_in(args) as s:
        services = s.services
        if args.full_names:
            services.ctx.require(Action.EXPORT_UNMASKED)
        grid = services.buildings.find_grid(args.grid) if args.grid else None
        hid = services.buildings.find_household(args.household, grid)
        card = services.buildings.card(hid)
        if args.full_names:
            services.audit_log.record(
                "report.full_names", report="household", household=card.room.uuid
            )
    rb.write_pdf(
        args.output,
        lambda fh: rb.render_household_card(
            card,
            fh,
            full_names=args.full_names,
        ),
        rb.card_file_name(card),
    )
    print(f"已生成:{args.output}")
    print(
        f"  {card.detail.address}:{len(card.detail.residents)} 人,走访 {len(card.detail.visits)} 次,"
        f"问题 {len(card.detail.problems)} 件"
    )
    if args.full_names:
        print("  注意:本文件含居民完整姓名,仅限内部使用。")
    return 0


def _cmd_sweep(args: argparse.Namespace) -> int:
    from gridvisit.core.access import Action
    from gridvisit.core.clock import IsoWeek
    from gridvisit.reports import buildings as rb

    try:
        week = IsoWeek.parse(args.week)  # before touching anything
    except ValidationError as exc:
        raise GridVisitError(exc.errors["week"], hint="周次的写法:--week 2026-W49") from None
    _check_output(args.output)
    with session.logged_in(args) as s:
        services = s.services
        if args.full_names:
            services.ctx.require(Action.EXPORT_UNMASKED)
        grid = services.buildings.find_grid(args.grid)
        group = (
            services.buildings.find_group(args.building_group, args.grid)
            if args.building_group
            else None
        )
        sweep = services.buildings.sweep(
            week, grid_id=None if group else grid, building_group_id=group
        )
        if args.full_names:
            services.audit_log.record(
                "report.full_names", report="sweep", week=str(week), scope=sweep.title
            )
    rb.write_pdf(
        args.output,
        lambda fh: rb.render_sweep(sweep, fh, full_names=args.full_names),
        rb.sweep_file_name(sweep),
    )
    overdue = sum(1 for r in sweep.rooms if r.overdue)
    print(f"已生成:{args.output}")
    print(f"  {sweep.title} {week}:应访 {len(sweep.rooms)} 户,其中超期 {overdue} 户")
    if args.full_names:
        print("  注意:本文件含居民完整姓名,仅限内部使用。")
    return 0


def _cmd_buildings(args: argparse.Namespace) -> int:
    from gridvisit.reports import buildings as rb

    _check_output(args.output)
    with session.logged_in(args) as s:
        services = s.services
        group = services.buildings.find_group(args.building_group, args.grid)
        chart = services.buildings.chart(group)
    rb.write_pdf(
        args.output,
        lambda fh: rb.render_chart(chart, fh, by_visit=args.by_visit),
        rb.chart_file_name(chart),
    )
    orientation = "横向" if rb.chart_is_landscape(chart) else "纵向"
    print(f"已生成:{args.output}({orientation} A4)")
    print(f"  {chart.title}:{len(chart.buildings)} 栋楼,{len(chart.rooms)} 户")
    return 0


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
