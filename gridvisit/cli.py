"""Command line: starts the GUI, or runs a headless command.

Every message a user reads is Chinese. Known errors (GridVisitError) print their
message and exit 1; usage errors exit 2; anything else is a bug: it is logged with
its trace and reported in one line.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from gridvisit import __version__
from gridvisit.core.enums import Role
from gridvisit.core.errors import GridVisitError, ValidationError

log = logging.getLogger("gridvisit")

# argparse's own words, in Chinese. argparse looks `_` up at call time, so replacing
# the module's gettext function is enough.
_ARGPARSE_ZH = {
    "usage: ": "用法:",
    "positional arguments": "参数",
    "options": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "show program's version number and exit": "显示版本号并退出",
    "the following arguments are required: %s": "缺少必需的参数:%s",
    "unrecognized arguments: %s": "无法识别的参数:%s",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s 有误:%(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项 %(value)r(可选:%(choices)s)",
    "invalid %(type)s value: %(value)r": "无效的值 %(value)r",
    "expected one argument": "需要一个参数值",
    "%(prog)s: error: %(message)s\n": "%(prog)s:错误:%(message)s\n",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 有歧义,可能是 %(matches)s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
}


def _install_argparse_zh() -> None:
    argparse._ = lambda text: _ARGPARSE_ZH.get(text, text)  # type: ignore[attr-defined]


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}:参数错误:{message}\n请运行 {self.prog} --help 查看用法。\n")


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}”不是整数") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"必须是正整数,现在是 {value}")
    return value


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}”不是日期,应写成 2026-11-22") from None


SECURITY_HELP = (
    "数据库默认加密(SQLCipher),打开时要用户名和密码:密码取自环境变量 GRIDVISIT_PASSWORD,"
    "交互使用时会提示输入;用户名取自 --user 或 GRIDVISIT_USER。"
    "--no-encryption 明确地打开或创建未加密的文件(测试、演示、性能测试用)。"
)


def _common(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--no-encryption",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="打开或创建未加密的数据库文件(仅限测试、演示)",
    )
    parser.add_argument("--user", default=default, metavar="用户名", help="以哪个用户登录")


def build_parser() -> argparse.ArgumentParser:
    _install_argparse_zh()
    parser = _Parser(
        prog="gridvisit",
        description="网格员入户走访与问题清单管理(离线桌面版)。不带子命令时启动图形界面。"
        + SECURITY_HELP,
    )
    _common(parser, suppress=False)
    parser.add_argument(
        "--version", action="version", version=f"gridvisit {__version__}", help="显示版本号并退出"
    )
    parser.add_argument("--db", dest="gui_db", metavar="路径", help="打开指定的数据库文件")
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="自检:在临时文件夹里建库、生成演示数据、离屏打开主窗口、生成 PDF、导出并合并数据包",
    )
    parser.add_argument(
        "--demo", action="store_true", help="打开演示数据库(不存在时自动生成 2000 户)"
    )
    parser.add_argument(
        "--screenshot",
        metavar="文件.png",
        type=Path,
        help="打开主窗口,数据加载完后保存窗口截图并退出",
    )
    parser.add_argument(
        "--page",
        choices=("households", "problems", "due"),
        default="households",
        help="截图时显示的页面(默认 households)",
    )
    common = argparse.ArgumentParser(add_help=False)
    _common(common, suppress=True)

    class _Sub(_Parser):
        def __init__(self, *a: object, **kw: object) -> None:
            kw.setdefault("parents", [common])
            super().__init__(*a, **kw)  # type: ignore[arg-type]

    sub = parser.add_subparsers(dest="command", metavar="子命令", parser_class=_Sub)

    demo = sub.add_parser(
        "demo", help="生成演示数据库", description="生成一个街道规模的演示数据库。"
    )
    demo.add_argument("--db", required=True, metavar="路径", help="要创建的数据库文件")
    demo.add_argument(
        "--households", type=_positive_int, default=2000, metavar="N", help="住户数(默认 2000)"
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
        type=_iso_date,
        default=None,
        metavar="日期",
        help="走访记录截止日期 YYYY-MM-DD(默认今天)",
    )
    demo.add_argument(
        "--weeks",
        type=_positive_int,
        default=52,
        metavar="W",
        help="生成多少周的走访记录(默认 52 周)",
    )
    demo.add_argument("--force", action="store_true", help="覆盖已存在的文件")

    check = sub.add_parser(
        "check",
        help="检查数据库是否完好",
        description="检查数据库完整性、外键和架构版本。完好时返回 0,否则返回 1。",
    )
    check.add_argument("--db", required=True, metavar="路径", help="要检查的数据库文件")

    report = sub.add_parser("report", help="生成报表", description="生成报表 PDF。")
    kinds = report.add_subparsers(dest="report", metavar="报表", required=True, parser_class=_Sub)
    weekly = kinds.add_parser(
        "weekly",
        help="每周问题清单",
        description="生成某一周的问题清单 PDF(横向 A4),供每周联席会议使用。"
        "居民姓名和电话默认打码,不含身份证号。",
    )
    weekly.add_argument("--db", required=True, metavar="路径", help="数据库文件")
    weekly.add_argument("--week", required=True, metavar="YYYY-Www", help="ISO 周次,例如 2026-W47")
    weekly.add_argument("--community", metavar="社区", help="只列出这个社区(名称)")
    weekly.add_argument("--grid", metavar="网格", help="只列出这个网格(名称)")
    weekly.add_argument(
        "--full-names",
        action="store_true",
        help="显示居民完整姓名(仅限内部使用,每页会注明含个人信息)",
    )
    weekly.add_argument(
        "-o", "--output", required=True, type=Path, metavar="文件.pdf", help="输出的 PDF 文件"
    )
    export = sub.add_parser(
        "export",
        help="导出数据包(交街道)",
        description="把本机数据导出为数据包(zip),交街道合并。默认只含上次导出后的改动。",
    )
    export.add_argument("--db", required=True, metavar="路径", help="数据库文件")
    export.add_argument(
        "-o",
        "--output",
        required=True,
        type=Path,
        metavar="文件",
        help="输出文件(.zip);与 --per-grid 同用时为文件夹",
    )
    export.add_argument("--full", action="store_true", help="导出全部数据,而不只是上次导出后的改动")
    export.add_argument(
        "--per-grid", action="store_true", help="每个网格一个数据包,写入 -o 指定的文件夹"
    )

    merge = sub.add_parser(
        "merge",
        help="合并数据包",
        description="把数据包合并进数据库(不存在时自动创建)。每个数据包要么全部合并,要么完全不合并。",
    )
    merge.add_argument(
        "--db",
        required=True,
        metavar="路径或URL",
        help="目标数据库文件,或 postgresql+psycopg://… 地址",
    )
    merge.add_argument(
        "--recheck",
        action="store_true",
        help="已合并过的同一文件也逐条重新核对(默认直接跳过,结果相同)",
    )
    merge.add_argument(
        "packages", nargs="+", type=Path, metavar="数据包", help="一个或多个数据包文件"
    )

    ret = sub.add_parser(
        "export-return",
        help="导出回传包(街道→网格)",
        description="在街道数据库上,为一个网格导出回传包:组织架构、该网格的问题及其流转记录和状态。",
    )
    ret.add_argument("--db", required=True, metavar="路径或URL", help="街道数据库")
    ret.add_argument("--grid", required=True, metavar="网格", help="网格名称")
    ret.add_argument("--community", metavar="社区", help="网格重名时指明社区")
    ret.add_argument(
        "-o", "--output", required=True, type=Path, metavar="文件.zip", help="输出文件"
    )
    ledger = sub.add_parser(
        "ledger", help="Excel 台账", description="导出 Excel 台账,或导入住户花名册。"
    )
    ledger_kinds = ledger.add_subparsers(
        dest="ledger", metavar="操作", required=True, parser_class=_Sub
    )
    lx = ledger_kinds.add_parser(
        "export",
        help="导出台账",
        description="导出住户、走访或问题台账(.xlsx)。姓名、电话、身份证号默认打码。",
    )
    lx.add_argument("--db", required=True, metavar="路径", help="数据库文件")
    lx.add_argument(
        "--kind", required=True, choices=("households", "visits", "problems"), help="台账类型"
    )
    lx.add_argument(
        "-o", "--output", required=True, type=Path, metavar="文件.xlsx", help="输出文件"
    )
    lx.add_argument("--unmasked", action="store_true", help="不打码(仅限内部使用)")
    li = ledger_kinds.add_parser(
        "import",
        help="导入住户花名册",
        description="导入社区现有的住户花名册(.xlsx,每行一位居民)。有任何一行不合格时默认不导入。"
        "\n\n需要的列(第一行为表头):\n" + _roster_columns(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    li.add_argument("--db", required=True, metavar="路径", help="数据库文件")
    li.add_argument("file", type=Path, metavar="文件.xlsx", help="花名册文件")
    li.add_argument("--skip-invalid", action="store_true", help="跳过不合格的行,导入其余的行")

    init = sub.add_parser(
        "init",
        help="新建数据库和第一位管理员",
        description="新建一个(默认加密的)数据库,并设第一位街道管理员;"
        "对以前版本留下的、还没有密码的数据库,则为其管理员设置密码。",
    )
    init.add_argument("--db", required=True, metavar="路径", help="数据库文件")
    init.add_argument("--name", default="管理员", metavar="姓名", help="管理员姓名")

    enc = sub.add_parser(
        "encrypt",
        help="把未加密的数据库转为加密",
        description="把未加密的数据库就地转为加密数据库,备份文件夹里的备份一并加密。"
        "以 --user 登录的用户获得密钥;其他用户需由管理员重设密码后才能再登录。",
    )
    enc.add_argument("--db", required=True, metavar="路径", help="数据库文件")
    enc.add_argument(
        "--wipe-leftovers",
        action="store_true",
        help="(已加密的数据库,管理员)备份文件夹里无法加密的明文文件(损坏的备份、残留文件)覆盖后删除",
    )

    users = sub.add_parser("user", help="用户管理", description="添加用户、修改密码、列出用户。")
    user_ops = users.add_subparsers(
        dest="user_op", metavar="操作", required=True, parser_class=_Sub
    )
    ua = user_ops.add_parser(
        "add",
        help="添加用户",
        description="添加用户;新用户的密码取自 GRIDVISIT_NEW_PASSWORD 或提示输入。",
    )
    ua.add_argument("--db", required=True, metavar="路径", help="数据库文件")
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
    up = user_ops.add_parser(
        "passwd",
        help="修改密码",
        description="修改自己的密码,或由管理员重设他人的密码(新密码取自 GRIDVISIT_NEW_PASSWORD 或提示输入)。",
    )
    up.add_argument("--db", required=True, metavar="路径", help="数据库文件")
    up.add_argument("username", nargs="?", metavar="用户名", help="要重设密码的用户(默认自己)")
    ul = user_ops.add_parser("list", help="列出用户")
    ul.add_argument("--db", required=True, metavar="路径", help="数据库文件")

    audit = sub.add_parser("audit", help="操作日志", description="查看或校验操作日志(审计记录)。")
    audit_ops = audit.add_subparsers(
        dest="audit_op", metavar="操作", required=True, parser_class=_Sub
    )
    av = audit_ops.add_parser(
        "verify",
        help="校验操作日志是否被改动",
        description="逐条校验操作日志的哈希链。完好返回 0;发现被改动或删除的记录时说明是哪几条,返回 1。",
    )
    av.add_argument("--db", required=True, metavar="路径", help="数据库文件")
    av.add_argument(
        "--device", metavar="电脑", help="校验街道保存的某台网格电脑的操作日志(名称或编号)"
    )
    aa = audit_ops.add_parser(
        "accept-tail",
        help="确认操作日志末尾被删改(之后才能继续保存)",
        description="操作日志最后的记录被删除或改动后,程序暂停保存任何改动。管理员用 "
        "audit verify 核实后,用这个命令确认:确认本身记入操作日志,这次删改会一直可查,"
        "之后即可继续保存。",
    )
    aa.add_argument("--db", required=True, metavar="路径", help="数据库文件")
    al = audit_ops.add_parser("list", help="列出最近的操作日志")
    al.add_argument("--db", required=True, metavar="路径", help="数据库文件")
    al.add_argument("--limit", type=_positive_int, default=50, metavar="N", help="条数(默认 50)")
    al.add_argument(
        "--device",
        metavar="电脑",
        help="列出某台网格电脑的操作日志(街道保存的、随数据包交来的记录;名称或编号)",
    )

    keys = sub.add_parser(
        "keys",
        help="数据包密钥",
        description="数据包用街道公钥加密、用设备私钥签名。街道:keys create 生成密钥并把公钥文件发给各网格;"
        "keys register-device 登记网格电脑的公钥。网格电脑:keys create 导出本机公钥交给街道;"
        "keys trust-subdistrict 导入街道公钥。",
    )
    key_ops = keys.add_subparsers(dest="keys_op", metavar="操作", required=True, parser_class=_Sub)
    kc = key_ops.add_parser("create", help="生成本机密钥并导出公钥文件")
    kc.add_argument("--db", required=True, metavar="路径", help="数据库文件")
    kc.add_argument(
        "--name", required=True, metavar="名称", help="本机名称,如“和平社区第一网格”或“同安街道”"
    )
    kc.add_argument("-o", "--output", required=True, type=Path, metavar="文件.pub", help="公钥文件")
    kc.add_argument(
        "--new-key",
        action="store_true",
        help="换一对新密钥(本机被吊销后重新登记时用;需管理员)",
    )
    kt = key_ops.add_parser("trust-subdistrict", help="导入街道公钥(网格电脑;需管理员)")
    kt.add_argument("--db", required=True, metavar="路径", help="数据库文件")
    kt.add_argument("key_file", type=Path, metavar="街道公钥.pub")

    def area_options(p: argparse.ArgumentParser) -> None:
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

    kr = key_ops.add_parser(
        "register-device",
        help="登记网格电脑的公钥及其负责范围(街道;需管理员)",
        description="登记一台网格电脑:它的公钥和它负责的网格(或社区)。街道只接收它负责范围内的记录。"
        "不会替换已登记的另一台电脑。",
    )
    kr.add_argument("--db", required=True, metavar="路径或URL", help="街道数据库")
    kr.add_argument("key_file", type=Path, metavar="电脑公钥.pub")
    area_options(kr)
    ka = key_ops.add_parser("set-area", help="修改已登记电脑的负责范围(街道;需管理员)")
    ka.add_argument("--db", required=True, metavar="路径或URL", help="街道数据库")
    ka.add_argument("--device", required=True, metavar="电脑", help="电脑名称或编号")
    area_options(ka)
    kv = key_ops.add_parser(
        "revoke-device",
        help="吊销一台网格电脑(街道;需管理员)",
        description="从此拒收这台电脑签发的数据包(电脑丢失、被盗或停用时)。它换了新密钥后可重新登记。",
    )
    kv.add_argument("--db", required=True, metavar="路径或URL", help="街道数据库")
    kv.add_argument("--device", required=True, metavar="电脑", help="电脑名称或编号")
    kn = key_ops.add_parser(
        "new-identity",
        help="为复制来的数据库生成本机自己的身份(需管理员)",
        description="数据库是从另一台电脑复制来的:换一个新的设备编号和密钥,下次导出包含全部数据;"
        "之后请导出新公钥交街道登记。",
    )
    kn.add_argument("--db", required=True, metavar="路径", help="数据库文件")
    kn.add_argument("--force", action="store_true", help="街道数据库(登记了电脑的)也换身份")
    kf = key_ops.add_parser(
        "confirm-device",
        help="确认这就是原来那台电脑(文件换了位置或从备份恢复;需管理员)",
    )
    kf.add_argument("--db", required=True, metavar="路径", help="数据库文件")
    kl = key_ops.add_parser("list", help="显示本机指纹、街道公钥和已登记的电脑")
    kl.add_argument("--db", required=True, metavar="路径或URL", help="数据库文件")
    ret.add_argument("--device", metavar="电脑", help="回传给哪台已登记的电脑(名称或编号)")

    backup = sub.add_parser(
        "backup",
        help="备份与恢复",
        description="数据库每天第一次打开时、升级前和合并数据包前都会自动备份到"
        "“数据库文件名.backups”文件夹,保留最近几天每天一份、最近几周每周一份。"
        "这里可以手动备份、查看备份,或从备份恢复。",
    )
    backup_ops = backup.add_subparsers(
        dest="backup_op", metavar="操作", required=True, parser_class=_Sub
    )
    bc = backup_ops.add_parser("create", help="立即备份(手动备份不会被自动删除)")
    bc.add_argument("--db", required=True, metavar="路径", help="数据库文件")
    bl = backup_ops.add_parser("list", help="列出备份")
    bl.add_argument("--db", required=True, metavar="路径", help="数据库文件")
    br = backup_ops.add_parser(
        "restore",
        help="从备份恢复",
        description="用一份备份替换数据库。需要做那份备份时的用户名和密码,且须是社区或街道管理员"
        "(数据库损坏时,任何用户都可以用 --latest 恢复最新的完好备份);"
        "被替换的文件会移到备份文件夹里保留。程序窗口开着这个数据库时不能恢复。",
    )
    br.add_argument("--db", required=True, metavar="路径", help="数据库文件")
    which = br.add_mutually_exclusive_group(required=True)
    which.add_argument("backup", nargs="?", metavar="备份文件", help="backup list 列出的文件名")
    which.add_argument("--latest", action="store_true", help="用最新的一份完好的备份")
    bk = backup_ops.add_parser("keep", help="设置保留几份自动备份(社区或街道管理员)")
    bk.add_argument("--db", required=True, metavar="路径", help="数据库文件")
    bk.add_argument("--daily", type=_positive_int, metavar="N", help="保留最近 N 天每天一份")
    bk.add_argument("--weekly", type=_positive_int, metavar="M", help="保留最近 M 周每周一份")
    return parser


# --- logging in ---------------------------------------------------------------------------


def _secret(env: str, prompt: str) -> str:
    import getpass
    import os

    value = os.environ.get(env)
    if value:
        return value
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    raise GridVisitError(
        "需要密码,但没有提供。", hint=f"请设置环境变量 {env},或在终端里交互运行以输入密码。"
    )


def _username(args: argparse.Namespace, target: str) -> str:
    import os

    from gridvisit.storage.engine import is_encrypted_database
    from gridvisit.storage.keystore import KeyStore, keys_path

    explicit = getattr(args, "user", None) or os.environ.get("GRIDVISIT_USER")
    if explicit:
        return str(explicit)
    path = Path(target)
    if "://" not in target and is_encrypted_database(path):
        slots = list(KeyStore.load(keys_path(path)).slots)
        if len(slots) == 1:
            return slots[0]
    return "admin"


def _throttle():  # type: ignore[no-untyped-def]
    from gridvisit.core.auth import default_throttle

    return default_throttle()


def _login(args: argparse.Namespace, target: str | Path, *, create: bool = False):  # type: ignore[no-untyped-def]
    """Log in to `target` (creating it, with its first admin, if `create` and missing)."""
    from gridvisit.core.auth import create_database, ensure_first_admin, login
    from gridvisit.storage.location import warning_for

    text = str(target)
    user = _username(args, text)
    encrypted = not getattr(args, "no_encryption", False)
    if "://" not in text and (where := warning_for(Path(text))):
        print(f"注意:{where}", file=sys.stderr)
    if create and "://" not in text and not Path(text).exists():
        password = _secret("GRIDVISIT_PASSWORD", f"为新数据库的管理员 {user} 设置密码:")
        made = create_database(Path(text), user, user, password, encrypted=encrypted)
        print(
            f"已新建{'加密' if encrypted else '未加密'}数据库 {text},管理员 {user}。",
            file=sys.stderr,
        )
        return made
    password = _secret("GRIDVISIT_PASSWORD", f"用户 {user} 的密码:")
    if create and "://" in text:
        ensure_first_admin(text, user, user, password, create=True)
    session = login(text, user, password, encrypted=encrypted, throttle=_throttle())
    for warning in session.warnings:
        print(f"注意:{warning}", file=sys.stderr)
    return session


def _services(login):  # type: ignore[no-untyped-def]
    from gridvisit.core.services import ServiceContext, Services

    return Services(ServiceContext(login.db, login.actor))


def _cmd_demo(args: argparse.Namespace) -> int:
    import os

    from gridvisit.demo.generate import DEMO_PASSWORD, generate_demo

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


def _cmd_check(args: argparse.Namespace) -> int:
    from gridvisit.storage.check import COUNTED_TABLES, check_database
    from gridvisit.storage.engine import is_encrypted_database

    key = None
    if is_encrypted_database(Path(args.db)):
        # Only the key: logging in would write (an audit entry, the daily backup),
        # and would stop at quick_check before the report could say what is wrong.
        from gridvisit.core.auth import unlock_key

        user = _username(args, args.db)
        password = _secret("GRIDVISIT_PASSWORD", f"用户 {user} 的密码:")
        key = unlock_key(Path(args.db).resolve(), user, password, _throttle())
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


def _cmd_report(args: argparse.Namespace) -> int:
    from gridvisit.core.access import Action
    from gridvisit.core.clock import IsoWeek
    from gridvisit.reports.weekly import write_weekly_pdf

    try:
        week = IsoWeek.parse(args.week)  # before touching anything
    except ValidationError as exc:
        raise GridVisitError(exc.errors["week"], hint="周次的写法:--week 2026-W47") from None
    started = time.perf_counter()
    session = _login(args, args.db)
    try:
        services = _services(session)
        if args.full_names:
            services.ctx.require(Action.EXPORT_UNMASKED)
        scope, name = services.weekly.scope_for(args.community, args.grid)
        report = services.weekly.build(week, scope, name)
        if args.full_names:
            services.audit_log.record("report.full_names", week=str(week), scope=name)
    finally:
        session.db.dispose()
    write_weekly_pdf(report, args.output, full_names=args.full_names)
    s = report.summary
    print(f"已生成:{args.output}")
    print(
        f"  {name} {week}:新增 {s.new} 件,结转未办结 {s.carried_over} 件,"
        f"办结 {s.resolved} 件,超期 {s.overdue} 件"
    )
    if args.full_names:
        print("  注意:本文件含居民完整姓名,仅限内部使用。")
    print(f"  用时 {time.perf_counter() - started:.1f} 秒")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from gridvisit.exchange.records import ENTITY_LABELS

    started = time.perf_counter()
    session = _login(args, args.db)
    try:
        exchange = _services(session).exchange
        if args.per_grid:
            results = exchange.export_per_grid(
                args.output, full=args.full, progress=lambda msg: print(msg, file=sys.stderr)
            )
        else:
            results = [exchange.export_package(args.output, full=args.full)]
    finally:
        session.db.dispose()
    since = results[0].since if results else None
    print(
        f"已导出 {len(results)} 个数据包(已加密并签名)"
        + (f",自 {since:%Y-%m-%d %H:%M} 起的改动" if since else ",全部数据")
    )
    for r in results:
        counts = ",".join(f"{ENTITY_LABELS[t]} {n}" for t, n in r.counts.items()) or "无改动"
        print(f"  {r.path}:{counts}")
    print(f"  用时 {time.perf_counter() - started:.1f} 秒")
    return 0


def _cmd_merge(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    session = _login(args, args.db, create=True)
    failed = broken = 0
    totals: dict[str, int] = {}
    try:
        services = _services(session)
        exchange = services.exchange
        for i, path in enumerate(args.packages):
            # One backup before the batch: the state the user would go back to.
            backup = i == 0
            try:
                # Grid packages at the sub-district, its return packages on a laptop.
                package, stats = exchange.merge(path, recheck=args.recheck, backup=backup)
            except GridVisitError as exc:
                failed += 1
                print(f"{path.name}:未合并。{exc.message}", file=sys.stderr)
                if exc.hint:
                    print(f"  {exc.hint}", file=sys.stderr)
                continue
            except Exception:  # a bug: logged, and the rest of the batch still merges
                log.exception("unexpected error merging %s", path)
                failed += 1
                broken += 1
                print(f"{path.name}:未合并。程序内部错误,详情已记入日志。", file=sys.stderr)
                continue
            print(f"{path.name}({package.manifest.grid_names}):{stats.summary()}")
            for key, value in stats.as_dict().items():
                totals[key] = totals.get(key, 0) + value
    finally:
        session.db.dispose()
    merged = len(args.packages) - failed
    print(
        f"合计 {merged} 个数据包:新增 {totals.get('inserted', 0)},更新 {totals.get('updated', 0)},"
        f"未变 {totals.get('unchanged', 0)},冲突 {totals.get('conflicts', 0)},"
        f"疑似重复 {totals.get('duplicates', 0)}"
    )
    if totals.get("conflicts") or totals.get("duplicates"):
        print("冲突和疑似重复已记录,请在程序的“合并待处理”页面逐条处理。")
    print(f"用时 {time.perf_counter() - started:.1f} 秒")
    if failed:
        print(f"有 {failed} 个数据包未合并,见上方说明。", file=sys.stderr)
        return 3 if broken else 1
    return 0


def _cmd_export_return(args: argparse.Namespace) -> int:
    from gridvisit.exchange.records import ENTITY_LABELS

    session = _login(args, args.db)
    try:
        services = _services(session)
        scope, name = services.weekly.scope_for(args.community, args.grid)
        assert scope.grid_id is not None  # --grid is required
        result, device = services.exchange.export_return(args.output, scope.grid_id, args.device)
    finally:
        session.db.dispose()
    counts = ",".join(f"{ENTITY_LABELS[t]} {n}" for t, n in result.counts.items())
    print(f"已为 {name} 导出回传包:{result.path}(发给 {device.name or device.device_id[:8]})")
    print(f"  {counts}")
    return 0


def _roster_columns() -> str:
    from gridvisit.exchange.ledger import expected_columns_text

    return expected_columns_text()


def _cmd_ledger(args: argparse.Namespace) -> int:
    from gridvisit.exchange.ledger import KINDS

    session = _login(args, args.db)
    try:
        exchange = _services(session).exchange
        if args.ledger == "export":
            result = exchange.export_ledger(args.kind, args.output, masked=not args.unmasked)
            print(f"已导出{KINDS[args.kind]}:{result.path}({result.rows} 行)")
            if args.unmasked:
                print("注意:本文件含完整的姓名、电话和身份证号,仅限内部使用。")
            return 0
        outcome = exchange.import_roster(args.file, skip_invalid=args.skip_invalid)
    finally:
        session.db.dispose()
    for error in outcome.errors:
        print(f"  {error}", file=sys.stderr)
    if not outcome.imported:
        print(
            f"有 {len({e.row for e in outcome.errors})} 行不合格,未导入任何数据。"
            "请修改后重新导入,或加 --skip-invalid 只导入合格的行。",
            file=sys.stderr,
        )
        return 1
    print(
        f"已导入:新建住户 {outcome.households} 户,居民 {outcome.residents} 人;"
        f"已存在而跳过 {outcome.skipped_existing} 人;不合格而跳过 {len({e.row for e in outcome.errors})} 行。"
    )
    return 0


def _cmd_init(args: argparse.Namespace) -> int:
    from gridvisit.core.auth import create_database, ensure_first_admin
    from gridvisit.storage.engine import is_plain_sqlite

    user = getattr(args, "user", None) or "admin"
    path = Path(args.db)
    password = _secret("GRIDVISIT_PASSWORD", f"为管理员 {user} 设置密码:")
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

    path = Path(args.db).expanduser().resolve()
    if args.wipe_leftovers and is_encrypted_database(path):
        # Encrypted already (maybe by an older version): the login encrypts the old
        # backups it can; an admin may then wipe what is left.
        with InstanceLock(path):
            session = _login(args, path)
            try:
                services = _services(session)
                services.ctx.require(Action.MANAGE_BACKUPS)
                left = plain_leftovers(path)
                for leftover in left:
                    wipe(leftover)
                if left:
                    services.ctx.record("backup.wipe_leftovers", files=len(left))
            finally:
                session.db.dispose()
        print(f"数据库早已加密;备份文件夹里无法加密的 {len(left)} 个文件已覆盖后删除。")
        return 0
    user = _username(args, args.db)
    password = _secret("GRIDVISIT_PASSWORD", f"用户 {user} 的密码:")
    with InstanceLock(path):  # never swap the file under an open window
        done = encrypt_database(path, user, password, throttle=_throttle())
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


def _cmd_user(args: argparse.Namespace) -> int:
    session = _login(args, args.db)
    try:
        services = _services(session)
        if args.user_op == "list":
            for u in services.users.list():
                print(f"{u.username}\t{u.display_name}\t{u.role.label}")
            return 0
        if args.user_op == "add":
            grid_ids = [_grid_id(services, text) for text in args.grid]
            community_ids = [_community_id(services, text) for text in args.community]
            password = _secret("GRIDVISIT_NEW_PASSWORD", f"新用户 {args.username} 的密码:")
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
        new = _secret("GRIDVISIT_NEW_PASSWORD", "新密码:")
        me = session.actor.username
        if not args.username or args.username == me:
            services.users.change_own_password(_secret("GRIDVISIT_PASSWORD", "原密码:"), new)
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
    finally:
        session.db.dispose()


def _community_id(services, name: str) -> int:  # type: ignore[no-untyped-def]
    scope, _ = services.weekly.scope_for(name, None)
    return int(scope.community_id)


def _grid_id(services, text: str) -> int:  # type: ignore[no-untyped-def]
    community, _, grid = text.rpartition("/")
    scope, _ = services.weekly.scope_for(community or None, grid)
    return int(scope.grid_id)


def _cmd_audit(args: argparse.Namespace) -> int:
    from gridvisit.core.services.audit import AuditFilter

    session = _login(args, args.db)
    try:
        services = _services(session)
        audit = services.audit_log
        device = ""
        if getattr(args, "device", None):
            from gridvisit.core.access import Action
            from gridvisit.exchange.keys import find_any_device

            services.ctx.require(Action.VIEW_AUDIT)
            found = find_any_device(session.db, args.device)
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
    finally:
        session.db.dispose()
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
    session = _login(args, args.db)
    try:
        keys = _services(session).keys
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
            print(f"已确认:这个数据库仍是电脑 {session.db.device_id[:8]},身份不变。")
        else:
            info = keys.overview()
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
        return 0
    finally:
        session.db.dispose()


def _print_device(d) -> None:  # type: ignore[no-untyped-def]
    print(f"  {d.name or '未命名'}\t{d.device_id[:8]}\t{d.fingerprint}\t{d.state_label}")
    print(f"    负责范围:{d.area_label};已收到操作日志 {d.audit_entries} 条")
    if d.flagged_at is not None:
        print(f"    注意:{d.flag_reason}", file=sys.stderr)


def _cmd_backup(args: argparse.Namespace) -> int:
    from gridvisit.storage import backups

    path = Path(args.db).expanduser().resolve()
    if args.backup_op == "list":
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
    if args.backup_op == "restore":
        return _restore(args, path)
    session = _login(args, path)
    try:
        service = _services(session).backups  # the same rules and audit as the window
        if args.backup_op == "create":
            made = service.create()
            assert made is not None  # a local file
            print(f"已备份:{made.path}({made.size / 1024 / 1024:.1f} MB)")
            return 0
        keep = service.policy()
        if args.daily or args.weekly:
            keep = service.set_policy(args.daily or keep.daily, args.weekly or keep.weekly)
        print(f"自动备份保留最近 {keep.daily} 天每天一份、最近 {keep.weekly} 周每周一份。")
        return 0
    finally:
        session.db.dispose()


def _restore(args: argparse.Namespace, path: Path) -> int:
    from gridvisit.core import recovery
    from gridvisit.instance import InstanceLock

    user = _username(args, str(path))
    password = _secret("GRIDVISIT_PASSWORD", f"用户 {user} 的密码(做备份时的密码):")
    with InstanceLock(path):
        had_file = path.exists()
        if args.latest:
            restored = recovery.restore_newest_sound(
                path, user, password, lambda _b: True, throttle=_throttle()
            )
            assert restored is not None  # confirm always says yes
        else:
            restored = recovery.find_backup(path, args.backup)
            recovery.restore(path, restored, user, password, throttle=_throttle())
        print(f"已从备份恢复:{restored.path.name}({restored.taken_at:%Y-%m-%d %H:%M})")
        if had_file:
            print("恢复前的原文件已移到备份文件夹,类型为“恢复前的原文件”。")
        session = _login(args, path)
        try:
            _services(session).ctx.record("backup.restore", file=restored.path.name)
        finally:
            session.db.dispose()
    return 0


def _cmd_gui(args: argparse.Namespace) -> int:
    import os

    from gridvisit import paths
    from gridvisit.display import window_problem

    problem = window_problem(os.environ)
    if problem:
        raise GridVisitError(problem)

    encrypted = not args.no_encryption
    hint = ""
    if args.demo and not args.gui_db:
        target = paths.demo_database_path()
        if not target.exists():
            from gridvisit.demo.generate import generate_demo

            print("正在生成演示数据库(2000 户)……", file=sys.stderr)
            generate_demo(target, households=2000, encrypted=encrypted)
        from gridvisit.demo.generate import DEMO_PASSWORD

        hint = f"演示数据库:用户名 admin,密码 {DEMO_PASSWORD}"
        encrypted = encrypted and not _is_plain(target)
        db_path = target
    else:
        try:
            db_path = Path(args.gui_db) if args.gui_db else paths.default_database_path()
        except GridVisitError as exc:  # the default folder is on a network or USB drive
            from gridvisit.app import show_startup_error

            show_startup_error(exc)
            raise
    from gridvisit.app import run_gui

    return run_gui(
        db_path,
        create=not args.gui_db,
        screenshot=args.screenshot,
        page=args.page,
        encrypted=encrypted,
        hint=hint,
    )


def _is_plain(path: Path) -> bool:
    from gridvisit.storage.engine import is_plain_sqlite

    return is_plain_sqlite(path)


def _setup_logging() -> Path | None:
    try:
        from gridvisit.paths import log_dir

        logfile = log_dir() / "gridvisit.log"
        handler: logging.Handler = logging.FileHandler(logfile, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return logfile


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logfile = _setup_logging()
    handlers = {
        "demo": _cmd_demo,
        "check": _cmd_check,
        "report": _cmd_report,
        "export": _cmd_export,
        "merge": _cmd_merge,
        "export-return": _cmd_export_return,
        "ledger": _cmd_ledger,
        "init": _cmd_init,
        "encrypt": _cmd_encrypt,
        "user": _cmd_user,
        "audit": _cmd_audit,
        "keys": _cmd_keys,
        "backup": _cmd_backup,
        None: _cmd_gui,
    }
    if args.self_test and args.command is None:
        from gridvisit.selftest import run_self_test

        return run_self_test()
    try:
        return handlers[args.command](args)
    except GridVisitError as exc:
        print(f"错误:{exc.message}", file=sys.stderr)
        if exc.hint:
            print(exc.hint, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("已取消。", file=sys.stderr)
        return 130
    except Exception:
        log.exception("unexpected error in command %s", args.command)
        where = f",详情已记录在 {logfile}" if logfile else ""
        print(f"程序内部错误{where}。请把该文件发给技术支持。", file=sys.stderr)
        return 3
