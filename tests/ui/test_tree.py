"""The hierarchy tree: its count columns fit the sub-district's totals."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import Qt

from gridvisit.core.services import Services
from gridvisit.ui.main_window import MainWindow


def test_count_columns_fit_a_30000_household_sub_district(
    qtbot, window: MainWindow, services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    real = services.workspace.tree

    def big_tree():  # type: ignore[no-untyped-def]
        root = real()
        root.counts = replace(root.counts, households=30000, overdue_visits=3449)
        return root

    monkeypatch.setattr(services.workspace, "tree", big_tree)
    tree = window.tree
    with qtbot.waitSignal(tree.loaded, timeout=10_000):
        tree.reload()
    root = tree.index_of("root")
    for col, text in ((1, "30000"), (2, "3449")):
        cell = root.siblingAtColumn(col)
        assert cell.data(Qt.ItemDataRole.DisplayRole) == text
        needed = tree.fontMetrics().horizontalAdvance(text)
        assert tree.header().sectionSize(col) >= needed + 8, (col, tree.header().sectionSize(col))
