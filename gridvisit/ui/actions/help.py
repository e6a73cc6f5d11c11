"""The Help menu: the user guide (F1) and About."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QMessageBox

from gridvisit.ui.actions import ActionGroup


class HelpActions(ActionGroup):
    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.act_guide = self.action("user_guide", self.tr("User &guide"), self.user_guide, "F1")
        self.act_about = self.action("about", self.tr("&About"), self.about)

    def user_guide(self) -> None:
        from gridvisit.ui.dialogs.guide import GuideDialog

        GuideDialog.open_for(self.window)

    def about(self) -> None:
        from gridvisit import __version__

        QMessageBox.about(
            self.window,
            self.tr("About gridvisit"),
            self.tr(
                "gridvisit {v}\nOffline household visits and problem lists for community grid "
                "workers."
            ).format(v=__version__),
        )
