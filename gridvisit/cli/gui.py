"""No sub-command: the window (`--db`, `--demo`, `--screenshot`, `--page`) or
`--self-test`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gridvisit.cli.parser import add_db
from gridvisit.core.errors import GridVisitError


def register_options(parser: argparse.ArgumentParser) -> None:
    """The window's options, on the top-level parser."""
    add_db(
        parser,
        "打开指定的数据库文件,或街道服务器的 URL(postgresql+psycopg://用户@服务器/数据库)",
        metavar="路径或URL",
        required=False,
        dest="gui_db",
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="自检:在临时文件夹里建库、生成演示数据、离屏打开主窗口、生成 PDF、导出并合并数据包",
    )
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
        choices=("households", "problems", "due", "buildings", "stats"),
        default="households",
        help="截图时显示的页面(默认 households)",
    )
    parser.set_defaults(handler=_cmd_gui)


def self_test() -> int:
    from gridvisit.selftest import run_self_test

    return run_self_test()


def _cmd_gui(args: argparse.Namespace) -> int:
    import os

    from gridvisit import paths
    from gridvisit.display import window_problem

    problem = window_problem(os.environ)
    if problem:
        raise GridVisitError(problem)

    encrypted = not args.no_encryption
    hint = ""
    db_path: Path | str
    if args.demo and not args.gui_db:
        target = paths.demo_database_path()
        if not target.exists():
            from gridvisit.demo.generate import generate_demo

            print("正在生成演示数据库(2000 户)……", file=sys.stderr)
            generate_demo(target, households=2000, encrypted=encrypted)
        from gridvisit.demo.generate import DEMO_PASSWORD

        hint = f"演示数据库:用户名 admin,密码 {DEMO_PASSWORD}"
        encrypted = encrypted and not _is_plain(target)
        db_path = target
    else:
        try:
            db_path = (
                # A server URL stays text: as a Path its "//" would become "/".
                (args.gui_db if "://" in args.gui_db else Path(args.gui_db))
                if args.gui_db
                else paths.default_database_path()
            )
        except GridVisitError as exc:  # the default folder is on a network or USB drive
            from gridvisit.app import show_startup_error

            show_startup_error(exc)
            raise
    from gridvisit.app import run_gui

    return run_gui(
        db_path,
        create=not args.gui_db,
        screenshot=args.screenshot,
        page=args.page,
        encrypted=encrypted,
        hint=hint,
    )


def _is_plain(path: Path) -> bool:
    from gridvisit.storage.engine import is_plain_sqlite

    return is_plain_sqlite(path)
