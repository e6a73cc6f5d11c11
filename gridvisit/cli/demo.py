"""`gridvisit demo`: a deterministic demo database of a whole sub-district."""

from __future__ import annotations

import argparse
import sys
import time

from gridvisit.cli import session
from gridvisit.cli.parser import add_db, iso_date, positive_int


def register(sub: argparse._SubParsersAction) -> None:
    demo = sub.add_parser(
        "demo", help="生成演示数据库", description="生成一个街道规模的演示数据库。"
    )
    add_db(demo, "要创建的数据库文件")
    demo.add_argument(
        "--households", type=positive_int, default=2000, metavar="N", help="住户数(默认 2000)"
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
        type=iso_date,
        default=None,
        metavar="日期",
        help="走访记录截止日期 YYYY-MM-DD(默认今天)",
    )
    demo.add_argument(
        "--weeks",
        type=positive_int,
        default=52,
        metavar="W",
        help="生成多少周的走访记录(默认 52 周)",
    )
    demo.add_argument("--force", action="store_true", help="覆盖已存在的文件")
    demo.set_defaults(handler=_cmd_demo)


def _cmd_demo(args: argparse.Namespace) -> int:
    import os

    from gridvisit.demo.generate import DEMO_PASSWORD, generate_demo

    session.refuse_server(
        args.db,
        "演示数据库(gridvisit demo)",
        "请把演示数据生成为文件:gridvisit demo --db demo.db。",
    )
    started = time.perf_counter()
    password = os.environ.get("GRIDVISIT_PASSWORD") or DEMO_PASSWORD
    stats = generate_demo(
        args.db,
        households=args.households,
        seed=args.seed,
        end=args.end_date,
        weeks=args.weeks,
        overwrite=args.force,
        progress=lambda msg: print(msg, file=sys.stderr),
        password=password,
        encrypted=not args.no_encryption,
    )
    elapsed = time.perf_counter() - started
    print(f"已生成演示数据库:{args.db}({'未加密' if args.no_encryption else '已加密'})")
    print(f"  社区 {stats.communities},网格 {stats.grids},楼栋党小组 {stats.building_groups}")
    print(f"  住户 {stats.households},居民 {stats.residents},用户 {stats.users}")
    print(f"  走访记录 {stats.visits},问题 {stats.problems},流转记录 {stats.problem_events}")
    shown = DEMO_PASSWORD if password == DEMO_PASSWORD else "GRIDVISIT_PASSWORD 的值"
    print(f"  演示用户(密码都是 {shown}):")
    for username, name, role, area in stats.accounts:
        print(f"    {username:<12}{name}\t{role}\t{area}")
    print(f"  用时 {elapsed:.1f} 秒")
    return 0
