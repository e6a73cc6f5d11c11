"""The pieces every command module builds its arguments from: the Chinese argparse,
the options every command shares (`--no-encryption`, `--user`, `--db`) and the
argument types. Importing this module loads nothing but the standard library and
`gridvisit.core.errors`: `gridvisit --help` must stay fast (docs/architecture.md#the-command-line).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date
from typing import Any

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


def install_argparse_zh() -> None:
    argparse._ = lambda text: _ARGPARSE_ZH.get(text, text)  # type: ignore[attr-defined]


class Parser(argparse.ArgumentParser):
    """Usage errors in Chinese, exit code 2. `describe` gives a description that is
    only worked out when the help is shown (one that needs a heavy import)."""

    def __init__(self, *args: Any, describe: Callable[[], str] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._describe = describe

    def format_help(self) -> str:
        if self._describe is not None:
            self.description, self._describe = self._describe(), None
        return super().format_help()

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}:参数错误:{message}\n请运行 {self.prog} --help 查看用法。\n")


def common_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    """`--no-encryption` and `--user`, accepted before and after the sub-command. After
    it (`suppress`), an option not given leaves the value from before it alone."""
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--no-encryption",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="打开或创建未加密的数据库文件(仅限测试、演示)",
    )
    parser.add_argument("--user", default=default, metavar="用户名", help="以哪个用户登录")


class SubParser(Parser):
    """Every sub-command's parser: it takes the common options too."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if "parents" not in kwargs:
            common = argparse.ArgumentParser(add_help=False)
            common_options(common, suppress=True)
            kwargs["parents"] = [common]
        super().__init__(*args, **kwargs)


def subcommands(
    parser: argparse.ArgumentParser, dest: str, metavar: str, *, required: bool = True
) -> argparse._SubParsersAction:
    """The sub-commands (or operations) of `parser`, stored in `args.<dest>`."""
    return parser.add_subparsers(
        dest=dest, metavar=metavar, required=required, parser_class=SubParser
    )


def add_db(
    parser: argparse.ArgumentParser,
    help: str = "数据库文件",
    *,
    metavar: str = "路径",
    required: bool = True,
    dest: str = "db",
) -> None:
    """The `--db` option: the database file (or, where `metavar` says so, a URL)."""
    parser.add_argument("--db", dest=dest, required=required, metavar=metavar, help=help)


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}”不是整数") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"必须是正整数,现在是 {value}")
    return value


def iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}”不是日期,应写成 2026-11-22") from None
