"""Account → User management (community and sub-district admins): the window that
adds, edits, deactivates users, resets passwords and adds many from an Excel list.
User changes alter no page, so no change notice is sent."""

from __future__ import annotations

from typing import Any

from gridvisit.core.errors import GridVisitError
from gridvisit.ui.actions import ActionGroup


class UserActions(ActionGroup):
    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.act_users = self.action("manage_users", self.tr("&User management…"), self.users)

    def users(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        from gridvisit.ui.dialogs.users import UsersDialog

        if self.still_checking():
            return
        try:
            dialog = UsersDialog(self.services, self.window)
        except GridVisitError as exc:
            QMessageBox.warning(self.window, self.tr("Not possible"), str(exc))
            return
        try:
            dialog.exec()
        finally:
            dialog.deleteLater()
