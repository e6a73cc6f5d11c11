"""File → Backups: the backups dialog; a restore closes the window so that the app
restores with the database closed (see gridvisit/app.py)."""

from __future__ import annotations

from typing import Any

from gridvisit.ui.actions import ActionGroup


class BackupActions(ActionGroup):
    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.act_backups = self.action("backups", self.tr("&Backups…"), self.backups)
        # A server database has no backup files of its own (pg_dump: README).
        self.act_backups.setVisible(self.may("backups") and self.services.backups.available)

    def backups(self) -> None:
        from gridvisit.ui.dialogs.backups import BackupDialog

        dialog = BackupDialog(self.services, self.window)
        dialog.restore_requested.connect(self.window.request_restore)
        try:
            dialog.exec()
        finally:
            dialog.deleteLater()
