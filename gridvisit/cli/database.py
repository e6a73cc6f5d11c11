"""A database file itself: `init` (new file, first administrator) and `encrypt`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gridvisit.cli import session
from gridvisit.cli.parser import add_db
from gridvisit.core.errors import GridVisitError


def register(sub: argparse._SubParsersAction) -> None:
    init = sub.add_parser(
        "init",
        help="新建数据库和第一位管理员",
        description="新建一个(默认加密的)数据库,并设第一位街道管理员;"
        "对以前版本留下的、还没有密码的数据库,则为其管理员设置密码。",
    )
    add_db(init)
    init.add_argument("--name", default="管理员", metavar="姓名", help="管理员姓名")
    init.set_defaults(handler=_cmd_init)

    enc = sub.add_parser(
        "encrypt",
        help="把未加密的数据库转为加密",
        description="把未加密的数据库就地转为加密数据库,备份文件夹里的备份一并加密。"
        "以 --user 登录的用户获得密钥;其他用户需由管理员重设密码后才能再登录。",
    )
    add_db(enc)
    enc.add_argument(
        "--wipe-leftovers",
        action="store_true",
        help="(已加密的数据库,管理员)备份文件夹里无法加密的明文文件(损坏的备份、残留文件)覆盖后删除",
    )
    enc.set_defaults(handler=_cmd_encrypt)


def _cmd_init(args: argparse.Namespace) -> int:
    from gridvisit.core.auth import create_database, ensure_first_admin
    from gridvisit.storage.engine import is_plain_sqlite

    session.refuse_server(
        args.db,
        "gridvisit init",
        "服务器数据库请由数据库所有者用 gridvisit server init --db URL --admin 用户名 初始化"
        "(见 README 的“街道服务器”一节)。",
    )
    user = getattr(args, "user", None) or "admin"
    path = Path(args.db)
    password = session.secret("GRIDVISIT_PASSWORD", f"为管理员 {user} 设置密码:")
    if path.exists() and is_plain_sqlite(path):
        if not ensure_first_admin(path, user, args.name, password):
            raise GridVisitError("此数据库已经有管理员了。", hint="请用已有账号登录。")
        print(
            f"已为 {path} 设置管理员 {user} 的密码。这个数据库没有加密:可用 gridvisit encrypt 加密。"
        )
        return 0
    made = create_database(path, user, args.name, password, encrypted=not args.no_encryption)
    made.db.dispose()
    print(f"已新建{'未加密' if args.no_encryption else '加密'}数据库 {path},管理员 {user}。")
    return 0


def _cmd_encrypt(args: argparse.Namespace) -> int:
    from gridvisit.core.access import Action
    from gridvisit.core.auth import encrypt_database
    from gridvisit.instance import InstanceLock
    from gridvisit.storage.backups import plain_leftovers, wipe
    from gridvisit.storage.engine import is_encrypted_database

    session.refuse_server(
        args.db,
        "加密(gridvisit encrypt)",
        "服务器数据库不用 SQLCipher 加密:连接用 TLS 保护(URL 里加 sslmode=verify-full),"
        "服务器上的数据由操作系统的磁盘加密和数据库的访问权限保护(见 README 的“街道服务器”一节)。",
    )
    path = Path(args.db).expanduser().resolve()
    if args.wipe_leftovers and is_encrypted_database(path):
        # Encrypted already (maybe by an older version): the login encrypts the old
        # backups it can; an admin may then wipe what is left.
        with InstanceLock(path), session.logged_in(args, path) as s:
            services = s.services
            services.ctx.require(Action.MANAGE_BACKUPS)
            left = plain_leftovers(path)
            for leftover in left:
                wipe(leftover)
            if left:
                services.ctx.record("backup.wipe_leftovers", files=len(left))
        print(f"数据库早已加密;备份文件夹里无法加密的 {len(left)} 个文件已覆盖后删除。")
        return 0
    user = session.username(args, args.db)
    password = session.secret("GRIDVISIT_PASSWORD", f"用户 {user} 的密码:")
    with InstanceLock(path):  # never swap the file under an open window
        done = encrypt_database(path, user, password, throttle=session.throttle())
    print(f"已加密 {args.db};密钥文件 {args.db}.keys 必须与它放在一起(备份时两者一起)。")
    if done.backups:
        print(f"备份文件夹里的 {len(done.backups)} 份备份也已加密,用您的密码即可恢复。")
    if done.others:
        print(
            f"其他用户({'、'.join(done.others)})需由管理员用 gridvisit user passwd 重设密码后才能登录。"
        )
    if done.left_plain:
        print("注意:备份文件夹里以下文件无法加密(已损坏或是残留文件),仍是明文:", file=sys.stderr)
        for leftover in done.left_plain:
            print(f"  {leftover}", file=sys.stderr)
        print(
            "确认不再需要后,请由管理员运行 gridvisit encrypt --db 数据库文件 --wipe-leftovers "
            "把它们覆盖后删除,或手动删除。",
            file=sys.stderr,
        )
    return 0
