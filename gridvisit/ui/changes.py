"""The change notice: after each write, one `Changes` says what the write changed,
and the window's `ChangeHub` carries it to whatever shows that data (the pages and
the tree), which refresh what is theirs: each changed row asked for once, nothing
reloaded that the write did not touch. See docs/architecture.md, "How a write flows
from a dialog to the database and back to the screen"."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal


@dataclass(frozen=True, slots=True)
class Changes:
    """What one write changed. Empty sets and False: untouched."""

    households: frozenset[int] = frozenset()  # rows and details to fetch again
    added_households: frozenset[int] = frozenset()  # new rows (the page selects one)
    removed_households: frozenset[int] = frozenset()  # deleted, archived or moved away
    groups: frozenset[int] = frozenset()  # building groups whose tree counts changed
    problems: frozenset[int] = frozenset()  # problem lines changed in place
    visits: bool = False  # visits recorded, corrected or deleted: the due list
    problem_list: bool = False  # problems added or removed: the problems list
    hierarchy: bool = False  # communities, grids, building groups: the tree, every page
    household_list: bool = False  # households added or removed elsewhere (another window)
    reference: bool = False  # categories, tiers, special groups (a merge, an import)
    targets: bool = False  # the statistics targets: the figures marked below target

    @classmethod
    def everything(cls) -> Changes:
        """After a merge or an import: reload the reference data, the tree and the pages."""
        return cls(reference=True, hierarchy=True)

    def stale_pages(self) -> set[str]:
        """The pages whose lists this change may alter and that must load again."""
        out: set[str] = set()
        if self.visits or self.added_households or self.removed_households:
            out.add("due")
        if self.problem_list or self.added_households or self.removed_households:
            out.add("problems")
        if self.household_list:
            out |= {"households", "due", "problems"}
        if out or self.problems or self.targets:
            out.add("stats")  # the figures count visits, households and problems
        if (
            self.households
            or self.added_households
            or self.removed_households
            or self.visits
            or self.problems
            or self.problem_list
            or self.household_list
        ):
            out.add("buildings")  # colours and marks of the building view
        return out


class ChangeHub(QObject):
    """One signal for every write's notice; owned by the main window."""

    changed = Signal(object)  # Changes

    def notify(self, changes: Changes) -> None:
        self.changed.emit(changes)


def ids(*values: int | None) -> frozenset[int]:
    """The ids given, without None: `Changes(groups=ids(line.building_group_id))`."""
    return frozenset(v for v in values if v is not None)
