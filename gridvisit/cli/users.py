"""`gridvisit user add|passwd|list|deactivate|activate|import`: users, roles, areas,
passwords, and a bulk add from an xlsx list."""

from __future__ import annotations

import argparse
import sys

from gridvisit.cli import session
from gridvisit.cli.parser import add_db, subcommands
from gridvisit.core.enums import Role
from gridvisit.core.errors import GridVisitError


def register(sub: argparse._SubParsersAction) -> None:
    users = sub.add_parser(
        "user",
        help="用户管理",
        description="添加、停用、启用用户,修改密码,列出用户,从 Excel 名单批量添加。",
    )
    ops = subcommands(users, "user_op", "操作")
    ua = ops.add_parser(
        "add",
        help="添加用户",
        description="添加用户;新用户的密码取自 GRIDVISIT_NEW_PASSWORD 或提示输入。",
    )
    add_db(ua)
    ua.add_argument("username", metavar="新用户名")
    ua.add_argument("--name", required=True, metavar="姓名", help="姓名")
    ua.add_argument(
        "--role",
        required=True,
        choices=[r.value for r in Role],
        help="网格员 / 社区管理员 / 街道管理员",
    )
    ua.add_argument(
        "--grid", action="append", default=[], metavar="社区/网格", help="负责的网格(可多次)"
    )
    ua.add_argument(
        "--community", action="append", default=[], metavar="社区", help="管理的社区(可多次)"
    )
    ua.set_defaults(handler=_cmd_add)
    up = ops.add_parser(
        "passwd",
        help="修改密码",
        description="修改自己的密码,或由管理员重设他人的密码(新密码取自 GRIDVISIT_NEW_PASSWORD 或提示输入)。",
    )
    add_db(up)
    up.add_argument("username", nargs="?", metavar="用户名", help="要重设密码的用户(默认自己)")
    up.set_defaults(handler=_cmd_passwd)
    ul = ops.add_parser("list", help="列出用户")
    add_db(ul)
    ul.set_defaults(handler=_cmd_list)
    for name, help_text, handler in (
        ("deactivate", "停用用户(不能再登录,记录和负责的网格保留)", _cmd_deactivate),
        ("activate", "重新启用已停用的用户", _cmd_activate),
    ):
        op = ops.add_parser(name, help=help_text, description=help_text + "。")
        add_db(op)
        op.add_argument("username", metavar="用户名")
        op.set_defaults(handler=handler)
    ui = ops.add_parser(
        "import",
        help="从 Excel 名单批量添加用户",
        description="从 .xlsx 名单批量添加用户(列:用户名、姓名、角色、网格/社区、电话);"
        "有任何一行不合格时一个也不添加。初始密码自动生成,写入 -o 指定的密码单。",
    )
    add_db(ui)
    ui.add_argument("file", metavar="名单.xlsx")
    ui.add_argument("-o", "--output", required=True, metavar="密码单.xlsx",
                    help="新用户初始密码单(分发后请删除)")  # fmt: skip
    ui.set_defaults(handler=_cmd_import)


def _cmd_list(args: argparse.Namespace) -> int:
    with session.logged_in(args) as s:
        for u in s.services.users.list():
            print(f"{u.username}\t{u.display_name}\t{u.role.label}")
    return 0


def _cmd_add(args: argparse.Namespace) -> int:
    with session.logged_in(args) as s:
        services = s.services
        grid_ids = [grid_id(services, text) for text in args.grid]
        community_ids = [community_id(services, text) for text in args.community]
        password = session.secret("GRIDVISIT_NEW_PASSWORD", f"新用户 {args.username} 的密码:")
        rec = services.users.create(
            args.username,
            args.name,
            Role(args.role),
            password=password,
            grid_ids=grid_ids,
            community_ids=community_ids,
        )
        print(f"已添加用户 {rec.username}({rec.role.label})。")
    return 0


def _cmd_passwd(args: argparse.Namespace) -> int:
    with session.logged_in(args) as s:
        services = s.services
        new = session.secret("GRIDVISIT_NEW_PASSWORD", "新密码:")
        me = s.actor.username
        if not args.username or args.username == me:
            services.users.change_own_password(session.secret("GRIDVISIT_PASSWORD", "原密码:"), new)
            print("密码已修改。")
        else:
            target = next((u for u in services.users.list() if u.username == args.username), None)
            if target is None:
                raise GridVisitError(
                    f"找不到用户“{args.username}”。", hint="用 gridvisit user list 查看。"
                )
            services.users.reset_password(target.id, new)
            print(f"已重设 {args.username} 的密码。")
    return 0


def _user_id(services, username: str) -> int:
    found = next((r for r in services.users.rows() if r.username == username), None)
    if found is None:
        raise GridVisitError(f"找不到用户“{username}”。", hint="用 gridvisit user list 查看。")
    return int(found.id)


def _cmd_deactivate(args: argparse.Namespace) -> int:
    with session.logged_in(args) as s:
        s.services.users.deactivate(_user_id(s.services, args.username))
    print(f"已停用 {args.username}。")
    return 0


def _cmd_activate(args: argparse.Namespace) -> int:
    with session.logged_in(args) as s:
        needs_password = s.services.users.reactivate(_user_id(s.services, args.username))
    print(f"已重新启用 {args.username}。")
    if needs_password:
        print(f"请用 gridvisit user passwd {args.username} 为其重设密码后再登录。")
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    from pathlib import Path

    with session.logged_in(args) as s:
        result = s.services.users.import_list(Path(args.file))
        if result.imported:
            result.write_handout(Path(args.output))
    if not result.imported:
        for line in result.report_lines():
            print(line, file=sys.stderr)
        print(
            f"错误:有 {result.invalid_rows} 行不合格,没有添加任何用户。"
            if result.errors
            else "错误:名单里没有用户。",
            file=sys.stderr,
        )
        return 1
    print(f"已添加 {len(result.created)} 个用户,初始密码已写入 {args.output}(分发后请删除)。")
    return 0


def community_id(services, name: str) -> int:
    scope, _ = services.weekly.scope_for(name, None)
    return int(scope.community_id)


def grid_id(services, text: str) -> int:
    community, _, grid = text.rpartition("/")
    scope, _ = services.weekly.scope_for(community or None, grid)
    return int(scope.grid_id)
