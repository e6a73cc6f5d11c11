"""`gridvisit report weekly|household|sweep|buildings`: the weekly problem list, a
household's card (一户一档), the week's sweep list (走访清单) and a building group's
chart (楼栋图) as PDFs."""

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
    write_weekly_pdf(report, args.output, full_names=args.full_names)
    summary = report.summary
    print(f"已生成:{args.output}")
    print(
        f"  {name} {week}:新增 {summary.new} 件,结转未办结 {summary.carried_over} 件,"
        f"办结 {summary.resolved} 件,超期 {summary.overdue} 件"
    )
    if args.full_names:
        print("  注意:本文件含居民完整姓名,仅限内部使用。")
    print(f"  用时 {time.perf_counter() - started:.1f} 秒")
    return 0
