"""`gridvisit audit verify|list|accept-tail`: the hash-chained audit log."""

from __future__ import annotations

import argparse
import sys

from gridvisit.cli import session
from gridvisit.cli.parser import add_db, positive_int, subcommands


def register(sub: argparse._SubParsersAction) -> None:
    audit = sub.add_parser("audit", help="操作日志", description="查看或校验操作日志(审计记录)。")
    ops = subcommands(audit, "audit_op", "操作")
    av = ops.add_parser(
        "verify",
        help="校验操作日志是否被改动",
        description="逐条校验操作日志的哈希链。完好返回 0;发现被改动或删除的记录时说明是哪几条,返回 1。",
    )
    add_db(av)
    av.add_argument(
        "--device", metavar="电脑", help="校验街道保存的某台网格电脑的操作日志(名称或编号)"
    )
    aa = ops.add_parser(
        "accept-tail",
        help="确认操作日志末尾被删改(之后才能继续保存)",
        description="操作日志最后的记录被删除或改动后,程序暂停保存任何改动。管理员用 "
        "audit verify 核实后,用这个命令确认:确认本身记入操作日志,这次删改会一直可查,"
        "之后即可继续保存。",
    )
    add_db(aa)
    al = ops.add_parser("list", help="列出最近的操作日志")
    add_db(al)
    al.add_argument("--limit", type=positive_int, default=50, metavar="N", help="条数(默认 50)")
    al.add_argument(
        "--device",
        metavar="电脑",
        help="列出某台网格电脑的操作日志(街道保存的、随数据包交来的记录;名称或编号)",
    )
    audit.set_defaults(handler=_cmd_audit)


def _cmd_audit(args: argparse.Namespace) -> int:
    from gridvisit.core.services.audit import AuditFilter

    with session.logged_in(args) as s:
        audit = s.services.audit_log
        device = ""
        if getattr(args, "device", None):
            from gridvisit.core.access import Action
            from gridvisit.exchange.keys import find_any_device

            s.services.ctx.require(Action.VIEW_AUDIT)
            found = find_any_device(s.db, args.device)
            device = found.device_id
            print(
                f"电脑 {found.label} 随数据包交来的操作日志(街道保存,共 {found.audit_entries} 条)"
            )
            if found.flagged_at is not None:
                print(f"  注意:这台电脑已被标记:{found.flag_reason}", file=sys.stderr)
        if args.audit_op == "list":
            for e in audit.entries(AuditFilter(device=device), limit=args.limit):
                print(f"{e.id}\t{e.at_local:%Y-%m-%d %H:%M}\t{e.actor}\t{e.action_label}\t{e.what}")
            return 0
        if args.audit_op == "accept-tail":
            settled = audit.accept_tail()
            if settled is None:
                print("操作日志的末尾完好,无需确认。")
            else:
                print(f"已确认:{settled}。这次确认已记入操作日志,现在可以继续保存。")
            return 0
        verdict = audit.verify(device)
    for note in verdict.settled:
        print(f"  已确认的删改:{note}")
    if verdict.ok:
        print(f"操作日志完好:共 {verdict.entries} 条,哈希链完整。")
        return 0
    print(
        f"操作日志被改动!共 {verdict.entries} 条,发现 {len(verdict.problems)} 处问题:",
        file=sys.stderr,
    )
    for problem in verdict.problems:
        print(f"  - {problem}", file=sys.stderr)
    return 1
