"""`gridvisit ledger export|import`: Excel ledgers out, household rosters in."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gridvisit.cli import session
from gridvisit.cli.parser import add_db, subcommands


def register(sub: argparse._SubParsersAction) -> None:
    ledger = sub.add_parser(
        "ledger", help="Excel 台账", description="导出 Excel 台账,或导入住户花名册。"
    )
    ops = subcommands(ledger, "ledger", "操作")
    lx = ops.add_parser(
        "export",
        help="导出台账",
        description="导出住户、走访或问题台账(.xlsx)。姓名、电话、身份证号默认打码。",
    )
    add_db(lx)
    lx.add_argument(
        "--kind", required=True, choices=("households", "visits", "problems"), help="台账类型"
    )
    lx.add_argument(
        "-o", "--output", required=True, type=Path, metavar="文件.xlsx", help="输出文件"
    )
    lx.add_argument("--unmasked", action="store_true", help="不打码(仅限内部使用)")
    lx.set_defaults(handler=_cmd_export)
    li = ops.add_parser(
        "import",
        help="导入住户花名册",
        # The columns come from exchange.ledger (openpyxl, the services): worked out
        # only when this help is shown.
        describe=_import_description,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_db(li)
    li.add_argument("file", type=Path, metavar="文件.xlsx", help="花名册文件")
    li.add_argument("--skip-invalid", action="store_true", help="跳过不合格的行,导入其余的行")
    li.set_defaults(handler=_cmd_import)


def _import_description() -> str:
    from gridvisit.exchange.ledger import expected_columns_text

    return (
        "导入社区现有的住户花名册(.xlsx,每行一位居民)。有任何一行不合格时默认不导入。"
        "\n\n需要的列(第一行为表头):\n" + expected_columns_text()
    )


def _cmd_export(args: argparse.Namespace) -> int:
    from gridvisit.exchange.ledger import KINDS

    with session.logged_in(args) as s:
        result = s.services.exchange.export_ledger(args.kind, args.output, masked=not args.unmasked)
    print(f"已导出{KINDS[args.kind]}:{result.path}({result.rows} 行)")
    if args.unmasked:
        print("注意:本文件含完整的姓名、电话和身份证号,仅限内部使用。")
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    with session.logged_in(args) as s:
        outcome = s.services.exchange.import_roster(args.file, skip_invalid=args.skip_invalid)
    for line in outcome.report_lines():
        print(f"  {line}", file=sys.stderr)
    if outcome.unused_columns:
        print(outcome.unused_text(), file=sys.stderr if not outcome.imported else sys.stdout)
    if not outcome.imported:
        print(
            f"有 {outcome.invalid_rows} 行不合格,未导入任何数据。"
            "请修改后重新导入,或加 --skip-invalid 只导入合格的行。",
            file=sys.stderr,
        )
        return 1
    skipped = f"不合格而跳过 {outcome.invalid_rows} 行。" if outcome.invalid_rows else ""
    print(f"已导入 {outcome.rows - outcome.invalid_rows} 行。{outcome.summary()}{skipped}")
    return 0
