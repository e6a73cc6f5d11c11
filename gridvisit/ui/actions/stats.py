"""The 统计 page's drill-downs: the households or problems behind a figure, listed
off the GUI thread in a dialog whose "Open" shows one on its page; and a ranking
row's name selects that node in the tree."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QMessageBox

from gridvisit.core.records import Scope
from gridvisit.core.services.workspace import ProblemFilter
from gridvisit.ui.actions import ActionGroup
from gridvisit.ui.pages.stats import DrillRequest


class StatsActions(ActionGroup):
    drill_shown = Signal(object)  # the DrillDialog, once open (tests, screenshots)

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        window.stats.drill_requested.connect(self.drill)
        window.stats.node_requested.connect(self.go_to_node)

    def drill(self, request: DrillRequest) -> None:
        stats, ws = self.services.stats, self.services.workspace

        def work() -> tuple[str, list]:
            ids = [item.id for item in stats.drill(request.period, request.scope, request.figure)]
            if request.figure.of_households:
                return "household", ws.household_rows(Scope(), only_ids=ids)
            return "problem", ws.problem_lines(Scope(), ProblemFilter(statuses=(), ids=tuple(ids)))

        self.status(self.tr("Listing what the figure counts…"))
        self.window.tasks.run(
            "stats_drill", work, lambda result: self._show(request, *result), self._failed
        )

    def _show(self, request: DrillRequest, kind: str, rows: list) -> None:
        from gridvisit.ui.dialogs.drill import DrillDialog

        self.status("")
        if kind == "household":
            dialog = DrillDialog(request.title, households=rows, parent=self.window)
        else:
            dialog = DrillDialog(request.title, problems=rows, parent=self.window)
        self.drill_shown.emit(dialog)
        if dialog.exec() and dialog.chosen is not None:
            if kind == "household":
                self.window.open_household(dialog.chosen)
            else:
                self.window.open_problem(dialog.chosen)

    def _failed(self, message: str) -> None:
        self.status(message)
        QMessageBox.warning(self.window, self.tr("Could not load data"), message)

    def go_to_node(self, key: str) -> None:
        tree = self.window.tree
        if tree.node(key) is not None:
            tree.select_key(key)
        else:
            self.status(self.tr("That part of the hierarchy is not in your tree."))
