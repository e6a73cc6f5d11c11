"""What the action groups may use of the main window, declared below both so that
neither imports the other (docs/architecture.md, "Layers and what each may import")."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QLabel, QMainWindow, QTabWidget

if TYPE_CHECKING:
    from gridvisit.core.services import Services
    from gridvisit.core.services.workspace import Reference
    from gridvisit.ui.changes import ChangeHub
    from gridvisit.ui.pages.buildings import BuildingsPage
    from gridvisit.ui.pages.due import DuePage
    from gridvisit.ui.pages.households import HouseholdsPage
    from gridvisit.ui.pages.problems import ProblemsPage
    from gridvisit.ui.pages.stats import StatsPage
    from gridvisit.ui.tasks import TaskRunner
    from gridvisit.ui.tree import HierarchyTree


class WindowHost(QMainWindow):
    """The main window as its action groups see it; `MainWindow` fills it in."""

    services: Services
    reference: Reference
    hub: ChangeHub
    tasks: TaskRunner
    tree: HierarchyTree
    households: HouseholdsPage
    problems: ProblemsPage
    due: DuePage
    buildings: BuildingsPage
    stats: StatsPage
    pages: QTabWidget
    status_text: QLabel

    def request_restore(self, backup: Any, key: bytes | None) -> None:
        raise NotImplementedError

    def open_household(self, household_id: int) -> None:
        raise NotImplementedError

    def open_problem(self, problem_id: int) -> None:
        raise NotImplementedError
