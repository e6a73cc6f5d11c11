"""gridvisit.exe has no console on Windows: what the command line prints reaches the
user in a message box, with the command's exit code (gridvisit.console). Run here on
Linux through the seams: no streams, and a recording dialog."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from gridvisit import __version__, cli
from gridvisit.console import (
    MB_ICONERROR,
    MB_ICONINFORMATION,
    ensure_unicode_output,
    run,
    show_message,
)

ROOT = Path(__file__).resolve().parents[2]
NO_CONSOLE = (None, None)


class Dialogs:
    def __init__(self) -> None:
        self.shown: list[tuple[str, bool]] = []

    def __call__(self, text: str, *, error: bool) -> None:
        self.shown.append((text, error))


def test_with_a_console_nothing_changes(capsys: pytest.CaptureFixture[str]) -> None:
    dialogs = Dialogs()
    with pytest.raises(SystemExit) as done:
        run(cli.main, ["--version"], streams=(sys.stdout, sys.stderr), show=dialogs)
    assert done.value.code == 0
    assert __version__ in capsys.readouterr().out
    assert dialogs.shown == []


def test_a_known_problem_is_a_chinese_error_dialog_and_exit_1(tmp_path: Path) -> None:
    dialogs = Dialogs()
    code = run(
        cli.main,
        ["check", "--db", str(tmp_path / "没有 这个.db")],
        streams=NO_CONSOLE,
        show=dialogs,
    )
    assert code == 1
    [(text, error)] = dialogs.shown
    assert error and text.startswith("错误:") and "没有 这个.db" in text
    assert sys.stdout is not None and sys.stderr is not None  # put back


def test_bad_options_exit_2_with_the_usage_in_the_dialog() -> None:
    dialogs = Dialogs()
    assert run(cli.main, ["--no-such-option"], streams=NO_CONSOLE, show=dialogs) == 2
    [(text, error)] = dialogs.shown
    assert error and "参数错误" in text and "--help" in text


def test_version_and_help_are_an_information_dialog_and_exit_0() -> None:
    dialogs = Dialogs()
    assert run(cli.main, ["--version"], streams=NO_CONSOLE, show=dialogs) == 0
    assert run(cli.main, ["--help"], streams=NO_CONSOLE, show=dialogs) == 0
    (version, e1), (usage, e2) = dialogs.shown
    assert __version__ in version and "用法" in usage
    assert not e1 and not e2


def test_an_internal_error_exits_3_and_names_the_log() -> None:
    def broken(_argv: Any) -> int:
        print("程序内部错误,详情已记录在 C:\\Users\\张三\\gridvisit.log。", file=sys.stderr)
        return 3

    dialogs = Dialogs()
    assert run(broken, [], streams=NO_CONSOLE, show=dialogs) == 3
    assert dialogs.shown == [("程序内部错误,详情已记录在 C:\\Users\\张三\\gridvisit.log。", True)]


def test_no_console_means_no_password_prompt() -> None:
    seen: list[bool] = []

    def asks(_argv: Any) -> int:
        seen.append(sys.stdin.isatty())  # None would be an AttributeError: exit 3
        return 0

    saved = sys.stdin
    sys.stdin = None  # type: ignore[assignment]
    try:
        assert run(asks, [], streams=NO_CONSOLE, show=Dialogs()) == 0
    finally:
        sys.stdin = saved
    assert seen == [False]


WINDOW_SESSION = """
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from gridvisit.console import run

def window(_argv):
    from PySide6.QtWidgets import QApplication
    app = QApplication([])  # what the window session creates
    print(sys.argv[2], file=sys.stderr)
    return int(sys.argv[1])

shown = lambda text, error: os.write(1, f"dialog:{text}:{error}".encode())
sys.exit(run(window, sys.argv[3:], streams=(None, None), show=shown))
"""


@pytest.mark.parametrize(
    ("code", "printed", "argv", "dialog"),
    [
        (0, "注意:数据库在 U 盘上。", [], ""),  # the window said it already
        (1, "数据库已经在另一个 gridvisit 里打开了", [], ""),  # ... in its own dialog
        (3, "程序内部错误", [], "dialog:程序内部错误:True"),
        (0, "自检通过", ["--self-test"], "dialog:自检通过:False"),  # offscreen: the report
    ],
)
def test_a_window_session_adds_no_dialog_of_its_own_but_for_a_crash(
    code: int, printed: str, argv: list[str], dialog: str
) -> None:
    import subprocess

    result = subprocess.run(
        [sys.executable, "-c", WINDOW_SESSION, str(code), printed, *argv],
        capture_output=True,
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == code, result.stderr.decode()
    assert result.stdout.decode() == dialog


def test_on_windows_the_dialog_is_messageboxw() -> None:
    calls: list[tuple[Any, ...]] = []

    class User32:
        def MessageBoxW(self, *args: Any) -> int:  # the Win32 name
            calls.append(args)
            return 1

    show_message("错误:找不到文件。", error=True, platform="win32", user32=User32())
    show_message("x" * 10_000, error=False, platform="win32", user32=User32())
    (h1, text1, title1, flags1), (_h, text2, _t, flags2) = calls
    assert h1 is None and text1 == "错误:找不到文件。" and title1 == "网格走访"
    assert flags1 & MB_ICONERROR and flags2 & MB_ICONINFORMATION
    assert len(text2) < 7000 and "日志" in text2


def test_the_bundle_starts_through_the_launcher() -> None:
    spec = (ROOT / "build.spec").read_text(encoding="utf-8")
    assert '[str(ROOT / "gridvisit" / "launcher.py")]' in spec
    from gridvisit import launcher

    assert "gridvisit.console" in Path(launcher.__file__).read_text(encoding="utf-8")


def test_output_redirected_in_a_code_page_without_chinese_becomes_utf8() -> None:
    import io

    western = io.TextIOWrapper(io.BytesIO(), encoding="cp1252", newline="\n")  # an English Windows
    chinese = io.TextIOWrapper(io.BytesIO(), encoding="cp936", newline="\n")  # a Chinese Windows
    ensure_unicode_output(western, chinese, None)
    for stream in (western, chinese):
        print("自检通过", file=stream)
        stream.flush()
    assert western.buffer.getvalue() == "自检通过\n".encode()  # type: ignore[attr-defined]
    assert chinese.encoding == "cp936"
    assert chinese.buffer.getvalue() == "自检通过\n".encode("cp936")  # type: ignore[attr-defined]
