"""The main window's commands, one module per group: households (households and
residents), visits (visits and problem steps), hierarchy (the tree's menus),
exchange, security, backups and help. Each group owns its QActions (found by
object name, e.g. `window.findChild(QAction, "action_log_visit")`), opens the
dialogs, calls the guarded services and, after a write, sends one `Changes` notice
through the window's hub; it never refreshes a page or the tree itself. See
docs/architecture.md, "How a write flows from a dialog to the database and back to
the screen"."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMessageBox

from gridvisit.core.access import may_run
from gridvisit.core.errors import GridVisitError
from gridvisit.ui.changes import Changes
from gridvisit.ui.host import WindowHost


class ActionGroup(QObject):
    """Plumbing shared by the groups: the window, its services, QActions, notices."""

    def __init__(self, window: WindowHost) -> None:
        super().__init__(window)
        self.window = window
        self.services = window.services

    def action(
        self, name: str, text: str, slot: Callable[[], Any], shortcut: str | None = None
    ) -> QAction:
        """A QAction parented to the window, with object name `action_<name>`; shown
        only to a role that holds the action `core.access.COMMANDS` names for it, so
        menus and the toolbar offer nothing the services would refuse."""
        act = QAction(text, self.window)
        act.setObjectName(f"action_{name}")
        if shortcut:
            act.setShortcut(QKeySequence(shortcut))
        act.triggered.connect(lambda _checked=False: slot())
        act.setVisible(self.may(name))
        return act

    def may(self, command: str) -> bool:
        """Whether the current user is offered `command` (core.access.COMMANDS)."""
        return may_run(self.services.ctx.actor.role, command)

    def offer(self, menu: QMenu, command: str, text: str, slot: Callable[[], Any]) -> None:
        """A context-menu entry, added only when the role may run `command`."""
        if not self.may(command):
            return
        act = menu.addAction(text, slot)
        act.setObjectName(f"action_{command}")

    def notify(self, changes: Changes) -> None:
        self.window.hub.notify(changes)

    def status(self, text: str) -> None:
        self.window.status_text.setText(text)

    def still_checking(self) -> bool:
        """While the start-up check and today's backup run, saves wait for them: say so
        instead of opening a form whose save would hold up the window
        (docs/architecture.md, "Start-up: what the first paint needs")."""
        if not self.services.ctx.db.writes_held():
            return False
        QMessageBox.information(
            self.window,
            self.tr("Please wait"),
            self.tr(
                "The database check and today's backup are still running (a few seconds). "
                "Try again when the note in the status bar is gone."
            ),
        )
        return True

    def guard(self, fn: Callable[[], Any]) -> bool:
        """Run a write; a refusal shows its reason. True when it went through."""
        try:
            fn()
        except GridVisitError as exc:
            QMessageBox.warning(self.window, self.tr("Not possible"), str(exc))
            return False
        return True
