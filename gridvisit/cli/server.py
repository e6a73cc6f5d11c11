"""`gridvisit server init|upgrade|grants`: a sub-district's PostgreSQL server (README
"街道服务器"): its schema, its first administrator, the app role's privileges."""

from __future__ import annotations

import argparse
import sys

from gridvisit.cli import session
from gridvisit.cli.parser import add_db, subcommands
from gridvisit.core.errors import GridVisitError

OWNER_URL = "数据库所有者的 URL,如 postgresql+psycopg://gridvisit_owner@localhost/gridvisit"


def register(sub: argparse._SubParsersAction) -> None:
    server = sub.add_parser(
        "server",
        help="街道服务器(PostgreSQL)",
        description="街道服务器上的 PostgreSQL 数据库:初始化,设置程序登录角色的权限。"
        "以数据库所有者的身份连接(URL 里的用户);程序平时用另一个不能改删操作日志的角色连接。",
    )
    ops = subcommands(server, "server_op", "操作")
    si = ops.add_parser(
        "init",
        help="新建表和第一位街道管理员(空数据库)",
        description="在新建的空数据库里建表,设第一位街道管理员(密码取自 GRIDVISIT_PASSWORD、"
        "--password-stdin 或提示输入),并列出程序登录角色要用的 GRANT/REVOKE 语句"
        "(加 --grant 则直接执行)。数据库里已有表时拒绝,什么也不写。",
    )
    add_db(si, OWNER_URL, metavar="URL")
    si.add_argument("--admin", required=True, metavar="用户名", help="第一位街道管理员的用户名")
    si.add_argument("--name", default="", metavar="姓名", help="管理员姓名(默认同用户名)")
    _role_options(si)
    si.set_defaults(handler=_cmd_init)
    su = ops.add_parser(
        "upgrade",
        help="把服务器数据库升级到本程序的架构版本(数据库所有者)",
        description="升级 gridvisit 后,以数据库所有者身份运行一次:升级表结构,"
        "并列出(加 --grant 则执行)程序登录角色的权限语句(新表也要授权)。",
    )
    add_db(su, OWNER_URL, metavar="URL")
    _role_options(su, stdin=False)
    su.set_defaults(handler=_cmd_upgrade)
    sg = ops.add_parser(
        "grants",
        help="列出(或执行)程序登录角色的权限语句",
        description="程序登录角色能读写记录,但不能修改、删除或清空操作日志,也不能改表结构。"
        "升级 gridvisit(新表)后以所有者身份再运行一次 --grant。",
    )
    add_db(sg, OWNER_URL, metavar="URL")
    _role_options(sg, stdin=False)
    sg.set_defaults(handler=_cmd_grants)


def _role_options(p: argparse.ArgumentParser, *, stdin: bool = True) -> None:
    from_default = "gridvisit_app"
    p.add_argument(
        "--app-role",
        default=from_default,
        metavar="角色",
        help=f"程序平时用来连接的登录角色(默认 {from_default})",
    )
    p.add_argument(
        "--grant", action="store_true", help="直接执行权限语句(角色须已用 createuser 建好)"
    )
    if stdin:
        p.add_argument(
            "--password-stdin", action="store_true", help="从标准输入读取管理员密码(一行)"
        )


def _server_url(args: argparse.Namespace) -> str:
    from gridvisit.storage.server import check_role_name, is_server_url

    if not is_server_url(args.db):
        raise GridVisitError(
            f"“{args.db}”不是数据库服务器的 URL。",
            hint="数据库文件请用 gridvisit init --db 文件 新建;服务器的 URL 形如 "
            "postgresql+psycopg://用户@服务器/数据库。",
        )
    check_role_name(args.app_role)
    return str(args.db)


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            raise GridVisitError(
                "标准输入里没有密码。", hint="例如:echo 密码 | gridvisit server init ..."
            )
        return line
    return session.secret("GRIDVISIT_PASSWORD", f"为街道管理员 {args.admin} 设置密码:")


def _cmd_init(args: argparse.Namespace) -> int:
    from gridvisit.core.auth import init_server
    from gridvisit.storage.engine import server_label

    url = _server_url(args)
    password = _password(args)
    if args.grant:  # before anything is made: no schema left without its grants
        from gridvisit.storage.server import require_role

        require_role(url, args.app_role)
    actor = init_server(url, args.admin, args.name or args.admin, password)
    print(f"已初始化服务器数据库 {server_label(url)}:表已建好,街道管理员 {actor.username}。")
    _grants(url, args.app_role, run=args.grant)
    return 0


def _cmd_upgrade(args: argparse.Namespace) -> int:
    from gridvisit.storage.engine import (
        HEAD_REVISION,
        migration_pending,
        open_database,
        server_engine,
        server_label,
    )

    url = _server_url(args)
    engine = server_engine(url)
    try:
        pending = migration_pending(engine)
    finally:
        engine.dispose()
    open_database(url).dispose()  # migrates, one run at a time (an advisory lock)
    state = "已升级到" if pending else "已是"
    print(f"服务器数据库 {server_label(url)} {state}架构版本 {HEAD_REVISION}。")
    _grants(url, args.app_role, run=args.grant)
    return 0


def _cmd_grants(args: argparse.Namespace) -> int:
    _grants(_server_url(args), args.app_role, run=args.grant)
    return 0


def _grants(url: str, role: str, *, run: bool) -> None:
    from gridvisit.storage.server import app_role_statements, grant_app_role

    if run:
        grant_app_role(url, role)
        print(f"已为程序登录角色 {role} 设置权限:能读写记录,不能修改、删除或清空操作日志。")
        return
    print(
        f"请以数据库所有者身份执行下面的语句(或加 --grant 重新运行 gridvisit server grants),"
        f"让程序用登录角色 {role} 连接:"
    )
    for statement in app_role_statements(url, role):
        print(f"  {statement};")
