"""gridvisit/cli/parser.py: the shared options and argument types."""

from __future__ import annotations

import argparse

import pytest

from gridvisit.cli import build_parser
from gridvisit.cli.parser import Parser, iso_date, positive_int


def test_user_and_no_encryption_go_before_or_after_the_command() -> None:
    parser = build_parser()
    before = parser.parse_args(["--user", "a", "--no-encryption", "check", "--db", "x"])
    assert (before.user, before.no_encryption) == ("a", True)
    after = parser.parse_args(["check", "--db", "x", "--user", "b", "--no-encryption"])
    assert (after.user, after.no_encryption) == ("b", True)
    neither = parser.parse_args(["check", "--db", "x"])
    assert (neither.user, neither.no_encryption) == (None, False)


@pytest.mark.parametrize(
    "argv",
    [["check"], ["audit", "list"], ["keys", "list"], ["backup", "keep", "--daily", "2"]],
)
def test_db_is_required_by_every_command(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        build_parser().parse_args(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "缺少必需的参数:--db" in err and "请运行 gridvisit" in err


def test_the_window_takes_db_optionally() -> None:
    assert build_parser().parse_args([]).gui_db is None
    assert build_parser().parse_args(["--db", "a.db"]).gui_db == "a.db"


def test_argument_types_say_what_is_wrong_in_chinese() -> None:
    assert positive_int("3") == 3
    with pytest.raises(argparse.ArgumentTypeError, match="不是整数"):
        positive_int("abc")
    with pytest.raises(argparse.ArgumentTypeError, match="必须是正整数,现在是 0"):
        positive_int("0")
    assert str(iso_date("2026-11-22")) == "2026-11-22"
    with pytest.raises(argparse.ArgumentTypeError, match="应写成 2026-11-22"):
        iso_date("22.11.2026")


def test_a_lazy_description_is_worked_out_only_for_the_help() -> None:
    asked = []

    def describe() -> str:
        asked.append(True)
        return "很长的说明"

    parser = Parser(prog="x", describe=describe)
    parser.parse_args([])
    assert asked == []
    assert "很长的说明" in parser.format_help()
    assert "很长的说明" in parser.format_help() and asked == [True]
