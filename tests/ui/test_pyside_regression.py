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
