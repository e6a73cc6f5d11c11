"""PySide6 6.12.0 drops a reference to None on every call of a void method and
aborts the interpreter after a few thousand calls (docs/architecture.md, "Layers and what each may import", ui)."""

from __future__ import annotations

import sys

import PySide6
from PySide6.QtWidgets import QLabel


def test_pyside_version_is_below_612() -> None:
    major, minor = (int(x) for x in PySide6.__version__.split(".")[:2])
    assert (major, minor) < (6, 12), (
        "6.12.0 is known to leak None references; see docs/architecture.md"
    )


def test_void_calls_do_not_leak_none_references(qtbot) -> None:  # type: ignore[no-untyped-def]
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for i in range(10_000):
        label.setText("x" if i % 2 else "y")  # returns None
    after = sys.getrefcount(None)
    # Other code may create a few references meanwhile; a leak loses ~10,000.
    assert after >= before - 100, (before, after)


def test_a_dialog_freed_by_the_cycle_collector_leaves_the_screen_alone(qtbot) -> None:  # type: ignore[no-untyped-def]
    """A dialog that asked for its screen (every dialog does, to fit a 1366x768 laptop)
    and then sat in a reference cycle took the QScreen with it when the collector
    freed it: the random crash of the window, in QTimerInfoList::activateTimers."""
    import gc

    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QDialog
    from shiboken6 import Shiboken

    from gridvisit.ui.dialogs.common import fit_to_screen

    screen = QGuiApplication.primaryScreen()
    for shown in (False, True):
        dialog = QDialog()
        dialog.cycle = dialog  # type: ignore[attr-defined]  # only the collector frees it
        fit_to_screen(dialog, 400, 300)
        if shown:
            dialog.show()
            qtbot.waitExposed(dialog)
            dialog.close()
        del dialog
        gc.collect()
        assert Shiboken.isValid(screen)
        assert QGuiApplication.primaryScreen() is screen


def test_no_widget_is_asked_for_its_screen() -> None:
    """The hazard above, anywhere in the app: ask QGuiApplication, not a widget."""
    import re
    from pathlib import Path

    import gridvisit

    root = Path(gridvisit.__file__).parent
    offenders = [
        f"{path.relative_to(root)}:{n}"
        for path in root.rglob("*.py")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\.screen\(\)", line) and not line.lstrip().startswith("#")
    ]
    assert offenders == []
