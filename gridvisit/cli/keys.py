"""`gridvisit keys ...`: this computer's key pair, the sub-district's public key, and
the laptops registered at the sub-district."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gridvisit.cli import session
from gridvisit.cli.parser import add_db, subcommands
from gridvisit.core.errors import GridVisitError


def register(sub: argparse._SubParsersAction) -> None:
    keys = sub.add_parser(
        "keys",
        help="数据包密钥",
        description="数据包用街道公钥加密、用设备私钥签名。街道:keys create 生成密钥并把公钥文件发给各网格;"
        "keys register-device 登记网格电脑的公钥。网格电脑:keys create 导出本机公钥交给街道;"
        "keys trust-subdistrict 导入街道公钥。",
    )
    ops = subcommands(keys, "keys_op", "操作")
    kc = ops.add_parser("create", help="生成本机密钥并导出公钥文件")
    add_db(kc)
    kc.add_argument(
        "--name", required=True, metavar="名称", help="本机名称,如“和平社区第一网格”或“同安街道”"
    )
    kc.add_argument("-o", "--output", required=True, type=Path, metavar="文件.pub", help="公钥文件")
    kc.add_argument(
        "--new-key",
        action="store_true",
        help="换一对新密钥(本机被吊销后重新登记时用;需管理员)",
    )
    kt = ops.add_parser("trust-subdistrict", help="导入街道公钥(网格电脑;需管理员)")
    add_db(kt)
    kt.add_argument("key_file", type=Path, metavar="街道公钥.pub")
    kr = ops.add_parser(
        "register-device",
        help="登记网格电脑的公钥及其负责范围(街道;需管理员)",
        description="登记一台网格电脑:它的公钥和它负责的网格(或社区)。街道只接收它负责范围内的记录。"
        "不会替换已登记的另一台电脑。",
    )
    add_db(kr, "街道数据库", metavar="路径或URL")
    kr.add_argument("key_file", type=Path, metavar="电脑公钥.pub")
    _area_options(kr)
    ka = ops.add_parser("set-area", help="修改已登记电脑的负责范围(街道;需管理员)")
    add_db(ka, "街道数据库", metavar="路径或URL")
    ka.add_argument("--device", required=True, metavar="电脑", help="电脑名称或编号")
    _area_options(ka)
    kv = ops.add_parser(
        "revoke-device",
        help="吊销一台网格电脑(街道;需管理员)",
        description="从此拒收这台电脑签发的数据包(电脑丢失、被盗或停用时)。它换了新密钥后可重新登记。",
    )
    add_db(kv, "街道数据库", metavar="路径或URL")
    kv.add_argument("--device", required=True, metavar="电脑", help="电脑名称或编号")
    kn = ops.add_parser(
        "new-identity",
        help="为复制来的数据库生成本机自己的身份(需管理员)",
        description="数据库是从另一台电脑复制来的:换一个新的设备编号和密钥,下次导出包含全部数据;"
        "之后请导出新公钥交街道登记。",
    )
    add_db(kn)
    kn.add_argument("--force", action="store_true", help="街道数据库(登记了电脑的)也换身份")
    kf = ops.add_parser(
        "confirm-device",
        help="确认这就是原来那台电脑(文件换了位置或从备份恢复;需管理员)",
    )
    add_db(kf)
    kl = ops.add_parser("list", help="显示本机指纹、街道公钥和已登记的电脑")
    add_db(kl, metavar="路径或URL")
    keys.set_defaults(handler=_cmd_keys)


def _area_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--grid",
        action="append",
        default=[],
        metavar="社区/网格",
        help="这台电脑负责的网格(可多次)",
    )
    p.add_argument(
        "--community",
        action="append",
        default=[],
        metavar="社区",
        help="社区电脑:负责整个社区(可多次)",
    )
    p.add_argument("--create", action="store_true", help="本库还没有的社区或网格,就新建")


def _area_args(args: argparse.Namespace) -> tuple[list[tuple[str, str]], list[str]]:
    grids = []
    for text in args.grid:
        community, sep, grid = text.rpartition("/")
        if not sep or not community.strip() or not grid.strip():
            raise GridVisitError(
                f"“{text}”不是“社区/网格”的写法。", hint="例如 --grid 和平社区/第一网格。"
            )
        grids.append((community.strip(), grid.strip()))
    return grids, [c.strip() for c in args.community]


_OUTCOMES = {
    "new": "已登记",
    "reregistered": "已重新登记(换了新密钥)",
    "area": "已修改负责范围:",
    "unchanged": "早已登记,未改动:",
}


def _cmd_keys(args: argparse.Namespace) -> int:
    with session.logged_in(args) as s:
        keys = s.services.keys
        if args.keys_op == "create":
            public = keys.create(args.output, args.name, new_key=args.new_key)
            print(f"已{'换了新密钥并' if args.new_key else ''}导出公钥文件:{args.output}")
            print(f"  名称 {public.name},指纹 {public.fingerprint}")
            print("  请把公钥文件交给对方,并通过电话等另一渠道核对指纹。")
        elif args.keys_op == "trust-subdistrict":
            public = keys.trust_subdistrict(args.key_file)
            print(f"已导入街道公钥:{public.name},指纹 {public.fingerprint}")
            print("  请与街道核对这个指纹;之后导出的数据包只有街道能打开。")
        elif args.keys_op == "register-device":
            grids, communities = _area_args(args)
            public, outcome = keys.register_device(
                args.key_file, grids, communities, create_missing=args.create
            )
            print(
                f"{_OUTCOMES[outcome]}电脑 {public.name}({public.device_id[:8]}),"
                f"指纹 {public.fingerprint}"
            )
            _print_device(
                next(d for d in keys.overview().devices if d.device_id == public.device_id)
            )
        elif args.keys_op == "set-area":
            grids, communities = _area_args(args)
            info = keys.set_area(args.device, grids, communities, create_missing=args.create)
            print(f"已修改电脑 {info.label} 的负责范围:{info.area_label}")
        elif args.keys_op == "revoke-device":
            info = keys.revoke_device(args.device)
            print(f"已吊销电脑 {info.label}:从现在起拒收它签发的数据包。")
            print("  它换了新密钥(keys create --new-key)后,可以重新登记。")
        elif args.keys_op == "new-identity":
            old, new = keys.new_identity(force=args.force)
            print(f"本机已有自己的身份:设备编号 {new[:8]}(原为 {old[:8]}),新的密钥已生成。")
            print("  请用 keys create 导出新的公钥交街道登记;下次导出会包含全部数据。")
        elif args.keys_op == "confirm-device":
            keys.confirm_device()
            print(f"已确认:这个数据库仍是电脑 {s.db.device_id[:8]},身份不变。")
        else:
            _print_overview(keys.overview())
    return 0


def _print_overview(info) -> None:
    print(f"本机设备编号:{info.own.device_id[:8]},指纹:{info.own.fingerprint}")
    if info.copy_problem:
        print(f"  注意:{info.copy_problem}", file=sys.stderr)
    sub = info.subdistrict
    print(f"街道公钥:{f'{sub.name} {sub.fingerprint}' if sub else '未导入'}")
    active = [d for d in info.devices if d.revoked_at is None]
    print(
        f"已登记的电脑:{len(active)} 台"
        + (
            f"(另有已吊销 {len(info.devices) - len(active)} 台)"
            if len(active) < len(info.devices)
            else ""
        )
    )
    for d in info.devices:
        _print_device(d)


def _print_device(d) -> None:
    print(f"  {d.name or '未命名'}\t{d.device_id[:8]}\t{d.fingerprint}\t{d.state_label}")
    print(f"    负责范围:{d.area_label};已收到操作日志 {d.audit_entries} 条")
    if d.flagged_at is not None:
        print(f"    注意:{d.flag_reason}", file=sys.stderr)
