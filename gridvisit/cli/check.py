"""`gridvisit check`: integrity, foreign keys and schema version, without writing."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from gridvisit.cli import session
from gridvisit.cli.parser import add_db

if TYPE_CHECKING:
    from gridvisit.storage.check import CheckReport


def register(sub: argparse._SubParsersAction) -> None:
    check = sub.add_parser(
        "check",
        help="检查数据库是否完好",
        description="检查数据库完整性、外键和架构版本。完好时返回 0,否则返回 1。",
    )
    add_db(check, "要检查的数据库文件,或街道服务器的 URL", metavar="路径或URL")
    check.set_defaults(handler=_cmd_check)


def _cmd_check(args: argparse.Namespace) -> int:
    from gridvisit.storage.check import check_database
    from gridvisit.storage.engine import is_encrypted_database

    if "://" in args.db:
        # A server: its URL carries the credentials, and nothing is logged in or written.
        from gridvisit.storage.check import check_server_database

        return _print(args, check_server_database(args.db))
    key = None
    if is_encrypted_database(Path(args.db)):
        # Only the key: logging in would write (an audit entry, the daily backup),
        # and would stop at quick_check before the report could say what is wrong.
        from gridvisit.core.auth import unlock_key

        user = session.username(args, args.db)
        password = session.secret("GRIDVISIT_PASSWORD", f"用户 {user} 的密码:")
        key = unlock_key(Path(args.db).resolve(), user, password, session.throttle())
    return _print(args, check_database(args.db, key))


def _print(args: argparse.Namespace, report: CheckReport) -> int:
    from gridvisit.storage.check import COUNTED_TABLES

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
    if isinstance(report.path, Path):
        print(
            "建议:不要继续写入这个文件,请从备份恢复:"
            f"gridvisit backup restore --db {args.db} --latest",
            file=sys.stderr,
        )
    else:
        print(
            "建议:请服务器管理员查看 PostgreSQL 的日志,用 pg_amcheck 检查,必要时用 pg_dump "
            "的备份恢复(见 README 的“街道服务器”一节)。",
            file=sys.stderr,
        )
    return 1
