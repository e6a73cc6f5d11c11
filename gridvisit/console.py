"""Runs the command line where there may be no console.

On Windows the bundle's `gridvisit.exe` is built without a console (grid workers
double-click it; a black window beside the app would only confuse them), so there
`sys.stdout`, `sys.stderr` and `sys.stdin` are None and whatever the command line
prints would vanish. `run` then collects what is printed and shows it in a message
box at the end, for a run that opened no window (`gridvisit.exe check ...`, a usage
error, `--version`, `--self-test`), and for an internal error (exit 3, with the log
file's name). A window session has told the user its own problems in its own dialogs
(the database in use, a damaged file): nothing more is shown for it. The exit code is
the command's either way. With a console (`gridvisit-cli.exe`, Linux, a source
checkout) `run` only makes sure Chinese can be written (`ensure_unicode_output`).

Platform seams for tests on Linux: the streams are passed in, and the dialog is
`show_message(..., platform=...)`, which on Windows calls user32's MessageBoxW.
"""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Callable, Sequence
from typing import Any, TextIO

MB_ICONERROR = 0x10
MB_ICONINFORMATION = 0x40
MB_SETFOREGROUND = 0x10000
TITLE = "网格走访"
INTERNAL_ERROR = 3
# A message box is not a terminal: past this it is cut, the rest is in the log.
MAX_CHARS = 6000


def has_console(*streams: TextIO | None) -> bool:
    return all(s is not None for s in streams)


def show_message(
    text: str, *, error: bool, platform: str = sys.platform, user32: Any = None
) -> None:
    """A modal message box with `text`; MessageBoxW on Windows (no Qt needed, so it
    works even when Qt could not start), a Qt box elsewhere."""
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS] + "\n……(其余内容已省略,详见日志文件)"
    if platform == "win32":
        if user32 is None:
            import ctypes

            user32 = ctypes.windll.user32  # type: ignore[attr-defined]
        style = MB_ICONERROR if error else MB_ICONINFORMATION
        user32.MessageBoxW(None, text, TITLE, style | MB_SETFOREGROUND)
        return
    from PySide6.QtWidgets import QApplication, QMessageBox

    _app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else TITLE])
    icon = QMessageBox.Icon.Critical if error else QMessageBox.Icon.Information
    box = QMessageBox(icon, TITLE, text)
    box.exec()


def _qt_app() -> object | None:
    widgets = sys.modules.get("PySide6.QtWidgets")
    return widgets.QApplication.instance() if widgets is not None else None


def _window_was_shown(argv: Sequence[str], before: object | None) -> bool:
    """Did this run open the app's window (then it told the user everything itself)?
    A run that opens it creates the QApplication: one that was there before (a test
    process) says nothing about this run."""
    if "--self-test" in argv:
        return False  # offscreen: its report is what the user asked for
    return before is None and _qt_app() is not None


def ensure_unicode_output(*streams: TextIO | None) -> None:
    """Output redirected to a file or a pipe on Windows is written in the ANSI code page:
    cp936 on a Chinese Windows (fine), cp1252 on an English one (a hosted CI runner),
    where the first Chinese message would end the program with UnicodeEncodeError. Such
    a stream is switched to UTF-8; one that can write Chinese is left as it is."""
    for stream in streams:
        encoding = getattr(stream, "encoding", None)
        if stream is None or not encoding or not hasattr(stream, "reconfigure"):
            continue
        try:
            "网格走访".encode(encoding)
        except (UnicodeEncodeError, LookupError):
            stream.reconfigure(encoding="utf-8")


def run(
    main: Callable[[Sequence[str] | None], int],
    argv: Sequence[str] | None = None,
    *,
    streams: tuple[TextIO | None, TextIO | None] | None = None,
    show: Callable[..., None] = show_message,
) -> int:
    """`main(argv)`, its output sent to a message box when there is no console."""
    out, err = streams if streams is not None else (sys.stdout, sys.stderr)
    if has_console(out, err):
        ensure_unicode_output(out, err)
        return main(argv)
    args = list(sys.argv[1:] if argv is None else argv)
    buffer = io.StringIO()
    saved = sys.stdout, sys.stderr, sys.stdin
    # Without a console there is no one to type a password: reading stdin finds nothing.
    sys.stdout = sys.stderr = buffer
    sys.stdin = sys.stdin or io.StringIO()
    before = _qt_app()
    try:
        code = _exit_code(main, argv)
    finally:
        sys.stdout, sys.stderr, sys.stdin = saved
    text = buffer.getvalue().strip()
    if text and (code == INTERNAL_ERROR or not _window_was_shown(args, before)):
        with contextlib.suppress(Exception):  # nowhere left to say it: the code still counts
            show(text, error=code != 0)
    return code


def _exit_code(main: Callable[[Sequence[str] | None], int], argv: Sequence[str] | None) -> int:
    try:
        return int(main(argv) or 0)
    except SystemExit as exc:  # argparse: --help and --version exit 0, bad options 2
        if exc.code is None or isinstance(exc.code, int):
            return exc.code or 0
        print(exc.code)
        return 1
