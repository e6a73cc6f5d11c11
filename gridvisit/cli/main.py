"""The `gridvisit` command: the parser built from every command module, and `main`.

Every message a user reads is Chinese. Known errors (GridVisitError) print their
message and exit 1; usage errors exit 2; anything else is a bug: it is logged with
its trace and reported in one line (`session.run`).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from gridvisit import __version__
from gridvisit.cli import (
    audit,
    backup,
    check,
    database,
    demo,
    exchange,
    gui,
    keys,
    ledger,
    reports,
    server,
    session,
    stats,
    users,
    workdays,
)
from gridvisit.cli.parser import Parser, common_options, install_argparse_zh, subcommands

SECURITY_HELP = (
    "数据库默认加密(SQLCipher),打开时要用户名和密码:密码取自环境变量 GRIDVISIT_PASSWORD,"
    "交互使用时会提示输入;用户名取自 --user 或 GRIDVISIT_USER。"
    "--no-encryption 明确地打开或创建未加密的文件(测试、演示、性能测试用)。"
)

# In the order `gridvisit --help` lists them.
COMMANDS = (
    demo, check, reports, stats, exchange, ledger, database, server, users, audit, keys, backup,
    workdays,
)  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    install_argparse_zh()
    parser = Parser(
        prog="gridvisit",
        description="网格员入户走访与问题清单管理(离线桌面版)。不带子命令时启动图形界面。"
        + SECURITY_HELP,
    )
    common_options(parser, suppress=False)
    parser.add_argument(
        "--version", action="version", version=f"gridvisit {__version__}", help="显示版本号并退出"
    )
    gui.register_options(parser)
    sub = subcommands(parser, "command", "子命令", required=False)
    for module in COMMANDS:
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logfile = session.setup_logging()
    if args.self_test and args.command is None:
        return gui.self_test()
    return session.run(args.handler, args, logfile)
