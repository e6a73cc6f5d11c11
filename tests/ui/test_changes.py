"""One change notice after each write: the window asks the services for what a
write changed once, not once per page or panel that shows it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from gridvisit.core.services import Services
from gridvisit.ui.dialogs.visit_dialog import VisitDialog
from gridvisit.ui.main_window import MainWindow
from tests.ui.conftest import on_next_modal

# The workspace and visit queries the window runs to refresh what it shows.
QUERIES = (
    ("workspace", "household_detail"),
    ("workspace", "household_row"),
    ("workspace", "household_rows"),
    ("workspace", "group_counts"),
    ("workspace", "tree"),
    ("workspace", "problem_lines"),
    ("workspace", "problem_line"),
    ("visits", "due"),
    ("buildings", "chart"),
)


class Spy:
    """Counts the window's calls to the real services' queries (their results are the
    real ones); a query the service runs inside another is not the window's."""

    def __init__(self, services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: Counter[str] = Counter()
        self.on = False
        self.depth = 0
        for group, name in QUERIES:
            service = getattr(services, group)
            monkeypatch.setattr(service, name, self._wrap(name, getattr(service, name)))

    def _wrap(self, name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def counted(*args: Any, **kwargs: Any) -> Any:
            if self.on and self.depth == 0:
                self.calls[name] += 1
            self.depth += 1
            try:
                return real(*args, **kwargs)
            finally:
                self.depth -= 1

        return counted


def _select_first_group(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.tree.select_key(
        next(k for k in window.tree.node_keys() if k.startswith("building_group:"))
    )
    qtbot.waitUntil(window.is_loaded, timeout=10_000)


def test_saving_a_visit_asks_for_each_changed_thing_once(
    qtbot,
    window: MainWindow,
    services: Services,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    _select_first_group(qtbot, window)
    page = window.households
    row = page.model.row_at(0)
    page.table.selectRow(0)
    qtbot.waitUntil(lambda: page.current_id() == row.id)
    spy = Spy(services, monkeypatch)

    def save(dialog: VisitDialog) -> None:
        dialog.notes.setPlainText("门口交谈")
        problem = dialog.add_problem()
        problem.category.setCurrentIndex(problem.category.findData("leak"))
        problem.description.setText("卫生间渗水")
        QTest.qWait(50)
        QTest.keyClick(dialog.notes, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    state = on_next_modal(save)
    spy.on = True  # from here on: the visit dialog, the write and what the window does after it
    window.log_visit(row.id)
    qtbot.waitUntil(window.is_loaded, timeout=10_000)
    assert not state["left_open"]
    # The row, the detail panel and the group's counts: each asked for once (the
    # dialog takes address and residents from the detail already shown); nothing
    # reloaded (the problems and due pages are hidden and load when shown).
    assert spy.calls == Counter(household_row=1, household_detail=1, group_counts=1)
    assert page.model.rows()[page.model.position_of(row.id)].open_problems == (
        row.open_problems + 1
    )
    assert page.problems.rowCount() >= 1

    # The problems page was marked stale by the notice: shown, it loads once.
    spy.calls.clear()
    window.pages.setCurrentIndex(1)
    qtbot.waitUntil(window.is_loaded, timeout=10_000)
    assert spy.calls == Counter(problem_lines=1)
    # So was the building view: shown, its group's chart is read once.
    spy.calls.clear()
    window.pages.setCurrentIndex(3)
    qtbot.waitUntil(window.is_loaded, timeout=10_000)
    assert spy.calls == Counter(chart=1)


def test_stale_pages_follow_what_changed() -> None:
    from gridvisit.ui.changes import Changes, ids

    # The building view's colours and marks follow every household, visit or problem;
    # the statistics count visits, households and problems.
    b, st = "buildings", "stats"
    assert Changes(households=ids(1), groups=ids(2)).stale_pages() == {b}  # rows in place
    assert Changes(households=ids(1), visits=True).stale_pages() == {"due", st, b}
    assert Changes(visits=True, problem_list=True).stale_pages() == {"due", "problems", st, b}
    assert Changes(removed_households=ids(1)).stale_pages() == {"due", "problems", st, b}
    assert Changes(added_households=ids(1)).stale_pages() == {"due", "problems", st, b}
    assert Changes(problems=ids(3)).stale_pages() == {st, b}
    assert Changes(groups=ids(2)).stale_pages() == set()
    assert ids(None, 4) == frozenset({4})
    assert Changes.everything() == Changes(reference=True, hierarchy=True)
