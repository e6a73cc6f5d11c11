"""`gridvisit calendar show|set-year`: the holiday schedule that working-day time
limits count with (core/workdays.py, core/services/calendar.py)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from gridvisit.cli import session
from gridvisit.cli.parser import add_db, positive_int, subcommands
from gridvisit.core.errors import GridVisitError

_FILE_HELP = (
    '从文件读入:JSON {"holidays": [...], "workdays": [...]},或文本,每行'
    "“假日: 日期…”或“上班: 日期…”(# 开头为注释)"
)


def register(sub: argparse._SubParsersAction) -> None:
    cal = sub.add_parser(
        "calendar",
        help="节假日安排(工作日计算)",
        description="办理时限按工作日计算:国务院公布的节假日放假,调休的周末上班。"
        "程序自带 2004 年起至所带日历包最后一年的安排;以后每年的安排公布后由管理员录入。"
        "没有安排的年份暂按周一至周五计算,并给出提示。",
    )
    ops = subcommands(cal, "calendar_op", "操作")
    show = ops.add_parser("show", help="查看已知年份和某年的安排")
    add_db(show)
    show.add_argument(
        "--year", type=positive_int, metavar="年份", help="列出这一年的假日和调休上班日"
    )
    show.set_defaults(handler=_cmd_show)
    put = ops.add_parser(
        "set-year",
        help="录入(或替换)一年的安排",
        description="录入一年的节假日安排。日期写成 2027-01-01,连续几天写成 "
        "2027-02-06..2027-02-12,用逗号或空格分开。已登记问题的时限不变,新登记的问题按新安排计算。",
    )
    add_db(put)
    put.add_argument("--year", type=positive_int, required=True, metavar="年份")
    put.add_argument("--holidays", nargs="+", default=[], metavar="日期", help="放假的日子")
    put.add_argument(
        "--workdays", nargs="+", default=[], metavar="日期", help="调休上班的周六、周日"
    )
    put.add_argument("--file", type=Path, metavar="文件", help=_FILE_HELP)
    put.set_defaults(handler=_cmd_set_year)


def _read_file(path: Path) -> tuple[list[str], list[str]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise GridVisitError(f"无法读取文件 {path}:{exc.strerror or exc}") from None
    if text.lstrip().startswith("{"):
        try:
            data = json.loads(text)
            return [str(d) for d in data.get("holidays", [])], [
                str(d) for d in data.get("workdays", [])
            ]
        except (ValueError, AttributeError, TypeError):
            raise GridVisitError(f"文件 {path} 不是有效的 JSON。") from None
    off: list[str] = []
    on: list[str] = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        head, sep, rest = line.replace(":", ":").partition(":")
        head = head.strip().lower()
        if sep and head in ("假日", "放假", "休息", "holidays"):
            off.append(rest)
        elif sep and head in ("上班", "调休", "调休上班", "workdays"):
            on.append(rest)
        else:
            raise GridVisitError(
                f"文件 {path} 第 {number} 行无法识别:{raw.strip()}",
                hint="每行以“假日:”或“上班:”开头,后面写日期。",
            )
    return off, on


def _cmd_set_year(args: argparse.Namespace) -> int:
    from gridvisit.core.workdays import parse_days

    off, on = list(args.holidays), list(args.workdays)
    if args.file is not None:
        more_off, more_on = _read_file(args.file)
        off, on = off + more_off, on + more_on
    try:
        holidays = parse_days(off, args.year)
        workdays = parse_days(on, args.year)
    except ValueError as exc:
        raise GridVisitError(f"日期有误:{exc}") from None
    with session.logged_in(args) as s:
        s.services.calendar.set_year(args.year, holidays, workdays)
        status = s.services.calendar.status()
    weekdays = sum(1 for d in holidays if d.weekday() < 5)
    print(
        f"已录入 {args.year} 年节假日安排:放假 {len(holidays)} 天(其中周一至周五 {weekdays} 天),"
        f"调休上班 {len(workdays)} 天。新登记的问题按此计算办理时限。"
    )
    if status.warning:
        print(f"提示:{status.warning}")
    return 0


def _cmd_show(args: argparse.Namespace) -> int:
    with session.logged_in(args) as s:
        status = s.services.calendar.status()
        schedule = s.services.calendar.calendar().schedule(args.year) if args.year else None
    built = status.builtin
    print(f"程序自带:{built[0]}–{built[-1]} 年" if built else "程序自带:无")
    print("本库录入:" + ("、".join(f"{y} 年" for y in status.entered) or "无"))
    if args.year:
        if schedule is None:
            print(f"{args.year} 年:没有安排,按周一至周五计算工作日。")
        else:
            source = "本库录入" if args.year in status.entered else "程序自带"
            print(f"{args.year} 年({source}):")
            print("  放假:" + (" ".join(d.isoformat() for d in sorted(schedule.holidays)) or "无"))
            print(
                "  调休上班:" + (" ".join(d.isoformat() for d in sorted(schedule.workdays)) or "无")
            )
    if status.warning:
        print(f"提示:{status.warning}")
    return 0
