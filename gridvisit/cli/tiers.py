"""`gridvisit tier list|set|group`: visit tiers and which special groups set them."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from gridvisit.cli import session
from gridvisit.cli.parser import add_db, positive_int, subcommands

if TYPE_CHECKING:
    from gridvisit.core.services import Services


def register(sub: argparse._SubParsersAction) -> None:
    tiers = sub.add_parser(
        "tier",
        help="走访等级",
        description="列出走访等级和重点人群对应的等级;街道管理员可修改名称、周期和对应关系。",
    )
    ops = subcommands(tiers, "tier_op", "操作")
    tl = ops.add_parser("list", help="列出走访等级和重点人群对应的等级")
    add_db(tl)
    tl.set_defaults(handler=_cmd_list)
    ts = ops.add_parser("set", help="修改一个走访等级的名称或周期")
    add_db(ts)
    ts.add_argument("code", metavar="等级", help="等级的代码或名称,如 normal 或 一般")
    ts.add_argument("--name", metavar="名称", help="新名称")
    ts.add_argument("--days", type=positive_int, metavar="天数", help="走访周期(天)")
    ts.set_defaults(handler=_cmd_set)
    tg = ops.add_parser("group", help="设置一个重点人群类别对应的走访等级")
    add_db(tg)
    tg.add_argument("group", metavar="重点人群", help="类别的代码或名称,如 独居老人")
    tg.add_argument("tier", metavar="等级", help="等级的代码或名称")
    tg.set_defaults(handler=_cmd_group)


def _tier_code(services: Services, text: str) -> str:
    from gridvisit.core.errors import GridVisitError

    for t in services.tiers.tiers():
        if text in (t.code, t.name):
            return t.code
    raise GridVisitError(f"没有走访等级“{text}”。", hint="用 gridvisit tier list 查看可用的等级。")


def _cmd_list(args: argparse.Namespace) -> int:
    with session.logged_in(args) as s:
        tiers = s.services.tiers.tiers()
        groups = s.services.tiers.groups()
    names = {t.code: t.name for t in tiers}
    print("走访等级:")
    for t in tiers:
        print(f"  {t.code}\t{t.name}\t每 {t.interval_days} 天")
    print("重点人群 → 走访等级:")
    for g in groups:
        print(f"  {g.code}\t{g.name}\t{names.get(g.tier_code, g.tier_code)}")
    return 0


def _cmd_set(args: argparse.Namespace) -> int:
    from gridvisit.core.errors import GridVisitError

    if args.name is None and args.days is None:
        raise GridVisitError("请用 --name 或 --days 指明要改什么。")
    with session.logged_in(args) as s:
        code = _tier_code(s.services, args.code)
        rec = s.services.tiers.update_tier(code, name=args.name, interval_days=args.days)
    print(f"已修改走访等级 {rec.code}:{rec.name},每 {rec.interval_days} 天。")
    return 0


def _cmd_group(args: argparse.Namespace) -> int:
    from gridvisit.core.errors import GridVisitError

    with session.logged_in(args) as s:
        code = next(
            (g.code for g in s.services.tiers.groups() if args.group in (g.code, g.name)), None
        )
        if code is None:
            raise GridVisitError(f"没有重点人群类别“{args.group}”。")
        rec = s.services.tiers.set_group_tier(code, _tier_code(s.services, args.tier))
    print(f"已设置:{rec.name} → {rec.tier_code}。")
    return 0
