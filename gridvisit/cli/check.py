"""`gridvisit check`: integrity, foreign keys and schema version, without writing."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gridvisit.cli import session
from gridvisit.cli.parser import add_db


def register(sub: argparse._SubParsersAction) -> None:
    check = sub.add_parser(
        "check",
        help="检查数据库是否完好",
        description="检查数据库完整性、外键和架构版本。完好时返回 0,否则返回 1。",
    )
    add_db(check, "要检查的数据库文件")
    check.set_defaults(handler=_cmd_check)


def _cmd_check(args: argparse.Namespace) -> int:
    from gridvisit.storage.check import COUNTED_TABLES, check_database
    from gridvisit.storage.engine import is_encrypted_database

    key = None
    if is_encrypted_database(Path(args.db)):
        # Only the key: logging in would write (an audit entry, the daily backup),
        # and would stop at quick_check before the report could say what is wrong.
        from gridvisit.core.auth import unlock_key

        user = session.username(args, args.db)
        password = session.secret("GRIDVISIT_PASSWORD", f"用户 {user} 的密码:")
        key = unlock_key(Path(args.db).resolve(), user, password, session.throttle())
    report = check_database(args.db, key)
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
    print(
        f"建议:不要继续写入这个文件,请从备份恢复:gridvisit backup restore --db {args.db} --latest",
        file=sys.stderr,
    )
    return 1
