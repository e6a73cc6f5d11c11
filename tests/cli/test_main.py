"""gridvisit/cli/main.py: the parser, `main`, `python -m gridvisit` and the console script."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from gridvisit import __version__
from gridvisit.cli import main


@pytest.mark.parametrize(
    "argv",
    [
        ["--bogus"],
        ["demo"],
        ["demo", "--db", "x.db", "--households", "abc"],
        ["demo", "--db", "x.db", "--households", "0"],
        ["frobnicate"],
    ],
)
def test_bad_options_exit_2_in_chinese(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "参数错误" in err and "Traceback" not in err


def test_version_and_help_via_python_m() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "gridvisit", "--version"], capture_output=True, text=True, check=True
    ).stdout
    assert __version__ in out
    helptext = subprocess.run(
        [sys.executable, "-m", "gridvisit", "--help"], capture_output=True, text=True, check=True
    ).stdout
    assert "用法" in helptext and "demo" in helptext and "check" in helptext


def test_console_script_is_installed() -> None:
    script = Path(sys.executable).with_name("gridvisit")
    result = subprocess.run(
        [str(script), "check", "--db", "/nonexistent/x.db"], capture_output=True, text=True
    )
    assert result.returncode == 1
    assert "找不到数据库文件" in result.stderr


# Modules `build_parser()` and `gridvisit --help` must not load: the handlers import
# what they need (issue 18; docs/architecture.md#the-command-line).
HEAVY = (
    "gridvisit.exchange.ledger",
    "reportlab",
    "alembic",
    "pypinyin",
    "psycopg",
    "openpyxl",
    "PySide6",
    "sqlalchemy",
)

_PROBE = """
import json, runpy, sys
from gridvisit.cli import build_parser
parser = build_parser()
for argv in {argvs!r}:
    parser.parse_args(argv)
if {help!r}:
    sys.argv = ["gridvisit", *{help!r}]
    try:
        runpy.run_module("gridvisit", run_name="__main__")
    except SystemExit as exc:
        assert exc.code == 0, exc.code
heavy = {heavy!r}
print(json.dumps(sorted(m for m in sys.modules if m in heavy or m.split(".")[0] in heavy)))
"""

PARSED = [
    [],
    ["check", "--db", "x.db"],
    ["report", "weekly", "--db", "x.db", "--week", "2026-W47", "-o", "w.pdf"],
    ["ledger", "import", "--db", "x.db", "f.xlsx"],
    ["merge", "--db", "x.db", "a.gvpkg"],
    ["keys", "list", "--db", "x.db"],
    ["stats", "--db", "x.db", "--month", "2026-11", "--json"],
    ["stats", "targets", "--db", "x.db", "--set", "coverage=95%"],
]


@pytest.mark.parametrize(
    "help_argv", [[], ["--help"], ["report", "weekly", "--help"], ["stats", "--help"]]
)
def test_parsing_and_help_load_no_heavy_module(help_argv: list[str]) -> None:
    import json

    code = _PROBE.format(argvs=PARSED, help=help_argv, heavy=HEAVY)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.splitlines()[-1]) == []


def test_the_probe_sees_a_heavy_import() -> None:
    """The check above would notice: a handler's own import shows up."""
    import json

    code = _PROBE.format(argvs=[], help=[], heavy=HEAVY).replace(
        "parser = build_parser()", "parser = build_parser(); import gridvisit.exchange.ledger"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "gridvisit.exchange.ledger" in json.loads(result.stdout.splitlines()[-1])


def test_every_command_has_a_handler() -> None:
    import argparse

    from gridvisit.cli import build_parser

    def leaves(chain: list[argparse.ArgumentParser], path: list[str]):  # type: ignore[no-untyped-def]
        subs = [a for a in chain[-1]._actions if isinstance(a, argparse._SubParsersAction)]
        if not subs or not path:
            yield path, chain
        for action in subs:
            for name, child in action.choices.items():
                yield from leaves([*chain, child], [*path, name])

    found = list(leaves([build_parser()], []))
    assert len(found) == 45  # the window and 44 commands (stats shows as stats targets)
    for path, chain in found:
        # The command's own parser, or its group's, names the handler.
        handler = next(
            p.get_default("handler") for p in reversed(chain) if p.get_default("handler")
        )
        assert callable(handler), path
        assert path == [] or handler is not chain[0].get_default("handler"), path
