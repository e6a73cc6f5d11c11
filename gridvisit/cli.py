"""Command line: starts the GUI, or runs a headless command.

Every message a user reads is Chinese. Known errors (GridVisitError) print their
message and exit 1; usage errors exit 2; anything else is a bug: it is logged with
its trace and reported in one line.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from gridvisit import __version__
from gridvisit.core.errors import GridVisitError, ValidationError

log = logging.getLogger("gridvisit")

# argparse's own words, in Chinese. argparse looks `_` up at call time, so replacing
# the module's gettext function is enough.
_ARGPARSE_ZH = {
    "usage: ": "用法:",
    "positional arguments": "参数",
    "options": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "show program's version number and exit": "显示版本号并退出",
    "the following arguments are required: %s": "缺少必需的参数:%s",
    "unrecognized arguments: %s": "无法识别的参数:%s",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s 有误:%(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项 %(value)r(可选:%(choices)s)",
    "invalid %(type)s value: %(value)r": "无效的值 %(value)r",
    "expected one argument": "需要一个参数值",
    "%(prog)s: error: %(message)s\n": "%(prog)s:错误:%(message)s\n",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 有歧义,可能是 %(matches)s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
}


def _install_argparse_zh() -> None:
    argparse._ = lambda text: _ARGPARSE_ZH.get(text, text)  # type: ignore[attr-defined]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}:参数错误:{message}\n请运行 {self.prog} --help 查看用法。\n")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}”不是整数") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"必须是正整数,现在是 {value}")
    return value


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}”不是日期,应写成 2026-11-22") from None


def build_parser() -> argparse.ArgumentParser:
    _install_argparse_zh()
    parser = _Parser(
        prog="gridvisit",
        description="网格员入户走访与问题清单管理(离线桌面版)。不带子命令时启动图形界面。",
    )
    parser.add_argument(
        "--version", action="version", version=f"gridvisit {__version__}", help="显示版本号并退出"
    )
    parser.add_argument("--db", dest="gui_db", metavar="路径", help="打开指定的数据库文件")
    parser.add_argument(
        "--demo", action="store_true", help="打开演示数据库(不存在时自动生成 2000 户)"
    )
    parser.add_argument(
        "--screenshot",
        metavar="文件.png",
        type=Path,
        help="打开主窗口,数据加载完后保存窗口截图并退出",
    )
    parser.add_argument(
        "--page",
        choices=("households", "problems", "due"),
        default="households",
        help="截图时显示的页面(默认 households)",
    )
    sub = parser.add_subparsers(dest="command", metavar="子命令", parser_class=_Parser)

    demo = sub.add_parser(
        "demo", help="生成演示数据库", description="生成一个街道规模的演示数据库。"
    )
    demo.add_argument("--db", required=True, metavar="路径", help="要创建的数据库文件")
    demo.add_argument(
        "--households", type=_positive_int, default=2000, metavar="N", help="住户数(默认 2000)"
    )
    demo.add_argument(
        "--seed",
        type=int,
        default=1,
        metavar="S",
        help="随机种子:种子和截止日期相同,数据就相同(默认 1)",
    )
    demo.add_argument(
        "--end-date",
        type=_iso_date,
        default=None,
        metavar="日期",
        help="走访记录截止日期 YYYY-MM-DD(默认今天)",
    )
    demo.add_argument(
        "--weeks",
        type=_positive_int,
        default=52,
        metavar="W",
        help="生成多少周的走访记录(默认 52 周)",
    )
    demo.add_argument("--force", action="store_true", help="覆盖已存在的文件")

    check = sub.add_parser(
        "check",
        help="检查数据库是否完好",
        description="检查数据库完整性、外键和架构版本。完好时返回 0,否则返回 1。",
    )
    check.add_argument("--db", required=True, metavar="路径", help="要检查的数据库文件")

    report = sub.add_parser("report", help="生成报表", description="生成报表 PDF。")
    kinds = report.add_subparsers(
        dest="report", metavar="报表", required=True, parser_class=_Parser
    )
    weekly = kinds.add_parser(
        "weekly",
        help="每周问题清单",
        description="生成某一周的问题清单 PDF(横向 A4),供每周联席会议使用。"
        "居民姓名和电话默认打码,不含身份证号。",
    )
    weekly.add_argument("--db", required=True, metavar="路径", help="数据库文件")
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
    export = sub.add_parser(
        "export",
        help="导出数据包(交街道)",
        description="把本机数据导出为数据包(zip),交街道合并。默认只含上次导出后的改动。",
    )
    export.add_argument("--db", required=True, metavar="路径", help="数据库文件")
    export.add_argument(
        "-o",
        "--output",
        required=True,
        type=Path,
        metavar="文件",
        help="输出文件(.zip);与 --per-grid 同用时为文件夹",
    )
    export.add_argument("--full", action="store_true", help="导出全部数据,而不只是上次导出后的改动")
    export.add_argument(
        "--per-grid", action="store_true", help="每个网格一个数据包,写入 -o 指定的文件夹"
    )

    merge = sub.add_parser(
        "merge",
        help="合并数据包",
        description="把数据包合并进数据库(不存在时自动创建)。每个数据包要么全部合并,要么完全不合并。",
    )
    merge.add_argument(
        "--db",
        required=True,
        metavar="路径或URL",
        help="目标数据库文件,或 postgresql+psycopg://… 地址",
    )
    merge.add_argument(
        "--recheck",
        action="store_true",
        help="已合并过的同一文件也逐条重新核对(默认直接跳过,结果相同)",
    )
    merge.add_argument(
        "packages", nargs="+", type=Path, metavar="数据包", help="一个或多个数据包文件"
    )

    ret = sub.add_parser(
        "export-return",
        help="导出回传包(街道→网格)",
        description="在街道数据库上,为一个网格导出回传包:组织架构、该网格的问题及其流转记录和状态。",
    )
    ret.add_argument("--db", required=True, metavar="路径或URL", help="街道数据库")
    ret.add_argument("--grid", required=True, metavar="网格", help="网格名称")
    ret.add_argument("--community", metavar="社区", help="网格重名时指明社区")
    ret.add_argument(
        "-o", "--output", required=True, type=Path, metavar="文件.zip", help="输出文件"
    )
    ledger = sub.add_parser(
        "ledger", help="Excel 台账", description="导出 Excel 台账,或导入住户花名册。"
    )
    ledger_kinds = ledger.add_subparsers(
        dest="ledger", metavar="操作", required=True, parser_class=_Parser
    )
    lx = ledger_kinds.add_parser(
        "export",
        help="导出台账",
        description="导出住户、走访或问题台账(.xlsx)。姓名、电话、身份证号默认打码。",
    )
    lx.add_argument("--db", required=True, metavar="路径", help="数据库文件")
    lx.add_argument(
        "--kind", required=True, choices=("households", "visits", "problems"), help="台账类型"
    )
    lx.add_argument(
        "-o", "--output", required=True, type=Path, metavar="文件.xlsx", help="输出文件"
    )
    lx.add_argument("--unmasked", action="store_true", help="不打码(仅限内部使用)")
    li = ledger_kinds.add_parser(
        "import",
        help="导入住户花名册",
        description="导入社区现有的住户花名册(.xlsx,每行一位居民)。有任何一行不合格时默认不导入。"
        "\n\n需要的列(第一行为表头):\n" + _roster_columns(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    li.add_argument("--db", required=True, metavar="路径", help="数据库文件")
    li.add_argument("file", type=Path, metavar="文件.xlsx", help="花名册文件")
    li.add_argument("--skip-invalid", action="store_true", help="跳过不合格的行,导入其余的行")
    return parser


def _cmd_demo(args: argparse.Namespace) -> int:
    from gridvisit.storage.demo import generate_demo

    started = time.perf_counter()
    stats = generate_demo(
        args.db,
        households=args.households,
        seed=args.seed,
        end=args.end_date,
        weeks=args.weeks,
        overwrite=args.force,
        progress=lambda msg: print(msg, file=sys.stderr),
    )
    elapsed = time.perf_counter() - started
    print(f"已生成演示数据库:{args.db}")
    print(f"  社区 {stats.communities},网格 {stats.grids},楼栋党小组 {stats.building_groups}")
    print(f"  住户 {stats.households},居民 {stats.residents},用户 {stats.users}")
    print(f"  走访记录 {stats.visits},问题 {stats.problems},流转记录 {stats.problem_events}")
    print(f"  用时 {elapsed:.1f} 秒")
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    from gridvisit.storage.check import COUNTED_TABLES, check_database

    report = check_database(args.db)
    print(f"数据库:{report.path}")
    print(f"架构版本:{report.schema_version or '无'}(本程序:{report.head_version})")
    if report.counts:
        labels = dict(COUNTED_TABLES)
        print("记录数:" + ",".join(f"{labels[t]} {n}" for t, n in report.counts.items()))
    if report.ok:
        print("检查结果:完好。")
        return 0
    print("检查结果:发现问题!", file=sys.stderr)
    for problem in report.problems:
        print(f"  - {problem}", file=sys.stderr)
    print("建议:不要继续写入这个文件,请从备份恢复。", file=sys.stderr)
    return 1


def _cmd_report(args: argparse.Namespace) -> int:
    from gridvisit.app import build_services
    from gridvisit.core.clock import IsoWeek
    from gridvisit.reports.weekly import write_weekly_pdf
    from gridvisit.storage import open_database

    try:
        week = IsoWeek.parse(args.week)  # before touching anything
    except ValidationError as exc:
        raise GridVisitError(exc.errors["week"], hint="周次的写法:--week 2026-W47") from None
    started = time.perf_counter()
    db = open_database(args.db)
    try:
        services = build_services(db)
        scope, name = services.weekly.scope_for(args.community, args.grid)
        report = services.weekly.build(week, scope, name)
    finally:
        db.dispose()
    write_weekly_pdf(report, args.output, full_names=args.full_names)
    s = report.summary
    print(f"已生成:{args.output}")
    print(
        f"  {name} {week}:新增 {s.new} 件,结转未办结 {s.carried_over} 件,"
        f"办结 {s.resolved} 件,超期 {s.overdue} 件"
    )
    if args.full_names:
        print("  注意:本文件含居民完整姓名,仅限内部使用。")
    print(f"  用时 {time.perf_counter() - started:.1f} 秒")
    return 0


def _actor_name(db: object) -> str:
    from gridvisit.app import build_services

    actor = build_services(db).ctx.actor  # type: ignore[arg-type]
    return actor.username


def _cmd_export(args: argparse.Namespace) -> int:
    from gridvisit.exchange.export import export_package, export_per_grid
    from gridvisit.exchange.records import ENTITY_LABELS
    from gridvisit.storage import open_database

    started = time.perf_counter()
    db = open_database(args.db)
    try:
        who = _actor_name(db)
        if args.per_grid:
            results = export_per_grid(
                db,
                args.output,
                full=args.full,
                exported_by=who,
                progress=lambda msg: print(msg, file=sys.stderr),
            )
        else:
            results = [export_package(db, args.output, full=args.full, exported_by=who)]
    finally:
        db.dispose()
    since = results[0].since if results else None
    print(
        f"已导出 {len(results)} 个数据包"
        + (f"(自 {since:%Y-%m-%d %H:%M} 起的改动)" if since else "(全部数据)")
    )
    for r in results:
        counts = ",".join(f"{ENTITY_LABELS[t]} {n}" for t, n in r.counts.items()) or "无改动"
        print(f"  {r.path}:{counts}")
    print(f"  用时 {time.perf_counter() - started:.1f} 秒")
    return 0


def _cmd_merge(args: argparse.Namespace) -> int:
    from gridvisit.exchange.merge import merge_package
    from gridvisit.exchange.package import read_package
    from gridvisit.storage import open_database

    started = time.perf_counter()
    db = open_database(args.db, create=True)
    failed = 0
    totals: dict[str, int] = {}
    try:
        for path in args.packages:
            try:
                package = read_package(path)
                stats = merge_package(db, package, recheck=args.recheck)
            except GridVisitError as exc:
                failed += 1
                print(f"{path.name}:未合并。{exc.message}", file=sys.stderr)
                if exc.hint:
                    print(f"  {exc.hint}", file=sys.stderr)
                continue
            m = package.manifest
            print(f"{path.name}({m.grid_names}):{stats.summary()}")
            for key, value in stats.as_dict().items():
                totals[key] = totals.get(key, 0) + value
    finally:
        db.dispose()
    merged = len(args.packages) - failed
    print(
        f"合计 {merged} 个数据包:新增 {totals.get('inserted', 0)},更新 {totals.get('updated', 0)},"
        f"未变 {totals.get('unchanged', 0)},冲突 {totals.get('conflicts', 0)},"
        f"疑似重复 {totals.get('duplicates', 0)}"
    )
    if totals.get("conflicts") or totals.get("duplicates"):
        print("冲突和疑似重复已记录,请在程序的“合并待处理”页面逐条处理。")
    print(f"用时 {time.perf_counter() - started:.1f} 秒")
    if failed:
        print(f"有 {failed} 个数据包未合并,见上方说明。", file=sys.stderr)
        return 1
    return 0


def _cmd_export_return(args: argparse.Namespace) -> int:
    from gridvisit.app import build_services
    from gridvisit.exchange.export import export_return
    from gridvisit.exchange.records import ENTITY_LABELS
    from gridvisit.storage import open_database

    db = open_database(args.db)
    try:
        services = build_services(db)
        scope, name = services.weekly.scope_for(args.community, args.grid)
        assert scope.grid_id is not None  # --grid is required
        result = export_return(
            db, args.output, scope.grid_id, exported_by=services.ctx.actor.username
        )
    finally:
        db.dispose()
    counts = ",".join(f"{ENTITY_LABELS[t]} {n}" for t, n in result.counts.items())
    print(f"已为 {name} 导出回传包:{result.path}")
    print(f"  {counts}")
    return 0


def _roster_columns() -> str:
    from gridvisit.exchange.ledger import expected_columns_text

    return expected_columns_text()


def _cmd_ledger(args: argparse.Namespace) -> int:
    from gridvisit.exchange.ledger import KINDS, export_ledger, import_roster
    from gridvisit.storage import open_database

    db = open_database(args.db)
    try:
        if args.ledger == "export":
            result = export_ledger(db, args.kind, args.output, masked=not args.unmasked)
            print(f"已导出{KINDS[args.kind]}:{result.path}({result.rows} 行)")
            if args.unmasked:
                print("注意:本文件含完整的姓名、电话和身份证号,仅限内部使用。")
            return 0
        outcome = import_roster(db, args.file, skip_invalid=args.skip_invalid)
    finally:
        db.dispose()
    for error in outcome.errors:
        print(f"  {error}", file=sys.stderr)
    if not outcome.imported:
        print(
            f"有 {len({e.row for e in outcome.errors})} 行不合格,未导入任何数据。"
            "请修改后重新导入,或加 --skip-invalid 只导入合格的行。",
            file=sys.stderr,
        )
        return 1
    print(
        f"已导入:新建住户 {outcome.households} 户,居民 {outcome.residents} 人;"
        f"已存在而跳过 {outcome.skipped_existing} 人;不合格而跳过 {len({e.row for e in outcome.errors})} 行。"
    )
    return 0


def _cmd_gui(args: argparse.Namespace) -> int:
    from gridvisit import paths

    if args.demo and not args.gui_db:
        target = paths.demo_database_path()
        if not target.exists():
            from gridvisit.storage.demo import generate_demo

            print("正在生成演示数据库(2000 户)……", file=sys.stderr)
            generate_demo(target, households=2000)
        db_path = target
    else:
        db_path = Path(args.gui_db) if args.gui_db else paths.default_database_path()
    from gridvisit.app import run_gui

    return run_gui(db_path, create=not args.gui_db, screenshot=args.screenshot, page=args.page)


def _setup_logging() -> Path | None:
    try:
        from gridvisit.paths import log_dir

        logfile = log_dir() / "gridvisit.log"
        handler: logging.Handler = logging.FileHandler(logfile, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return logfile


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logfile = _setup_logging()
    handlers = {
        "demo": _cmd_demo,
        "check": _cmd_check,
        "report": _cmd_report,
        "export": _cmd_export,
        "merge": _cmd_merge,
        "export-return": _cmd_export_return,
        "ledger": _cmd_ledger,
        None: _cmd_gui,
    }
    try:
        return handlers[args.command](args)
    except GridVisitError as exc:
        print(f"错误:{exc.message}", file=sys.stderr)
        if exc.hint:
            print(exc.hint, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("已取消。", file=sys.stderr)
        return 130
    except Exception:
        log.exception("unexpected error in command %s", args.command)
        where = f",详情已记录在 {logfile}" if logfile else ""
        print(f"程序内部错误{where}。请把该文件发给技术支持。", file=sys.stderr)
        return 3
