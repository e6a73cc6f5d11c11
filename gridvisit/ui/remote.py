"""Other app instances' writes on the same PostgreSQL server, shown in this window.

`Database.listen` (gridvisit/storage/notify.py) runs a thread that LISTENs on the
server; each notice crosses to the GUI thread through a queued signal, notices that
arrive together are gathered for `COALESCE_MS`, and one `Changes` for what this
window shows goes through the window's hub, as if the window had made the write
itself: the rows it shows are fetched again, the tree's counts of the groups named
are updated, lists that may have changed reload. A merge sends "everything".
Nothing of this runs on SQLite (no listener). See
docs/architecture.md#several-staff-at-once."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from gridvisit.core.services.workspace import TreeNode
from gridvisit.ui.changes import Changes

log = logging.getLogger(__name__)

COALESCE_MS = 150


def groups_under(node: TreeNode | None) -> set[int]:
    """The building groups at or below a tree node."""
    if node is None:
        return set()
    if node.kind == "building_group":
        return {node.id} if node.id is not None else set()
    out: set[int] = set()
    for child in node.children:
        out |= groups_under(child)
    return out


def changes_for(
    notices: Iterable[dict[str, Any]],
    *,
    shown_households: set[int],
    shown_problems: set[int],
    current_groups: set[int],
) -> Changes | None:
    """One `Changes` for what a window shows, from notices (as `notify.parse` gives
    them); None when none of it is on screen."""
    households: set[int] = set()
    groups: set[int] = set()
    problems: set[int] = set()
    flags: set[str] = set()
    for n in notices:
        if n.get("all"):
            return Changes.everything()
        households |= n["h"]
        groups |= n["g"]
        problems |= n["p"]
        flags |= n["f"]
    if "hierarchy" in flags:
        return Changes(hierarchy=True)
    here = bool(groups & current_groups)
    changes = Changes(
        households=frozenset(households & shown_households),
        groups=frozenset(groups),
        problems=frozenset(problems & shown_problems),
        visits="visits" in flags and here,
        problem_list="problem_list" in flags and here,
        household_list="household_list" in flags and here,
    )
    return None if changes == Changes() else changes


class RemoteChanges(QObject):
    """Owned by the main window on a server; `stop()` when it closes."""

    _arrived = Signal(object)  # a parsed notice, from the listener's thread
    applied = Signal(object)  # the Changes sent through the hub (for the status bar, tests)

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self._pending: list[dict[str, Any]] = []
        self.first_arrival: float | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(COALESCE_MS)
        self._timer.timeout.connect(self._flush)
        self._arrived.connect(self._queue)
        self.listener = window.services.ctx.db.listen(self._arrived.emit)

    @property
    def active(self) -> bool:
        return self.listener is not None

    def stop(self) -> None:
        if self.listener is not None:
            self.listener.stop()
            self.listener = None

    def _queue(self, notice: dict[str, Any]) -> None:
        self._pending.append(notice)
        if not self._timer.isActive():
            self.first_arrival = time.monotonic()
            self._timer.start()

    def _flush(self) -> None:
        notices, self._pending = self._pending, []
        w = self.window
        changes = changes_for(
            notices,
            shown_households={r.id for r in w.households.model.all_rows()},
            shown_problems={r.id for r in w.problems.model.all_rows()},
            current_groups=groups_under(w.current_node),
        )
        if changes is None:
            return
        try:
            w.hub.notify(changes)
        except Exception:  # a refresh that fails must not take the window down
            log.exception("refreshing after another instance's change failed")
            return
        self.applied.emit(changes)
