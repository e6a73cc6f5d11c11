"""`gridvisit backup create|list|restore|keep`: the same rules and audit as the
window's 文件 → 备份与恢复."""

from __future__ import annotations

import argparse
from pathlib import Path

from gridvisit.cli import session
from gridvisit.cli.parser import add_db, positive_int, subcommands


def register(sub: argparse._SubParsersAction) -> None:
    backup = sub.add_parser(
        "backup",
        help="备份与恢复",
        description="数据库每天第一次打开时、升级前和合并数据包前都会自动备份到"
        "“数据库文件名.backups”文件夹,保留最近几天每天一份、最近几周每周一份。"
        "这里可以手动备份、查看备份,或从备份恢复。",
    )
    ops = subcommands(backup, "backup_op", "操作")
    bc = ops.add_parser("create", help="立即备份(手动备份不会被自动删除)")
    add_db(bc)
    bc.set_defaults(handler=_cmd_create)
    bl = ops.add_parser("list", help="列出备份")
    add_db(bl)
    bl.set_defaults(handler=_cmd_list)
    br = ops.add_parser(
        "restore",
        help="从备份恢复",
        description="用一份备份替换数据库。需要做那份备份时的用户名和密码,且须是社区或街道管理员"
        "(数据库损坏时,任何用户都可以用 --latest 恢复最新的完好备份);"
        "被替换的文件会移到备份文件夹里保留。程序窗口开着这个数据库时不能恢复。",
    )
    add_db(br)
    which = br.add_mutually_exclusive_group(required=True)
    which.add_argument("backup", nargs="?", metavar="备份文件", help="backup list 列出的文件名")
    which.add_argument("--latest", action="store_true", help="用最新的一份完好的备份")
    br.set_defaults(handler=_cmd_restore)
    bk = ops.add_parser("keep", help="设置保留几份自动备份(社区或街道管理员)")
    add_db(bk)
    bk.add_argument("--daily", type=positive_int, metavar="N", help="保留最近 N 天每天一份")
    bk.add_argument("--weekly", type=positive_int, metavar="M", help="保留最近 M 周每周一份")
    bk.set_defaults(handler=_cmd_keep)


def _path(args: argparse.Namespace) -> Path:
    session.refuse_server(args.db, "备份与恢复(gridvisit backup)", session.PG_BACKUP_HINT)
    return Path(args.db).expanduser().resolve()


def _cmd_list(args: argparse.Namespace) -> int:
    from gridvisit.storage import backups

    path = _path(args)
    found = backups.list_backups(path)
    print(f"备份文件夹:{backups.backup_dir(path)}")
    for b in found:
        lock = "加密" if b.encrypted else "未加密"
        print(
            f"  {b.path.name}\t{b.taken_at:%Y-%m-%d %H:%M}\t{b.reason.label}\t"
            f"{b.size / 1024 / 1024:.1f} MB\t{lock}"
        )
    if not found:
        print("  (还没有备份)")
    return 0


def _cmd_create(args: argparse.Namespace) -> int:
    with session.logged_in(args, _path(args)) as s:
        made = s.services.backups.create()  # the same rules and audit as the window
        assert made is not None  # a local file
        print(f"已备份:{made.path}({made.size / 1024 / 1024:.1f} MB)")
    return 0


def _cmd_keep(args: argparse.Namespace) -> int:
    with session.logged_in(args, _path(args)) as s:
        service = s.services.backups
        keep = service.policy()
        if args.daily or args.weekly:
            keep = service.set_policy(args.daily or keep.daily, args.weekly or keep.weekly)
        print(f"自动备份保留最近 {keep.daily} 天每天一份、最近 {keep.weekly} 周每周一份。")
    return 0


def _cmd_restore(args: argparse.Namespace) -> int:
    from gridvisit.core import recovery
    from gridvisit.instance import InstanceLock

    path = _path(args)
    user = session.username(args, path)
    password = session.secret("GRIDVISIT_PASSWORD", f"用户 {user} 的密码(做备份时的密码):")
    with InstanceLock(path):
        had_file = path.exists()
        if args.latest:
            restored = recovery.restore_newest_sound(
                path, user, password, lambda _b: True, throttle=session.throttle()
            )
            assert restored is not None  # confirm always says yes
        else:
            restored = recovery.find_backup(path, args.backup)
            recovery.restore(path, restored, user, password, throttle=session.throttle())
        print(f"已从备份恢复:{restored.path.name}({restored.taken_at:%Y-%m-%d %H:%M})")
        if had_file:
            print("恢复前的原文件已移到备份文件夹,类型为“恢复前的原文件”。")
        with session.logged_in(args, path) as s:
            s.services.ctx.record("backup.restore", file=restored.path.name)
    return 0
